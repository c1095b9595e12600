import datetime
import html

import pytest
from django.urls import reverse
from freezegun import freeze_time

from applications.enums import DossierState, NoticeKind
from applications.models import CorrectionRequest, DossierInvitation, Message, Notice
from applications.services.corrections import InvalidCorrectionRequest, request_corrections
from applications.services.submission import resubmit_dossier, submit_dossier
from ptce_ami.core.models import OutboundEmail
from tests.accounts.factories import RegionFactory, UserFactory
from tests.applications.factories import DossierFactory
from tests.reviews.factories import AssignmentFactory

pytestmark = pytest.mark.django_db

REQUESTED_AT = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
DUE_AT = datetime.datetime(2026, 9, 14, 14, 30, tzinfo=datetime.UTC)  # 16 h 30 in Paris


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def submitted(referential):
    """A complete dossier, really submitted (version 1 frozen)."""
    with freeze_time(REQUESTED_AT - datetime.timedelta(days=10)):
        dossier = DossierFactory(complete=True, reference="PTCE-2026-P1-0042", name="Pôle des Rives")
        dossier.owner.email = "titulaire@example.fr"
        dossier.owner.save(update_fields=["email"])
        submit_dossier(dossier, by=dossier.owner)
    return dossier


@pytest.fixture
def coeditor(submitted):
    user = UserFactory(email="coediteur@example.fr")
    DossierInvitation.objects.create(dossier=submitted, email=user.email, invited_by=submitted.owner)
    return user


@pytest.fixture
def instructeur():
    return UserFactory(instructeur=True)


def ask(dossier, by, sections=("pole", "pieces"), due_at=DUE_AT):
    with freeze_time(REQUESTED_AT):
        return request_corrections(
            dossier,
            by=by,
            reason="Le budget ne tient pas.\nPrécisez les statuts.",
            sections=list(sections),
            due_at=due_at,
        )


def request_url(dossier):
    return reverse("applications:request_corrections", kwargs={"reference": dossier.reference})


def form_data(**overrides):
    return {"reason": "Joignez les statuts signés.", "sections": ["pieces"], "due_at": "2026-09-14T16:30", **overrides}


# Who may ask -------------------------------------------------------------------------------------------------


def person(who, dossier):
    if who == "owner":
        return dossier.owner
    if who == "reviewer":
        return AssignmentFactory(dossier=dossier, confirmed=True).reviewer
    if who == "partner_of_other_region":
        return UserFactory(partenaire=True, regions=[RegionFactory(code="94", name="Corse")])
    if who == "partner_of_region":
        return UserFactory(partenaire=True, regions=[RegionFactory(code=dossier.region_id)])
    return UserFactory(instructeur=True)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 404),
        ("reviewer", 404),
        ("partner_of_other_region", 404),
        ("partner_of_region", 200),
        ("instructeur", 200),
    ],
)
def test_only_the_dossiers_staff_may_request_corrections(client, submitted, who, status):
    client.force_login(person(who, submitted))

    page = client.get(request_url(submitted))
    with freeze_time(REQUESTED_AT):
        posted = client.post(request_url(submitted), form_data())

    assert page.status_code == status
    assert posted.status_code == (302 if status == 200 else status)
    submitted.refresh_from_db()
    expected = DossierState.CORRECTIONS_REQUESTED if status == 200 else DossierState.SUBMITTED
    assert submitted.state == expected


def test_corrections_cannot_be_requested_once_the_dossier_is_decided(client, submitted, instructeur):
    submitted.state = DossierState.ELIGIBLE
    submitted.save(update_fields=["state"])
    client.force_login(instructeur)

    response = client.post(request_url(submitted), form_data(), follow=True)

    assert "ne peuvent être demandées que sur un dossier déposé ou en instruction" in text(response)
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"reason": "  "}, "Dites au porteur ce qu'il doit corriger."),
        ({"sections": []}, "Cochez au moins une étape à corriger."),
        ({"due_at": "2026-08-31T10:00"}, "Choisissez une date et une heure à venir."),
        ({"due_at": "demain"}, "Saisissez une date et une heure valides"),
    ],
)
def test_the_request_form_explains_each_error_in_french(client, submitted, instructeur, overrides, field_error):
    client.force_login(instructeur)

    with freeze_time(REQUESTED_AT):
        response = client.post(request_url(submitted), form_data(**overrides))

    assert response.status_code == 200
    assert field_error in text(response)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.SUBMITTED


def test_the_service_refuses_a_due_date_already_past(submitted, instructeur):
    with pytest.raises(InvalidCorrectionRequest):
        ask(submitted, instructeur, due_at=REQUESTED_AT - datetime.timedelta(minutes=1))
    with pytest.raises(InvalidCorrectionRequest):
        ask(submitted, instructeur, sections=["pole", "inconnue"])
    assert not CorrectionRequest.objects.exists()


# The request -------------------------------------------------------------------------------------------------


def test_a_request_moves_the_dossier_writes_the_thread_and_emails_the_porteurs_once(
    client, submitted, coeditor, instructeur, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(instructeur)

    with freeze_time(REQUESTED_AT), django_capture_on_commit_callbacks(execute=True):
        client.post(
            request_url(submitted),
            form_data(reason="Le budget ne tient pas.", sections=["pieces", "pole"], due_at="2026-09-14T16:30"),
        )

    submitted.refresh_from_db()
    correction = CorrectionRequest.objects.get()
    assert submitted.state == DossierState.CORRECTIONS_REQUESTED
    assert (correction.sections, correction.due_at, correction.resolved_at) == (["pole", "pieces"], DUE_AT, None)
    transition = submitted.transitions.order_by("-pk").first()
    assert (transition.action, transition.comment, transition.by) == (
        "request_corrections",
        "Le budget ne tient pas.",
        instructeur,
    )
    message = Message.objects.get()
    assert message.from_staff
    assert "avant le 14 septembre 2026 à 16 h 30, heure de Paris" in message.body
    assert "Étapes à corriger : Le pôle, Les pièces jointes." in message.body
    assert sorted(m.to[0] for m in mailoutbox) == ["coediteur@example.fr", "titulaire@example.fr"]
    assert OutboundEmail.objects.filter(key__startswith=f"correction:{correction.pk}:").count() == 2
    email = next(m for m in mailoutbox if m.to == ["titulaire@example.fr"])
    assert email.subject == "AMI PTCE — corrections demandées sur votre dossier PTCE-2026-P1-0042"
    body = " ".join(email.body.split())
    assert "Corrections attendues au plus tard le 14 septembre 2026 à 16 h 30, heure de Paris." in body
    assert "Le budget ne tient pas." in body
    assert "Étapes à corriger : Le pôle, Les pièces jointes." in body
    assert "Vous êtes le titulaire du dossier : vous seul pouvez le déposer à nouveau." in body


def test_the_porteur_sees_the_request_on_the_dossier_page_and_the_summary(client, submitted, instructeur):
    ask(submitted, instructeur)
    client.force_login(submitted.owner)

    page = text(client.get(submitted.get_absolute_url()))
    summary = text(client.get(reverse("applications:summary", kwargs={"reference": submitted.reference})))

    for content in (page, summary):
        assert "Corrections demandées" in content
        assert "14 septembre 2026 à 16 h 30, heure de Paris" in content
        assert "Précisez les statuts." in content
        assert reverse("applications:step", kwargs={"reference": submitted.reference, "step": "pole"}) in content
    assert "Corriger le dossier" in page
    assert "Déposer à nouveau le dossier" in summary


# Only the named sections -------------------------------------------------------------------------------------


def step_url(dossier, step):
    return reverse("applications:step", kwargs={"reference": dossier.reference, "step": step})


def test_only_the_named_sections_can_be_edited(client, submitted, instructeur):
    ask(submitted, instructeur, sections=["pole"])
    client.force_login(submitted.owner)
    ref = {"reference": submitted.reference}

    open_step = client.get(step_url(submitted, "pole"))
    closed_step = client.get(step_url(submitted, "cooperation"), follow=True)
    closed_post = client.post(step_url(submitted, "cooperation"), {"governance": "Autre gouvernance"})
    members_post = client.post(reverse("applications:member_create", kwargs=ref), {"name": "Nouvelle"})
    attachments_get = client.get(reverse("applications:attachments", kwargs=ref))
    attachments_post = client.post(reverse("applications:attachments", kwargs=ref), {"kind": "statuts"})

    assert open_step.status_code == 200
    assert "lecture seule" in text(open_step)
    assert step_url(submitted, "cooperation") not in text(open_step)  # no link to a locked step
    assert "L'étape « Stratégie et gouvernance » n'est pas concernée par la demande de corrections" in text(
        closed_step
    )
    assert closed_post.status_code == 403
    assert members_post.status_code == 403
    assert attachments_get.status_code == 302
    assert attachments_post.status_code == 403
    submitted.refresh_from_db()
    assert submitted.governance == "Un comité de pilotage mensuel."
    assert submitted.members.count() == 3


def test_a_named_section_is_saved(client, submitted, instructeur):
    ask(submitted, instructeur, sections=["cooperation", "pieces"])
    client.force_login(submitted.owner)
    form = client.get(step_url(submitted, "cooperation")).context["forms"][0]

    response = client.post(
        step_url(submitted, "cooperation"),
        {
            "shared_strategy": "Une stratégie revue.",
            "governance": "Une gouvernance revue.",
            "collectivites_link": "La métropole.",
            "fingerprint": form.initial["fingerprint"],
            "save": "",
        },
    )
    attachments_get = client.get(reverse("applications:attachments", kwargs={"reference": submitted.reference}))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.governance == "Une gouvernance revue."
    assert attachments_get.status_code == 200


# Resubmission ------------------------------------------------------------------------------------------------


def resubmit_url(dossier):
    return reverse("applications:resubmit", kwargs={"reference": dossier.reference})


def test_resubmitting_freezes_version_2_and_keeps_version_1(client, submitted, instructeur):
    ask(submitted, instructeur, sections=["pole"])
    version_1 = submitted.versions.get()
    data_1 = version_1.data
    client.force_login(submitted.owner)
    submitted.name = "Pôle des Deux Rives"
    submitted.save(update_fields=["name"])

    with freeze_time(DUE_AT - datetime.timedelta(days=1)):
        response = client.post(resubmit_url(submitted))

    submitted.refresh_from_db()
    assert response.status_code == 302
    assert submitted.state == DossierState.SUBMITTED
    assert list(submitted.versions.values_list("number", flat=True)) == [1, 2]
    version_1.refresh_from_db()
    assert version_1.data == data_1
    assert "Pôle des Deux Rives" in str(submitted.versions.get(number=2).data)
    assert "Pôle des Deux Rives" not in str(data_1)
    correction = CorrectionRequest.objects.get()
    assert correction.resolved_at == DUE_AT - datetime.timedelta(days=1)
    receipts = Notice.objects.filter(dossier=submitted, kind=NoticeKind.RECEIPT)
    assert sorted(notice.version.number for notice in receipts) == [1, 2]
    transition = submitted.transitions.order_by("-pk").first()
    assert (transition.action, transition.comment) == ("resubmit", "")
    assert submitted.submitted_at < REQUESTED_AT  # the candidacy keeps its first filing time


def test_a_late_resubmission_is_accepted_and_shown_as_late(submitted, instructeur):
    ask(submitted, instructeur)

    with freeze_time(DUE_AT + datetime.timedelta(days=2)):
        version = resubmit_dossier(submitted, by=submitted.owner)

    assert version.number == 2
    transition = submitted.transitions.order_by("-pk").first()
    assert transition.comment == (
        "Corrections déposées après l'échéance demandée (14 septembre 2026 à 16 h 30, heure de Paris)."
    )


def test_the_summary_tells_a_late_porteur_they_can_still_resubmit(client, submitted, instructeur):
    ask(submitted, instructeur)
    client.force_login(submitted.owner)

    with freeze_time(DUE_AT + datetime.timedelta(hours=1)):
        summary = text(client.get(reverse("applications:summary", kwargs={"reference": submitted.reference})))

    assert "L'échéance est passée : vous pouvez encore déposer le dossier corrigé" in summary


@pytest.mark.parametrize("who", ["coeditor", "instructeur"])
def test_only_the_owner_resubmits(client, submitted, coeditor, instructeur, who):
    ask(submitted, instructeur)
    client.force_login(coeditor if who == "coeditor" else instructeur)

    response = client.post(resubmit_url(submitted))

    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == DossierState.CORRECTIONS_REQUESTED


def test_resubmitting_twice_says_it_was_done(client, submitted, instructeur):
    ask(submitted, instructeur)
    client.force_login(submitted.owner)
    client.post(resubmit_url(submitted))

    response = client.post(resubmit_url(submitted), follow=True)

    assert response.redirect_chain == [(submitted.get_absolute_url(), 302)]
    assert "Action déjà effectuée : ce dossier est déjà déposé à nouveau." in text(response)
    assert submitted.versions.count() == 2


def test_an_incomplete_dossier_cannot_be_resubmitted(client, submitted, instructeur):
    ask(submitted, instructeur)
    submitted.summary = ""
    submitted.save(update_fields=["summary"])
    client.force_login(submitted.owner)

    response = client.post(resubmit_url(submitted), follow=True)

    assert "Le dossier est incomplet" in text(response)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.CORRECTIONS_REQUESTED
    assert submitted.versions.count() == 1
