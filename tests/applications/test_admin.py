from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Label, Message, Phase
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory

pytestmark = pytest.mark.django_db

PHASE = {
    "kind": "phase1",
    "wave": "1",
    "opens_at_0": "2026-06-01",
    "opens_at_1": "09:00:00",
    "closes_at_0": "2026-07-31",
    "closes_at_1": "12:00:00",
    "max_grant": "",
    "min_grant": "",
    "envelope": "",
    "max_laureates": "",
    "grant_years": "2",
    "required_attachment_kinds": ["statuts", "attestation_honneur"],
    "description": "",
    **{
        f"{prefix}-{key}": value
        for prefix in ("payment_stages", "report_requirements")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    },
}


def schedule(*stages, reports=()):
    """The inline forms of a phase's tranches (label, percent, condition) and reports (kind, months)."""
    data = {"payment_stages-TOTAL_FORMS": str(len(stages)), "report_requirements-TOTAL_FORMS": str(len(reports))}
    for index, (label, percent, condition) in enumerate(stages):
        data |= {
            f"payment_stages-{index}-position": str(index + 1),
            f"payment_stages-{index}-label": label,
            f"payment_stages-{index}-percent": str(percent),
            f"payment_stages-{index}-condition": condition,
        }
    for index, (kind, months) in enumerate(reports):
        data |= {f"report_requirements-{index}-kind": kind, f"report_requirements-{index}-due_months": str(months)}
    return data


# The seeds' calls: 2023, 1.5 M€ for 15 × 100 k€ over two years in three tranches; 2026, 500 k€ at 30–80 k€.
CALL_2023 = {
    "kind": "phase2",
    "envelope": "1500000",
    "max_laureates": "15",
    "min_grant": "100000",
    "max_grant": "100000",
    **schedule(
        ("Premier versement", 50, "signature"),
        ("Deuxième versement", 40, "interim_report"),
        ("Solde", 10, "final_report"),
        reports=[("interim", 12), ("final", 24)],
    ),
}


def test_instructeur_configures_a_phase_with_its_required_attachments(client):
    edition = EditionFactory()
    client.force_login(UserFactory(instructeur=True))

    response = client.post(reverse("admin:applications_phase_add"), {**PHASE, "edition": edition.pk})

    assert response.status_code == 302
    phase = Phase.objects.get()
    assert phase.required_attachment_kinds == ["statuts", "attestation_honneur"]
    assert phase.closes_at.isoformat() == "2026-07-31T10:00:00+00:00"  # noon in Paris, summer time


def test_a_deadline_before_the_opening_is_refused_next_to_the_field(client):
    client.force_login(UserFactory(instructeur=True))

    response = client.post(
        reverse("admin:applications_phase_add"),
        {**PHASE, "edition": EditionFactory().pk, "closes_at_0": "2026-05-01"},
    )

    assert response.context["adminform"].form.errors["closes_at"] == [
        "La date limite doit suivre l'ouverture de la phase."
    ]


def test_dossiers_in_the_admin_are_for_administrateurs_only(client):
    DossierFactory()
    client.force_login(UserFactory(instructeur=True))
    assert client.get(reverse("admin:applications_dossier_changelist")).status_code == 403

    client.force_login(UserFactory(administrateur=True))
    assert client.get(reverse("admin:applications_dossier_changelist")).status_code == 200


def test_instructeurs_rename_labels_and_read_messages_but_never_change_them(client):
    dossier = DossierFactory(submitted=True)
    label = Label.objects.create(name="A revoir")
    label.dossiers.add(dossier)
    message = Message.objects.create(dossier=dossier, author=dossier.owner, body="Voici la lettre signée.")
    client.force_login(UserFactory(instructeur=True))

    response = client.post(
        reverse("admin:applications_label_change", args=[label.pk]),
        {"name": "À revoir en comité", "colour": "green-emeraude"},
    )
    assert response.status_code == 302
    label.refresh_from_db()
    assert (label.name, label.colour) == ("À revoir en comité", "green-emeraude")
    assert dossier.reference in client.get(reverse("admin:applications_message_changelist")).content.decode()
    page = client.get(reverse("admin:applications_message_change", args=[message.pk])).content.decode()
    assert "Voici la lettre signée." in page and 'name="body"' not in page  # read-only
    assert client.get(reverse("admin:applications_message_add")).status_code == 403


def test_labels_and_messages_are_not_in_reach_of_regional_partners(client):
    client.force_login(UserFactory(partenaire=True, is_staff=True))
    assert client.get(reverse("admin:applications_message_changelist")).status_code in (302, 403)
    assert client.get(reverse("admin:applications_label_changelist")).status_code in (302, 403)


def test_the_seeds_calls_are_configured_in_the_admin_amounts_tranches_and_reports(client):
    client.force_login(UserFactory(instructeur=True))
    edition = EditionFactory(year=2023, envelope=Decimal(1_500_000))

    response = client.post(reverse("admin:applications_phase_add"), {**PHASE, **CALL_2023, "edition": edition.pk})

    assert response.status_code == 302, response.context["adminform"].form.errors
    phase = Phase.objects.get()
    assert (phase.envelope, phase.max_laureates, phase.min_grant, phase.max_grant, phase.grant_years) == (
        Decimal(1_500_000),
        15,
        Decimal(100_000),
        Decimal(100_000),
        2,
    )
    assert list(phase.payment_stages.values_list("percent", "condition")) == [
        (50, "signature"),
        (40, "interim_report"),
        (10, "final_report"),
    ]
    assert list(phase.report_requirements.values_list("kind", "due_months")) == [("interim", 12), ("final", 24)]
    # 2026: 500 k€ at 30–80 k€ per dossier.
    edition_2026 = EditionFactory(year=2026, envelope=Decimal(500_000))
    call_2026 = {**PHASE, "kind": "phase2", "edition": edition_2026.pk, "envelope": "500000"}
    response = client.post(
        reverse("admin:applications_phase_add"), {**call_2026, "min_grant": "30000", "max_grant": "80000"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"min_grant": "90000", "max_grant": "80000"}, "min_grant", "L'aide minimale ne peut pas dépasser"),
        ({"envelope": "2000000"}, "envelope", "1 500 000 € déjà réservés"),
        ({"envelope": "20000", "min_grant": "30000", "max_grant": ""}, "envelope", "ne couvre pas une aide minimale"),
    ],
)
def test_amounts_that_do_not_hold_together_are_refused_next_to_the_field(client, change, field, message):
    client.force_login(UserFactory(instructeur=True))
    edition = EditionFactory(year=2023, envelope=Decimal(1_500_000))
    PhaseFactory(edition=edition, wave=2, envelope=Decimal(1_500_000))
    data = {**PHASE, **CALL_2023, "edition": edition.pk, "envelope": "", "min_grant": "", "max_grant": "", **change}

    response = client.post(reverse("admin:applications_phase_add"), data)

    errors = [
        error.replace("\u202f", " ").replace("\xa0", " ") for error in response.context["adminform"].form.errors[field]
    ]
    assert any(message in error for error in errors), errors


def test_tranches_that_do_not_make_the_whole_grant_are_refused(client):
    client.force_login(UserFactory(instructeur=True))
    data = {**PHASE, **CALL_2023, "edition": EditionFactory().pk}
    data["payment_stages-2-percent"] = "20"

    response = client.post(reverse("admin:applications_phase_add"), data)

    assert response.status_code == 200 and not Phase.objects.exists()
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == ["Les parts des tranches font 110 % de l'aide : elles doivent faire 100 %."]
