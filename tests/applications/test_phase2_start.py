"""Starting phase 2: from a phase-1 laureate's dossier (pre-filled, idempotent) or by claiming a phase-1 laureate of
the history through a signed link; rule R08 (the phase-1 prerequisite) in both cases; R08 and R11 on the summary."""

import html
import re
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.eligibility import evaluate
from applications.enums import DossierState, LaureateCall, MemberRole, PhaseKind, RuleStatus
from applications.models import Dossier, LaureateRecord
from applications.services import phase2
from territories.models import Region
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory, siret_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase2_open():
    return PhaseFactory(phase2=True, edition=EditionFactory(year=2026))


def laureate(**kwargs):
    phase = PhaseFactory(edition=EditionFactory(year=2025), kind=PhaseKind.PHASE1)
    return DossierFactory(
        phase=phase, complete=True, state=DossierState.LAUREATE, submitted_at=timezone.now(), **kwargs
    )


def text(response):
    return html.unescape(response.content.decode())


def start_url(dossier):
    return reverse("applications:start_phase2", kwargs={"reference": dossier.reference})


def r08(dossier):
    [result] = evaluate(dossier, rule_ids=["R08"])
    return result.status, result.explanation


# Starting from a phase-1 laureate ----------------------------------------------------------------------------


def test_start_phase2_copies_the_pole_members_territory_sections_and_sectors(referential, phase2_open):
    previous = laureate(website="https://pole.example.fr", jobs_expected=12, bouquet_needs=["dla"])

    dossier, created = phase2.start_phase2(previous, previous.owner)

    assert created
    assert (dossier.phase, dossier.continues, dossier.owner, dossier.state) == (
        phase2_open,
        previous,
        previous.owner,
        DossierState.DRAFT,
    )
    assert dossier.reference.startswith("PTCE-2026-P2-")
    copied = ["name", "summary", "stage", "website", "representative_name", "territory_type", "shared_strategy"]
    copied += ["governance", "collectivites_link", "innovation", "economic_model", "expected_impact", "jobs_expected"]
    assert {name: getattr(dossier, name) for name in copied} == {name: getattr(previous, name) for name in copied}
    assert dossier.region_id == previous.region_id == "84"
    assert list(dossier.communes.order_by("pk")) == list(previous.communes.order_by("pk"))
    assert list(dossier.sectors.all()) == list(previous.sectors.all())
    members = lambda d: list(d.members.values_list("name", "siret", "category", "role", "commune"))  # noqa: E731
    assert members(dossier) == members(previous)
    # The declarations are made again; the needs of the bouquet belong to phase 1.
    assert (dossier.certify_accurate, dossier.charter_adherence, dossier.bouquet_needs) == (False, False, [])
    assert r08(dossier) == (
        RuleStatus.PASS,
        f"Le pôle est lauréat de la phase 1 ({previous.reference}, AMI PTCE 2025).",
    )


def test_start_phase2_twice_opens_the_same_dossier(client, referential, phase2_open):
    previous = laureate()
    client.force_login(previous.owner)

    first = client.post(start_url(previous))
    second = client.post(start_url(previous), follow=True)

    started = Dossier.objects.get(continues=previous)
    assert first["Location"] == started.get_absolute_url()
    assert second.redirect_chain[-1][0] == started.get_absolute_url()
    assert "est déjà démarré" in text(second)
    assert Dossier.objects.filter(phase=phase2_open).count() == 1


def test_the_laureate_page_offers_phase2_only_when_one_is_open(client, referential):
    previous = laureate()
    client.force_login(previous.owner)

    assert "Démarrer mon dossier de phase 2" not in text(client.get(previous.get_absolute_url()))

    PhaseFactory(phase2=True)

    assert "Démarrer mon dossier de phase 2" in text(client.get(previous.get_absolute_url()))
    assert "Démarrer mon dossier de phase 2" in text(client.get(reverse("applications:dossier_list")))


def test_a_dossier_not_laureate_cannot_start_phase2(client, referential, phase2_open):
    dossier = DossierFactory(complete=True, state=DossierState.NOT_RETAINED, submitted_at=timezone.now())
    client.force_login(dossier.owner)

    assert client.post(start_url(dossier)).status_code == 403
    assert not Dossier.objects.filter(continues=dossier).exists()


def test_an_outsider_gets_404_when_starting_phase2(client, referential, phase2_open):
    previous = laureate()
    client.force_login(UserFactory())

    assert client.post(start_url(previous)).status_code == 404


def test_no_phase2_open_is_said(referential):
    previous = laureate()

    with pytest.raises(phase2.Phase2Refused, match="Aucune phase 2 n'est ouverte"):
        phase2.start_phase2(previous, previous.owner)


# Rule R08 ----------------------------------------------------------------------------------------------------


def test_r08_fails_for_a_phase2_dossier_without_phase1(referential, phase2_open):
    dossier = DossierFactory(phase=phase2_open, complete=True)

    status, explanation = r08(dossier)

    assert status == RuleStatus.FAIL
    assert explanation.startswith("Le dossier n'est rattaché à aucun dossier de phase 1")


@pytest.mark.parametrize(
    ("kind", "status", "explanation"),
    [
        (
            LaureateCall.PHASE1,
            RuleStatus.PASS,
            "Le pôle est lauréat de la phase 1 : « Pôle Ancien », AMI 2022 phase 1 (historique des lauréats).",
        ),
        (
            LaureateCall.FUNDED,
            RuleStatus.FAIL,
            "« Pôle Ancien » (AMI 2022 phase 1) figure dans l'historique des lauréats, mais pas comme lauréat de la "
            "phase 1.",
        ),
    ],
)
def test_r08_with_a_prior_laureate_of_the_history(referential, phase2_open, kind, status, explanation):
    record = LaureateRecord.objects.create(year=2022, call="AMI 2022 phase 1", kind=kind, name="Pôle Ancien")
    dossier = DossierFactory(phase=phase2_open, complete=True, prior_laureate=record)

    assert r08(dossier) == (status, explanation)


def test_summary_of_a_phase2_dossier_shows_rules_8_and_11(client, referential, phase2_open):
    previous = laureate()
    dossier, _created = phase2.start_phase2(previous, previous.owner)
    client.force_login(previous.owner)

    response = client.get(reverse("applications:summary", kwargs={"reference": dossier.reference}))

    ids = [result.rule_id for result in response.context["eligibility_results"]]
    assert "R08" in ids and "R11" in ids
    page = text(response)
    assert "Phase 2 : pôle lauréat de la phase 1 ou dossier de phase 1 déposé" in page
    assert "L'année 1 du budget n'est pas renseignée." in page


def test_summary_of_a_phase1_dossier_does_not_show_rules_8_and_11(client, referential):
    dossier = DossierFactory(complete=True)
    client.force_login(dossier.owner)

    response = client.get(reverse("applications:summary", kwargs={"reference": dossier.reference}))

    ids = [result.rule_id for result in response.context["eligibility_results"]]
    assert "R08" not in ids and "R11" not in ids


# Claiming a phase-1 laureate of the history --------------------------------------------------------------------

SIREN = siret_from(77)[:9]


@pytest.fixture
def record(referential):
    return LaureateRecord.objects.create(
        year=2022,
        call="AMI 2022 phase 1",
        kind=LaureateCall.PHASE1,
        name="Pôle des Trois Vallées",
        lead="Association des Vallées",
        lead_siren=SIREN,
        region=Region.objects.get(code="84"),
        region_name="Auvergne-Rhône-Alpes",
        contact_email="contact@vallees.example.fr",
    )


def claim_link(client, django_capture_on_commit_callbacks, siren=SIREN):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:claim_request"), {"siren": siren})
    assert response.status_code == 200
    return re.search(r"https?://\S+/laureat-phase-1/\S+/", mail.outbox[-1].body).group(0)


def test_claim_sends_a_link_to_the_records_contact_and_starts_a_prefilled_phase2(
    client, record, phase2_open, django_capture_on_commit_callbacks
):
    porteur = UserFactory()
    client.force_login(porteur)

    link = claim_link(client, django_capture_on_commit_callbacks, siren=f"{SIREN[:3]} {SIREN[3:6]} {SIREN[6:]}")
    confirm = client.get(link)
    response = client.post(link)

    assert mail.outbox[-1].to == ["contact@vallees.example.fr"]
    assert "Pôle des Trois Vallées" in text(confirm)
    dossier = Dossier.objects.get(prior_laureate=record)
    assert response["Location"] == dossier.get_absolute_url()
    assert (dossier.owner, dossier.phase, dossier.name, dossier.region_id) == (
        porteur,
        phase2_open,
        "Pôle des Trois Vallées",
        "84",
    )
    assert list(dossier.members.values_list("role", "name", "siret")) == [
        (MemberRole.LEAD, "Association des Vallées", SIREN)
    ]
    record.refresh_from_db()
    assert (record.claimed_by, record.is_claimed) == (porteur, True)
    assert r08(dossier)[0] == RuleStatus.PASS
    # Following the link again opens the same dossier.
    client.post(link)
    assert Dossier.objects.filter(prior_laureate=record).count() == 1


def test_claim_with_an_unknown_siren_is_refused_at_the_field(client, record, phase2_open):
    client.force_login(UserFactory())

    response = client.post(reverse("applications:claim_request"), {"siren": "123456789"})

    assert "Aucun lauréat de la phase 1" in response.context["form"].errors["siren"][0]
    assert mail.outbox == []


def test_claim_link_tampered_is_refused_with_a_french_message(client, record, phase2_open):
    client.force_login(UserFactory())
    token = phase2.claim_token(record, UserFactory()) + "x"

    response = client.post(reverse("applications:claim_confirm", kwargs={"token": token}))

    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in text(response)
    assert not Dossier.objects.exists()


def test_claim_link_expired_is_refused_with_a_french_message(client, record, phase2_open):
    porteur = UserFactory()
    client.force_login(porteur)
    token = phase2.claim_token(record, porteur)

    # The link was signed now; it is followed four days later.
    later = timezone.now().timestamp() + 4 * 24 * 3600
    with mock.patch("time.time", return_value=later):
        response = client.post(reverse("applications:claim_confirm", kwargs={"token": token}))

    assert response.status_code == 400
    assert "Ce lien a expiré" in text(response)
    record.refresh_from_db()
    assert not record.is_claimed


def test_claim_link_of_another_account_is_refused(client, record, phase2_open, django_capture_on_commit_callbacks):
    client.force_login(UserFactory())
    link = claim_link(client, django_capture_on_commit_callbacks)
    client.force_login(UserFactory())

    response = client.post(link)

    assert response.status_code == 400
    assert "Ce lien a été demandé depuis un autre compte" in text(response)
    record.refresh_from_db()
    assert not record.is_claimed


def test_a_record_claimed_by_someone_cannot_be_claimed_again(client, record, phase2_open):
    record.claimed_by = UserFactory()
    record.save()
    client.force_login(UserFactory())

    response = client.post(reverse("applications:claim_request"), {"siren": SIREN})

    assert "Aucun lauréat de la phase 1" in response.context["form"].errors["siren"][0]


def test_phase1_and_phase2_filed_together_in_the_same_edition(client, referential, phase2_open):
    phase1 = PhaseFactory(edition=phase2_open.edition, kind=PhaseKind.PHASE1)
    previous = DossierFactory(phase=phase1, complete=True, submitted=True)
    client.force_login(previous.owner)

    page = text(client.get(previous.get_absolute_url()))
    response = client.post(start_url(previous))

    assert "vous pouvez déposer en même temps celui de la phase 2" in page
    dossier = Dossier.objects.get(continues=previous)
    assert response["Location"] == dossier.get_absolute_url()
    assert r08(dossier) == (
        RuleStatus.PASS,
        f"Le dossier de phase 1 {previous.reference} est déposé dans la même édition (AMI PTCE 2026).",
    )


def test_a_phase1_dossier_filed_in_another_edition_cannot_continue_in_this_phase2(referential, phase2_open):
    phase1 = PhaseFactory(edition=EditionFactory(year=2025), kind=PhaseKind.PHASE1)
    previous = DossierFactory(phase=phase1, complete=True, submitted=True)

    with pytest.raises(phase2.Phase2Refused, match="Aucune phase 2 n'est ouverte en ce moment pour ce dossier"):
        phase2.start_phase2(previous, previous.owner)


def test_claim_finds_the_region_by_its_name_when_the_record_has_no_link(record, phase2_open):
    porteur = UserFactory()
    LaureateRecord.objects.filter(pk=record.pk).update(region=None, region_name="auvergne-rhône-alpes")

    dossier, created = phase2.claim(phase2.claim_token(record, porteur), porteur)

    assert (created, dossier.region_id) == (True, "84")
