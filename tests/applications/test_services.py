import datetime

import pytest
from django.utils import timezone
from freezegun import freeze_time

from applications.enums import DossierState
from applications.models import DossierVersion
from applications.services import dossiers as services
from applications.services.steps import get_step
from applications.services.submission import SubmissionRefused, submit_dossier
from territories.models import Commune
from territories.places import TerritorySelection
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory

pytestmark = pytest.mark.django_db


def test_references_follow_each_edition_and_phase_kind():
    phase = PhaseFactory(edition=EditionFactory(year=2027))
    owner = UserFactory()

    references = [services.create_dossier(phase, owner).reference for _ in range(3)]

    assert references == ["PTCE-2027-P1-0001", "PTCE-2027-P1-0002", "PTCE-2027-P1-0003"]


def test_create_dossier_prefills_the_contact_with_the_owner():
    owner = UserFactory(first_name="Camille", last_name="Martin", phone="01 22 33 44 55")

    dossier = services.create_dossier(PhaseFactory(), owner)

    assert (dossier.contact_name, dossier.contact_email, dossier.state) == (
        "Camille Martin",
        owner.email,
        DossierState.DRAFT,
    )


def test_second_save_of_the_same_step_from_a_stale_page_is_refused():
    dossier = DossierFactory(name="Pôle A")
    step = get_step("pole")
    loaded_by_tab_1 = loaded_by_tab_2 = services.step_fingerprint(dossier, step)

    services.save_step(dossier, step, {"name": "Pôle B"}, by=dossier.owner, expected_fingerprint=loaded_by_tab_1)
    with pytest.raises(services.EditConflict) as conflict:
        services.save_step(dossier, step, {"name": "Pôle C"}, by=dossier.owner, expected_fingerprint=loaded_by_tab_2)

    dossier.refresh_from_db()
    assert dossier.name == "Pôle B"
    assert conflict.value.current_values["name"] == "Pôle B"


def test_saving_another_step_does_not_conflict():
    dossier = DossierFactory()
    pole, projet = get_step("pole"), get_step("projet")
    pole_print = services.step_fingerprint(dossier, pole)
    projet_print = services.step_fingerprint(dossier, projet)

    services.save_step(dossier, pole, {"name": "Nouveau nom"}, by=dossier.owner, expected_fingerprint=pole_print)
    services.save_step(dossier, projet, {"innovation": "Texte"}, by=dossier.owner, expected_fingerprint=projet_print)

    dossier.refresh_from_db()
    assert (dossier.name, dossier.innovation) == ("Nouveau nom", "Texte")


def test_territory_step_derives_the_region(referential):

    dossier = DossierFactory()
    step = get_step("territoire")
    saint_etienne = Commune.objects.get(code="42218")
    ajaccio = Commune.objects.get(code="2A004")
    selection = TerritorySelection(communes=[saint_etienne, ajaccio, Commune.objects.get(code="69123")])

    services.save_step(
        dossier,
        step,
        {"territory": selection},
        by=dossier.owner,
        expected_fingerprint=services.step_fingerprint(dossier, step),
    )

    dossier.refresh_from_db()
    assert dossier.region_id == "84"  # two communes in Auvergne-Rhône-Alpes, one in Corsica


def test_saving_a_submitted_dossier_is_refused():
    dossier = DossierFactory(submitted=True)
    step = get_step("pole")

    with pytest.raises(services.DossierNotEditable):
        services.save_step(
            dossier,
            step,
            {"name": "X"},
            by=dossier.owner,
            expected_fingerprint=services.step_fingerprint(dossier, step),
        )


PARIS = timezone.get_default_timezone()
DEADLINE = datetime.datetime(2026, 7, 31, 12, 0, 0, tzinfo=PARIS)


@pytest.fixture
def closing_dossier(referential):
    phase = PhaseFactory(opens_at=DEADLINE - datetime.timedelta(days=60), closes_at=DEADLINE)
    return DossierFactory(phase=phase, complete=True)


def test_submit_one_second_before_the_deadline_is_accepted(closing_dossier, django_capture_on_commit_callbacks):
    with freeze_time(DEADLINE - datetime.timedelta(seconds=1)), django_capture_on_commit_callbacks():
        version = submit_dossier(closing_dossier, by=closing_dossier.owner)

    closing_dossier.refresh_from_db()
    assert closing_dossier.state == DossierState.SUBMITTED
    assert closing_dossier.submitted_at == DEADLINE - datetime.timedelta(seconds=1)
    assert version.number == 1


def test_submit_at_the_deadline_second_is_accepted(closing_dossier, django_capture_on_commit_callbacks):
    with freeze_time(DEADLINE), django_capture_on_commit_callbacks():
        submit_dossier(closing_dossier, by=closing_dossier.owner)

    closing_dossier.refresh_from_db()
    assert closing_dossier.state == DossierState.SUBMITTED


def test_submit_one_second_after_the_deadline_is_refused_and_the_draft_stays(closing_dossier):
    with freeze_time(DEADLINE + datetime.timedelta(seconds=1)), pytest.raises(SubmissionRefused) as refusal:
        submit_dossier(closing_dossier, by=closing_dossier.owner)

    assert refusal.value.message == (
        "La date limite de dépôt est passée (31 juillet 2026 à 12 h 00, heure de Paris) : le dossier ne peut plus "
        "être déposé. Votre brouillon reste enregistré."
    )
    closing_dossier.refresh_from_db()
    assert (closing_dossier.state, closing_dossier.name) == (DossierState.DRAFT, closing_dossier.name)
    assert DossierVersion.objects.count() == 0


def test_submit_incomplete_lists_what_is_missing():
    dossier = DossierFactory()

    with pytest.raises(SubmissionRefused) as refusal:
        submit_dossier(dossier, by=dossier.owner)

    assert refusal.value.message == "Le dossier est incomplet : complétez les éléments signalés."
    assert {item.step for item in refusal.value.missing} >= {"membres", "pieces", "engagements"}


def test_submit_freezes_what_was_submitted(referential, django_capture_on_commit_callbacks):
    dossier = DossierFactory(complete=True, name="Pôle d'origine")

    with django_capture_on_commit_callbacks():
        version = submit_dossier(dossier, by=dossier.owner)
    type(dossier).objects.filter(pk=dossier.pk).update(name="Changé après coup")

    version.refresh_from_db()
    pole = next(section for section in version.data["sections"] if section["step"] == "pole")
    assert {"name": "name", "label": "nom du pôle", "value": "Pôle d'origine"} in pole["fields"]
    assert len(version.data["members"]) == 3
    assert [a["sha256"] for a in version.data["attachments"]] == list(
        dossier.attachments.values_list("sha256", flat=True)
    )
