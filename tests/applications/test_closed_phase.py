"""After the deadline, a draft is read-only and every page says the phase closed; corrections go on."""

import datetime
import html
import zoneinfo

import pytest
import rules
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time

from applications.enums import AttachmentKind, DossierState
from applications.services import dossiers as services
from applications.services.attachments import add_attachment
from applications.services.dossiers import DossierNotEditable
from applications.services.steps import get_step
from tests.applications.factories import PDF_BYTES, DossierFactory, MemberFactory, PhaseFactory
from tests.applications.test_views import pole_data, step_url

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
DEADLINE = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=PARIS)
JUST_BEFORE = DEADLINE - datetime.timedelta(seconds=1)
JUST_AFTER = DEADLINE + datetime.timedelta(seconds=1)
CLOSED = "La phase a fermé le 30 juin 2026 à 12 h 00, heure de Paris"


@pytest.fixture
def draft():
    phase = PhaseFactory(opens_at=DEADLINE - datetime.timedelta(days=60), closes_at=DEADLINE)
    return DossierFactory(phase=phase, name="Pôle des Deux Rives")


@pytest.mark.parametrize(("moment", "editable"), [(JUST_BEFORE, True), (DEADLINE, True), (JUST_AFTER, False)])
def test_a_draft_is_editable_until_its_phase_closes(draft, moment, editable):
    with freeze_time(moment):
        assert rules.has_perm("applications.change_dossier", draft.owner, draft) is editable


def test_a_dossier_in_corrections_stays_editable_after_the_deadline(draft):
    draft.state = DossierState.CORRECTIONS_REQUESTED
    draft.save(update_fields=["state"])

    with freeze_time(JUST_AFTER):
        assert rules.has_perm("applications.change_dossier", draft.owner, draft)


def test_the_services_refuse_to_save_a_draft_of_a_closed_phase(draft):
    member = MemberFactory(dossier=draft)
    step = get_step("pole")
    with freeze_time(JUST_BEFORE):
        fingerprint = services.step_fingerprint(draft, step)

    with freeze_time(JUST_AFTER):
        with pytest.raises(DossierNotEditable):
            services.save_step(draft, step, {"name": "Autre nom"}, by=draft.owner, expected_fingerprint=fingerprint)
        with pytest.raises(DossierNotEditable):
            services.add_member(draft, {"name": "Nouvelle structure"}, by=draft.owner)
        with pytest.raises(DossierNotEditable):
            services.remove_member(member, by=draft.owner)
        with pytest.raises(DossierNotEditable):
            upload = SimpleUploadedFile("statuts.pdf", PDF_BYTES, content_type="application/pdf")
            add_attachment(draft, kind=AttachmentKind.STATUTES, uploaded_file=upload, by=draft.owner)

    draft.refresh_from_db()
    assert (draft.name, draft.members.count(), draft.attachments.count()) == ("Pôle des Deux Rives", 1, 0)


def test_a_step_of_a_closed_draft_sends_back_to_its_page_saying_why(client, draft):
    client.force_login(draft.owner)

    with freeze_time(JUST_AFTER):
        response = client.get(step_url(draft), follow=True)

    content = response.content.decode()
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    sentence = f"{CLOSED} : ce brouillon n'a pas été déposé et ne peut plus l'être ni être modifié."
    assert html.unescape(content).count(sentence) == 1  # said once, in the header
    assert "à déposer avant" not in content
    assert "Compléter le dossier" not in content


def test_saving_a_step_after_the_deadline_changes_nothing(client, draft):
    client.force_login(draft.owner)
    with freeze_time(JUST_BEFORE):
        data = pole_data(draft, name="Nom tardif")

    with freeze_time(JUST_AFTER):
        page = client.post(step_url(draft), data)
        autosave = client.post(step_url(draft), data, headers={"X-Requested-With": "fetch"})

    draft.refresh_from_db()
    assert draft.name == "Pôle des Deux Rives"
    assert page["Location"] == draft.get_absolute_url()
    assert (autosave.status_code, autosave.json()["status"]) == (403, "locked")
    assert autosave.json()["message"].startswith(CLOSED)


def test_the_porteurs_home_says_the_phase_closed(client, draft):
    client.force_login(draft.owner)

    with freeze_time(JUST_BEFORE):
        before = client.get(reverse("site:dashboard")).content.decode()
    with freeze_time(JUST_AFTER):
        after = client.get(reverse("site:dashboard")).content.decode()

    assert "À déposer avant le 30 juin 2026 à 12 h 00, heure de Paris" in before
    assert "Phase fermée le 30 juin 2026 à 12 h 00, heure de Paris : non déposé" in after
    assert "À déposer avant" not in after


def test_the_summary_of_a_closed_draft_says_it_can_no_longer_be_submitted(client, draft):
    client.force_login(draft.owner)

    with freeze_time(JUST_AFTER):
        response = client.get(reverse("applications:summary", kwargs={"reference": draft.reference}))

    content = response.content.decode()
    assert response.status_code == 200
    assert CLOSED in content
    assert "à déposer avant" not in content
