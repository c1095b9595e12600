"""Hostile and odd input on the porteur's pages and the correction request (issue 9, item 5): each refused value
gets its French message next to its field in the page; French numbers are read; control characters and bidi
overrides never reach the database."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from applications.enums import DossierState
from applications.models import CorrectionRequest, Message
from applications.services import dossiers as services
from applications.services.steps import get_step
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.core.html_dom import field_error_messages, parse

pytestmark = pytest.mark.django_db

TODAY = "2026-12-14"
DATE_RANGE = "Saisissez une date comprise entre le 1er janvier 1900 et le 14 décembre 2026."
NOT_NEGATIVE = "Assurez-vous que cette valeur est supérieure ou égale à 0."


def step_url(dossier, step):
    return reverse("applications:step", kwargs={"reference": dossier.reference, "step": step})


def saved_without_error(response):
    """The step was saved: sent on (302), or kept on screen only to list what submitting still needs (no error)."""
    if response.status_code == 302:
        return True
    return response.status_code == 200 and not any(form.errors for form in response.context["forms"])


def post_step(client, dossier, step, **data):
    client.force_login(dossier.owner)
    dossier.refresh_from_db()  # the fingerprint of the row as stored ("1.50", not "1.5")
    fingerprint = services.step_fingerprint(dossier, get_step(step))
    return client.post(step_url(dossier, step), {"fingerprint": fingerprint, **data})


# Numbers ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "saved"), [("0,5", Decimal("0.50")), ("1.25", Decimal("1.25")), ("2", Decimal(2))])
def test_the_animation_fte_is_read_the_french_way(client, typed, saved):
    dossier = DossierFactory()

    response = post_step(client, dossier, "porteur", animation_fte=typed)

    assert saved_without_error(response)
    dossier.refresh_from_db()
    assert dossier.animation_fte == saved


def test_the_animation_fte_is_shown_the_french_way_in_a_text_input(client):
    dossier = DossierFactory(animation_fte=Decimal("0.5"))
    client.force_login(dossier.owner)

    control = parse(client.get(step_url(dossier, "porteur")).content.decode()).find(name="animation_fte")

    assert (control.attrs["type"], control.attrs["inputmode"], control.attrs["value"]) == ("text", "decimal", "0,50")


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("animation_fte", "-1", NOT_NEGATIVE),
        ("animation_fte", "-0,5", NOT_NEGATIVE),
        ("animation_fte", "150", "Assurez-vous que cette valeur est inférieure ou égale à 100."),
        ("animation_fte", "beaucoup", "Saisissez un nombre."),
    ],
)
def test_a_nonsense_animation_fte_is_refused_next_to_the_field(client, field, typed, message):
    dossier = DossierFactory(animation_fte=Decimal("1.5"))

    response = post_step(client, dossier, "porteur", **{field: typed})

    assert response.status_code == 200
    assert field_error_messages(response.content.decode(), field) == [message]
    dossier.refresh_from_db()
    assert dossier.animation_fte == Decimal("1.5")


@pytest.mark.parametrize(
    ("typed", "saved", "message"),
    [
        ("1 200", 1200, None),
        ("12", 12, None),
        ("-3", None, NOT_NEGATIVE),
        ("1000000", None, "Assurez-vous que cette valeur est inférieure ou égale à 100000."),
    ],
)
def test_the_expected_jobs_are_bounded(client, typed, saved, message):
    dossier = DossierFactory()

    response = post_step(client, dossier, "projet", jobs_expected=typed)

    dossier.refresh_from_db()
    assert dossier.jobs_expected == saved
    if message:
        assert field_error_messages(response.content.decode(), "jobs_expected") == [message]


# Dates --------------------------------------------------------------------------------------------------------


@freeze_time(TODAY)
@pytest.mark.parametrize("typed", ["1000-01-01", "9999-12-31", "1899-12-31", "2026-12-15"])
def test_an_implausible_start_of_the_cooperation_is_refused_next_to_the_field(client, typed):
    dossier = DossierFactory(started_on=datetime.date(2019, 5, 1))

    response = post_step(client, dossier, "pole", name=dossier.name, started_on=typed)

    assert response.status_code == 200
    assert field_error_messages(response.content.decode(), "started_on") == [DATE_RANGE]
    dossier.refresh_from_db()
    assert dossier.started_on == datetime.date(2019, 5, 1)


@freeze_time(TODAY)
@pytest.mark.parametrize("typed", ["1900-01-01", "2026-12-14", "14/06/2014"])
def test_a_plausible_start_of_the_cooperation_is_saved(client, typed):
    dossier = DossierFactory()

    response = post_step(client, dossier, "pole", name=dossier.name, started_on=typed)

    assert saved_without_error(response)
    dossier.refresh_from_db()
    assert dossier.started_on is not None


@freeze_time(TODAY)
def test_a_correction_deadline_years_away_is_refused_next_to_the_field(client):
    dossier = DossierFactory(submitted=True, state=DossierState.SUBMITTED)
    client.force_login(UserFactory(instructeur=True))
    url = reverse("applications:request_corrections", kwargs={"reference": dossier.reference})

    response = client.post(url, {"reason": "Les statuts.", "sections": ["pieces"], "due_at": "9999-12-31T12:00"})

    assert response.status_code == 200
    assert field_error_messages(response.content.decode(), "due_at") == [
        "Saisissez une date comprise entre le 1er janvier 1900 et le 14 décembre 2031."
    ]
    assert not CorrectionRequest.objects.exists()


# Text ---------------------------------------------------------------------------------------------------------


def test_control_characters_and_bidi_overrides_never_reach_a_dossier(client):
    dossier = DossierFactory()

    response = post_step(
        client,
        dossier,
        "pole",
        name="Pôle\x01 des\x1b Rives\x7f",
        summary="Ligne 1\x0bLigne 2 \u202eTXT.exe\u202c 👩\u200d👩\u200d👧",
    )

    assert saved_without_error(response)
    dossier.refresh_from_db()
    assert (dossier.name, dossier.summary) == ("Pôle des Rives", "Ligne 1\nLigne 2 TXT.exe 👩\u200d👩\u200d👧")


def test_the_autosave_cleans_the_same_way(client):
    dossier = DossierFactory()
    client.force_login(dossier.owner)
    fingerprint = services.step_fingerprint(dossier, get_step("porteur"))

    response = client.post(
        step_url(dossier, "porteur"),
        {"fingerprint": fingerprint, "contact_name": "Ana\u2066ïs\u2069\x00", "animation_fte": "0,5"},
        headers={"X-Requested-With": "fetch"},
    )

    assert (response.json()["status"], response.json()["errors"]) == ("saved", {})
    dossier.refresh_from_db()
    assert (dossier.contact_name, dossier.animation_fte) == ("Anaïs", Decimal("0.50"))


def test_a_message_body_is_cleaned_like_every_text(client):
    dossier = DossierFactory(submitted=True, state=DossierState.SUBMITTED)
    client.force_login(dossier.owner)

    response = client.post(
        reverse("applications:message_post", kwargs={"reference": dossier.reference}),
        {"message-body": "Bonjour\x07,\r\nvoici \u202ele fichier\x1b[0m."},
    )

    assert response.status_code == 302
    assert Message.objects.get().body == "Bonjour,\r\nvoici le fichier[0m."


def test_a_message_of_control_characters_only_is_refused_as_empty(client):
    dossier = DossierFactory(submitted=True, state=DossierState.SUBMITTED)
    client.force_login(dossier.owner)

    response = client.post(
        reverse("applications:message_post", kwargs={"reference": dossier.reference}),
        {"message-body": "\x01\x02\u202e \x7f"},
    )

    assert field_error_messages(response.content.decode(), "message-body") == [
        "Écrivez votre message avant de l'envoyer."
    ]
    assert not Message.objects.exists()


# The admin checks the same bounds (they are on the model fields) ------------------------------------------------


@freeze_time(TODAY)
def test_the_admin_refuses_an_implausible_phase(client):
    client.force_login(UserFactory(instructeur=True))
    phase = {
        "edition": EditionFactory().pk,
        "kind": "phase1",
        "wave": "0",
        "opens_at_0": "2026-06-01",
        "opens_at_1": "09:00:00",
        "closes_at_0": "9999-12-31",
        "closes_at_1": "12:00:00",
        "max_grant": "-100000",
        "min_grant": "-200000",
        "envelope": "-5",
        "max_laureates": "",
        "grant_years": "99",
        "description": "",
        **{f"{prefix}-TOTAL_FORMS": "0" for prefix in ("payment_stages", "report_requirements")},
        **{f"{prefix}-INITIAL_FORMS": "0" for prefix in ("payment_stages", "report_requirements")},
    }

    response = client.post(reverse("admin:applications_phase_add"), phase)

    assert response.context["adminform"].form.errors == {
        "wave": ["Assurez-vous que cette valeur est supérieure ou égale à 1."],
        "closes_at": ["Saisissez une date comprise entre le 1er janvier 1900 et le 14 décembre 2031."],
        "max_grant": ["Assurez-vous que cette valeur est supérieure ou égale à 0."],
        "min_grant": ["Assurez-vous que cette valeur est supérieure ou égale à 0."],
        "envelope": ["Assurez-vous que cette valeur est supérieure ou égale à 0."],
        "grant_years": ["Assurez-vous que cette valeur est inférieure ou égale à 10."],
    }


@freeze_time(TODAY)
def test_a_correction_deadline_typed_as_the_help_text_says_is_read(client):
    # Where the browser has no date picker, the field is a text input and its help text asks for jj/mm/aaaa hh:mm.
    dossier = DossierFactory(submitted=True, state=DossierState.SUBMITTED)
    client.force_login(UserFactory(instructeur=True))
    url = reverse("applications:request_corrections", kwargs={"reference": dossier.reference})

    response = client.post(url, {"reason": "Les statuts.", "sections": ["pieces"], "due_at": "08/01/2027 16:30"})

    assert response.status_code == 302
    assert CorrectionRequest.objects.get().due_at.isoformat() == "2027-01-08T15:30:00+00:00"


# Found by the fuzz suite (tests/fuzz) -----------------------------------------------------------------------------


def test_a_tampered_budget_row_count_with_add_a_line_is_refused_not_a_server_error(client):
    dossier = DossierFactory(phase=PhaseFactory(phase2=True))
    client.force_login(dossier.owner)
    data = {
        "charges-TOTAL_FORMS": ["abc", "../../etc/passwd"],
        "charges-INITIAL_FORMS": "0",
        "resources-TOTAL_FORMS": "0",
        "resources-INITIAL_FORMS": "0",
        "add_charges": "",
    }

    response = client.post(reverse("applications:budget", kwargs={"reference": dossier.reference}), data)

    assert response.status_code == 200
    assert "Le budget n’est pas enregistré" in response.content.decode().replace("&#x27;", "’").replace("'", "’")
    assert not dossier.budget_lines.exists()


@pytest.mark.parametrize("next_value", ["12", "accueil", "applications:dossier_list", "//evil.example/"])
def test_a_message_with_a_next_that_is_no_path_goes_back_to_the_dossier_not_a_server_error(client, next_value):
    dossier = DossierFactory(submitted=True)
    client.force_login(dossier.owner)

    response = client.post(
        reverse("applications:message_post", kwargs={"reference": dossier.reference}),
        {"message-body": "Bonjour, une question sur le budget.", "next": next_value},
    )

    assert response.status_code == 302
    assert response["Location"] == dossier.get_absolute_url() + "#messages"
    assert Message.objects.filter(dossier=dossier).count() == 1


@pytest.mark.parametrize("siret", ["", "\u2028\u2029"])
def test_a_siret_lookup_without_a_siret_says_so_at_the_field(client, siret):
    # Found by the fuzz suite (tests/fuzz): the page came back unchanged, without a word.
    dossier = DossierFactory()
    client.force_login(dossier.owner)

    response = client.post(
        reverse("applications:member_create", kwargs={"reference": dossier.reference}),
        {"siret": siret, "name": "", "lookup": ""},
    )

    assert response.status_code == 200
    assert field_error_messages(response.content.decode(), "siret") == ["Saisissez le SIRET à rechercher."]
    assert not dossier.members.exists()
