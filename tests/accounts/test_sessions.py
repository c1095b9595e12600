"""Sessions: inactivity expiry (shorter for staff and partners), a new key at login, "Se déconnecter partout"."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def log_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


def test_inactivity_limits():
    assert settings.SESSION_COOKIE_AGE == 2 * 60 * 60
    assert settings.SESSION_STAFF_COOKIE_AGE == 30 * 60


@pytest.mark.parametrize(
    ("role", "seconds"),
    [
        ("porteur", 2 * 60 * 60),
        ("evaluateur", 2 * 60 * 60),
        ("partenaire", 30 * 60),
        ("instructeur", 30 * 60),
        ("administrateur", 30 * 60),
    ],
)
def test_inactivity_limit_per_role(role, seconds):
    user = UserFactory(role=role)
    client = Client()
    response = log_in(client, user)
    assert response.status_code == 302
    # Set by the very request that logs in, then on every later one; the cookie and the stored session agree.
    assert client.session.get_expiry_age() == seconds
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == seconds
    client.get(reverse("accounts:profile"))
    assert client.session.get_expiry_age() == seconds


def test_an_expired_session_asks_to_log_in_again():
    user = UserFactory(role="instructeur")
    client = Client()
    with freeze_time("2026-03-02 09:00") as freezer:
        log_in(client, user)
        assert client.get(reverse("accounts:profile")).status_code == 200
        freezer.tick(29 * 60)
        assert client.get(reverse("accounts:profile")).status_code == 200  # activity renews the session
        freezer.tick(29 * 60)
        assert client.get(reverse("accounts:profile")).status_code == 200
        freezer.tick(31 * 60)
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_session_key_changes_at_login():
    user = UserFactory()
    client = Client()
    session = SessionStore()
    session["visited"] = True
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    anonymous_key = session.session_key

    log_in(client, user)

    assert client.session.session_key != anonymous_key
    assert not SessionStore().exists(anonymous_key)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_log_out_everywhere_ends_every_session_of_the_user_only():
    user, other = UserFactory(), UserFactory()
    laptop, phone, someone_else = Client(), Client(), Client()
    for client, person in ((laptop, user), (phone, user), (someone_else, other)):
        log_in(client, person)
        assert client.get(reverse("accounts:profile")).status_code == 200

    response = laptop.post(reverse("accounts:log_out_everywhere"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "Vous êtes déconnecté sur tous vos appareils." in response.content.decode()
    for client in (laptop, phone):
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert someone_else.get(reverse("accounts:profile")).status_code == 200
    # The account logs in again as usual, and only the new session is valid.
    assert log_in(phone, user).status_code == 302
    assert phone.get(reverse("accounts:profile")).status_code == 200


def test_log_out_everywhere_is_a_post_with_csrf():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get(reverse("accounts:log_out_everywhere")).status_code == 405
    assert client.post(reverse("accounts:log_out_everywhere")).status_code == 403
    profile = client.get(reverse("accounts:profile"))
    assert "Se déconnecter partout" in profile.content.decode()
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_log_out_everywhere_needs_a_login():
    response = Client().post(reverse("accounts:log_out_everywhere"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
