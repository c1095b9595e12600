import datetime
import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from applications.models import Dossier, DossierInvitation, MemberStructure, Sector
from applications.services import dossiers as services
from applications.services.steps import get_step
from tests.accounts.factories import UserFactory
from tests.applications.factories import AttachmentFactory, DossierFactory, MemberFactory, PhaseFactory, siret_from

pytestmark = pytest.mark.django_db


def step_url(dossier, step="pole"):
    return reverse("applications:step", kwargs={"reference": dossier.reference, "step": step})


def pole_data(dossier, **changes):
    data = {
        "name": dossier.name,
        "summary": "",
        "started_on": "",
        "website": "",
        "stage": "",
        "fingerprint": services.step_fingerprint(dossier, get_step("pole")),
    }
    data.update(changes)
    return data


def test_porteur_creates_a_dossier_in_an_open_phase(client):
    phase = PhaseFactory()
    porteur = UserFactory()
    client.force_login(porteur)

    response = client.post(reverse("applications:dossier_create", kwargs={"phase_id": phase.pk}))

    dossier = Dossier.objects.get()
    assert response["Location"] == step_url(dossier)
    assert (dossier.owner, dossier.reference) == (porteur, "PTCE-2026-P1-0001")


def test_no_dossier_in_a_closed_phase(client):
    phase = PhaseFactory(closed=True)
    client.force_login(UserFactory())

    client.post(reverse("applications:dossier_create", kwargs={"phase_id": phase.pk}))

    assert Dossier.objects.count() == 0


def test_only_porteurs_create_dossiers(client):
    client.force_login(UserFactory(instructeur=True))

    response = client.post(reverse("applications:dossier_create", kwargs={"phase_id": PhaseFactory().pk}))

    assert response.status_code == 403


def test_step_saves_and_goes_to_the_next_one(client):
    dossier = DossierFactory(name="Ancien nom")
    sector, _ = Sector.objects.get_or_create(code="economie-circulaire", defaults={"label": "Économie circulaire"})
    client.force_login(dossier.owner)
    complete = {"summary": "Une coopération.", "stage": "emergence", "sectors": [sector.pk]}

    response = client.post(
        step_url(dossier), {**pole_data(dossier, name="Pôle des Deux Rives", **complete), "save_next": ""}
    )

    assert response["Location"] == step_url(dossier, "porteur")
    dossier.refresh_from_db()
    assert (dossier.name, dossier.last_edited_by) == ("Pôle des Deux Rives", dossier.owner)


def test_invalid_fields_are_reported_and_valid_ones_kept(client):
    dossier = DossierFactory(name="Ancien nom")
    client.force_login(dossier.owner)

    response = client.post(step_url(dossier), pole_data(dossier, name="Nouveau nom", website="pas une adresse"))

    assert response.status_code == 200
    assert response.context["forms"][0].errors["website"] == ["Saisissez une URL valide."]
    assert 'value="pas une adresse"' in response.content.decode()  # what was typed is shown back
    dossier.refresh_from_db()
    assert dossier.name == "Nouveau nom"


def test_autosave_answers_json_with_the_new_fingerprint(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.post(
        step_url(dossier), pole_data(dossier, summary="Brouillon en cours"), headers={"X-Requested-With": "fetch"}
    )

    payload = response.json()
    dossier.refresh_from_db()
    assert (payload["status"], payload["errors"]) == ("saved", {})
    assert payload["fingerprint"] == services.step_fingerprint(dossier, get_step("pole"))
    assert dossier.summary == "Brouillon en cours"


def test_two_tabs_second_save_is_refused_and_shows_both_texts(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)
    tab_1 = pole_data(dossier, summary="Texte de l'onglet 1")
    tab_2 = pole_data(dossier, summary="Texte de l'onglet 2")

    client.post(step_url(dossier), tab_1)
    response = client.post(step_url(dossier), tab_2)

    content = html.unescape(response.content.decode())
    assert response.status_code == 409
    assert "Quelqu'un a modifié cette étape entre-temps" in content
    assert "Texte de l'onglet 1" in content and "Texte de l'onglet 2" in content
    dossier.refresh_from_db()
    assert dossier.summary == "Texte de l'onglet 1"


def test_two_coeditors_autosaving_the_same_step_conflict(client):
    dossier = DossierFactory()
    coeditor = UserFactory()
    DossierInvitation.objects.create(dossier=dossier, email=coeditor.email, invited_by=dossier.owner)
    stale = pole_data(dossier, summary="Version du co-éditeur")
    client.force_login(dossier.owner)
    client.post(step_url(dossier), pole_data(dossier, summary="Version du titulaire"))
    client.force_login(coeditor)

    response = client.post(step_url(dossier), stale, headers={"X-Requested-With": "fetch"})

    assert response.status_code == 409
    assert response.json()["status"] == "conflict"
    dossier.refresh_from_db()
    assert dossier.summary == "Version du titulaire"


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("123", "Le SIRET doit comporter 14 chiffres (vous en avez saisi 3)."),
        ("12345678901234", "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas."),
    ],
)
def test_member_with_a_wrong_siret_gets_a_french_message(client, siret, message):
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.post(
        reverse("applications:member_create", kwargs={"reference": dossier.reference}),
        {"siret": siret, "name": "Menuiserie", "category": "enterprise", "role": "member"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["siret"][0].startswith(message)
    assert MemberStructure.objects.count() == 0


def test_member_listed_twice_is_refused(client):
    dossier = DossierFactory()
    MemberFactory(dossier=dossier, name="Menuiserie", siret=siret_from(7))
    client.force_login(dossier.owner)

    response = client.post(
        reverse("applications:member_create", kwargs={"reference": dossier.reference}),
        {"siret": siret_from(7), "name": "Menuiserie bis", "category": "enterprise", "role": "member"},
    )

    assert response.context["form"].errors["siret"] == [
        "Cette structure figure déjà parmi les membres du pôle (Menuiserie)."
    ]


def test_member_is_added_with_its_commune(client, referential):
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    client.post(
        reverse("applications:member_create", kwargs={"reference": dossier.reference}),
        {
            "siret": siret_from(9),
            "name": "Métropole de Lyon",
            "category": "collectivite",
            "role": "member",
            "commune": "69123",
        },
    )

    member = MemberStructure.objects.get()
    assert (member.name, member.commune.name, member.siret) == ("Métropole de Lyon", "Lyon", siret_from(9))


def test_owner_invites_a_coeditor_who_then_sees_the_dossier(client, django_capture_on_commit_callbacks):
    dossier = DossierFactory(name="Pôle des Deux Rives")
    client.force_login(dossier.owner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("applications:coeditors", kwargs={"reference": dossier.reference}),
            {"email": "Partenaire@Example.fr"},
        )

    assert mail.outbox[0].to == ["partenaire@example.fr"]
    assert "Pôle des Deux Rives" in mail.outbox[0].body
    client.force_login(UserFactory(email="partenaire@example.fr"))
    assert client.get(dossier.get_absolute_url()).status_code == 200


def test_forced_submit_after_the_deadline_is_refused_with_a_message(client, referential):
    phase = PhaseFactory(
        opens_at=timezone.now() - datetime.timedelta(days=9), closes_at=timezone.now() - datetime.timedelta(seconds=5)
    )
    dossier = DossierFactory(phase=phase, complete=True)
    client.force_login(dossier.owner)

    summary = client.get(reverse("applications:summary", kwargs={"reference": dossier.reference}))
    response = client.post(reverse("applications:submit", kwargs={"reference": dossier.reference}), follow=True)

    assert "Déposer le dossier</button>" not in summary.content.decode()
    assert "La date limite de dépôt est passée" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_submit_from_the_summary_page(client, referential, django_capture_on_commit_callbacks):
    dossier = DossierFactory(complete=True)
    client.force_login(dossier.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applications:submit", kwargs={"reference": dossier.reference}), follow=True)

    content = response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert "Votre dossier est déposé le" in content
    assert "Déposé le" in content


def test_withdraw_needs_confirmation(client):
    dossier = DossierFactory()
    withdraw = reverse("applications:withdraw", kwargs={"reference": dossier.reference})
    client.force_login(dossier.owner)

    unconfirmed = client.post(withdraw, {"comment": "Projet abandonné"})
    confirmed = client.post(withdraw, {"comment": "Projet abandonné", "confirm": "on"})

    assert unconfirmed.context["form"].errors["confirm"] == ["Cochez la case pour confirmer le retrait."]
    assert confirmed["Location"] == dossier.get_absolute_url()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWN
    assert dossier.transitions.get().comment == "Projet abandonné"


def test_dossier_page_shows_the_history_with_actors(client, referential, django_capture_on_commit_callbacks):
    dossier = DossierFactory(complete=True)
    client.force_login(dossier.owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:submit", kwargs={"reference": dossier.reference}))

    content = client.get(dossier.get_absolute_url()).content.decode()

    assert "Création du brouillon" in content
    assert f"— {dossier.owner.get_full_name()}" in content
    assert "Accusé de réception" in content


@pytest.mark.parametrize("count", [1, 3])
def test_dossier_list_query_count_does_not_grow(client, django_assert_num_queries, count):
    owner = UserFactory()
    for _ in range(count):
        dossier = DossierFactory(owner=owner)
        MemberFactory(dossier=dossier)
    client.force_login(owner)

    with django_assert_num_queries(6):  # session, user, dossiers, open phases, closing phases, unread messages
        client.get(reverse("site:dashboard"))


@pytest.mark.parametrize("count", [1, 3])
def test_dossier_page_query_count_does_not_grow(client, django_assert_num_queries, count):
    dossier = DossierFactory(submitted=True)
    for _ in range(count):
        MemberFactory(dossier=dossier)
        AttachmentFactory(dossier=dossier)
    client.force_login(dossier.owner)

    # 15 with the phase 2 its owner may file beside it (a phase-1 dossier in the running: none is open here).
    with django_assert_num_queries(15):
        client.get(dossier.get_absolute_url())


def test_summary_marks_in_the_menu_the_steps_left_to_complete(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.get(reverse("applications:summary", kwargs={"reference": dossier.reference}))

    assert "membres" in response.context["incomplete_steps"]
    assert "à compléter" in response.content.decode()
