"""Login lockout (django-axes, switched on here only) and the throttling of password reset, sign-up and resend."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from ptce_ami.accounts.models import User
from ptce_ami.core.models import AuditAction, AuditEntry, AuditOutcome
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Connexion temporairement bloquée"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _axes_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


def log_in(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one_until_the_cool_off():
    user = UserFactory()
    client = Client()
    with freeze_time(START) as frozen:
        for _ in range(4):
            response = log_in(client, user.email, "mauvais-mot-de-passe")
            assert response.status_code == 200
            assert "Adresse électronique ou mot de passe incorrect." in response.content.decode()
        response = log_in(client, user.email, "mauvais-mot-de-passe")
        assert response.status_code == 429
        page = response.content.decode()
        assert LOCKED in page
        assert "Réessayez dans 15 minutes." in page
        assert reverse("accounts:password_reset") in page

        frozen.tick(datetime.timedelta(minutes=14))
        response = log_in(client, user.email, PASSWORD)
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        assert not logged_in(client)

        frozen.tick(datetime.timedelta(minutes=2))
        response = log_in(client, user.email, PASSWORD)
        assert response.status_code == 302
        assert logged_in(client)


def test_a_lockout_is_written_to_the_audit_log():
    user = UserFactory()
    client = Client()
    for _ in range(5):
        log_in(client, user.email, "mauvais-mot-de-passe")

    lockouts = AuditEntry.objects.filter(action=AuditAction.LOCKOUT)
    assert [(entry.actor_label, entry.outcome) for entry in lockouts] == [(user.email, AuditOutcome.FAILURE)]
    assert lockouts.get().ip == "127.0.0.1"
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5


def test_the_lock_is_per_address_and_ip():
    user, other = UserFactory(), UserFactory()
    for _ in range(5):
        log_in(Client(), user.email, "mauvais-mot-de-passe")
    assert log_in(Client(), user.email, PASSWORD).status_code == 429
    # Another account from the same IP, and the same account from another IP, still log in.
    assert log_in(Client(), other.email, PASSWORD).status_code == 302
    assert log_in(Client(REMOTE_ADDR="10.1.2.3"), user.email, PASSWORD).status_code == 302


def test_the_address_case_does_not_escape_the_lock():
    user = UserFactory()
    for index in range(5):
        log_in(Client(), user.email.upper() if index % 2 else user.email, "mauvais-mot-de-passe")
    assert log_in(Client(), f" {user.email.title()}", PASSWORD).status_code == 429


def test_a_success_resets_the_failures():
    user = UserFactory()
    for _ in range(4):
        log_in(Client(), user.email, "mauvais-mot-de-passe")
    assert log_in(Client(), user.email, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    for _ in range(4):
        log_in(Client(), user.email, "mauvais-mot-de-passe")
    assert log_in(Client(), user.email, PASSWORD).status_code == 302


# Password reset, sign-up and resend: AUTH_FORM_THROTTLE_LIMIT POSTs per hour, per IP and per address ------------


def post_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_password_reset_is_throttled_per_address_with_a_french_message_next_to_the_field(settings):
    settings.AUTH_FORM_THROTTLE_LIMIT = 3
    user = UserFactory()
    with freeze_time(START):
        for index in range(3):
            assert post_reset(Client(REMOTE_ADDR=f"10.0.0.{index}"), user.email).status_code == 302
        response = post_reset(Client(REMOTE_ADDR="10.0.0.9"), user.email)
        assert response.status_code == 429
        assert response.context["form"].errors["email"] == [
            "Trop de demandes ont été envoyées depuis votre connexion ou pour cette adresse. "
            "Réessayez dans 60 minutes."
        ]
        # In the error summary and under the field.
        assert response.content.decode().count("Trop de demandes ont été envoyées") == 2
        # Another address from a fresh IP is not concerned; an hour later the address may ask again.
        assert post_reset(Client(REMOTE_ADDR="10.0.1.1"), "autre@example.fr").status_code == 302


def test_password_reset_is_throttled_per_ip(settings):
    settings.AUTH_FORM_THROTTLE_LIMIT = 3
    client = Client()
    for index in range(3):
        assert post_reset(client, f"personne{index}@example.fr").status_code == 302
    assert post_reset(client, "encore@example.fr").status_code == 429


def test_the_counter_ends_with_its_window(settings):
    settings.AUTH_FORM_THROTTLE_LIMIT = 1
    settings.AUTH_FORM_THROTTLE_WINDOW = 1
    client = Client()
    assert post_reset(client, "a@example.fr").status_code == 302
    assert post_reset(client, "a@example.fr").status_code == 429
    with freeze_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=5)):
        assert post_reset(client, "a@example.fr").status_code == 302


def test_sign_up_is_throttled_and_creates_nothing_more(settings):
    settings.AUTH_FORM_THROTTLE_LIMIT = 2
    client = Client()
    data = {
        "first_name": "Marie",
        "last_name": "Curie",
        "password1": "cooperation-territoriale-2026",
        "password2": "cooperation-territoriale-2026",
    }
    for index in range(2):
        response = client.post(reverse("accounts:signup"), {**data, "email": f"marie{index}@example.fr"})
        assert response.status_code == 302
        client.cookies.clear()
    response = client.post(reverse("accounts:signup"), {**data, "email": "marie9@example.fr"})
    assert response.status_code == 429
    assert "Réessayez dans 60 minutes." in response.context["form"].errors["email"][0]
    assert User.objects.count() == 2


def test_resend_confirmation_is_throttled(settings):
    settings.AUTH_FORM_THROTTLE_LIMIT = 1
    client = Client()
    url = reverse("accounts:resend_confirmation")
    assert client.post(url, {"email": "a@example.fr"}).status_code == 302
    response = client.post(url, {"email": "a@example.fr"})
    assert response.status_code == 429
    assert "Trop de demandes" in response.context["form"].errors["email"][0]


@pytest.mark.parametrize("name", ["accounts:signup", "accounts:resend_confirmation"])
def test_an_empty_post_over_the_limit_is_throttled_not_a_server_error(settings, name):
    # An empty POST once left the form unbound, and adding the throttling message to it raised (a 500): the role ×
    # URL matrix of tests/security found it.
    settings.AUTH_FORM_THROTTLE_LIMIT = 1
    client = Client()
    url = reverse(name)
    first = client.post(url, {})
    assert first.status_code == 200
    assert first.context["form"].errors["email"]  # the empty form says what is missing
    response = client.post(url, {})
    assert response.status_code == 429
    assert "Trop de demandes" in response.context["form"].errors["email"][-1]
