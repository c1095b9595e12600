import pytest
from django.urls import reverse

from applications.models import Label, Message, Phase
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory

pytestmark = pytest.mark.django_db

PHASE = {
    "kind": "phase1",
    "wave": "1",
    "opens_at_0": "2026-06-01",
    "opens_at_1": "09:00:00",
    "closes_at_0": "2026-07-31",
    "closes_at_1": "12:00:00",
    "max_grant": "",
    "required_attachment_kinds": ["statuts", "attestation_honneur"],
    "description": "",
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
