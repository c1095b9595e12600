"""The session-timeout dialog (RGAA 13.1): the page's deadline, « Rester connecté », the status the script reads."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.views import defaults
from freezegun import freeze_time

from ptce_ami.accounts.middleware import LAST_RENEWED
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

KEEPALIVE = reverse("accounts:session_keepalive")
STATUS = reverse("accounts:session_status")
PROFILE = reverse("accounts:profile")


def signed_in(role="instructeur"):
    user = UserFactory(role=role)
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    return client


def stored_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def seconds_left_on_page(client, path=PROFILE):
    html = client.get(path).content.decode()
    found = re.search(r'data-seconds-left="(\d+)"', html)
    return int(found.group(1)) if found else None


def test_the_page_tells_the_time_left_and_the_warning_delay(settings):
    settings.SESSION_WARNING_SECONDS = 90
    with freeze_time("2026-03-02 09:00"):
        client = signed_in()
        html = client.get(PROFILE).content.decode()
    assert 'data-seconds-left="1800"' in html
    assert 'data-warning-seconds="90"' in html
    assert re.search(r'<script src="/static/js/session-timeout\.[0-9a-f.]*js" defer></script>', html)
    assert f'action="{KEEPALIVE}"' in html
    assert f'href="{reverse("accounts:login")}?next=/compte/mon-compte/"' in html


def test_an_anonymous_page_has_no_dialog():
    html = Client().get(reverse("site:home")).content.decode()
    assert "session-timeout" not in html
    assert KEEPALIVE not in html


def test_the_time_left_counts_down_from_the_last_renewal():
    with freeze_time("2026-03-02 09:00") as freezer:
        client = signed_in()  # instructeur: 30 minutes
        freezer.tick(40)  # under a minute: this page does not renew the session
        assert seconds_left_on_page(client) == 30 * 60 - 40
        freezer.tick(5 * 60)  # a page after more than a minute renews it, before it is drawn
        assert seconds_left_on_page(client) == 30 * 60


def test_keepalive_renews_the_session():
    with freeze_time("2026-03-02 09:00") as freezer:
        client = signed_in(role="porteur")  # 2 hours
        before = stored_expiry(client)
        freezer.tick(20)  # under the middleware's minute: only the keep-alive renews
        response = client.post(KEEPALIVE, headers={"X-Requested-With": "fetch"})
        assert response.status_code == 204
        assert response["X-Session-Seconds-Left"] == str(2 * 60 * 60)
        assert (stored_expiry(client) - before).total_seconds() == 20
        assert client.session[LAST_RENEWED] == before.timestamp() - 2 * 60 * 60 + 20


def test_keepalive_without_script_goes_back_to_the_page():
    client = signed_in()
    response = client.post(KEEPALIVE, {"next": PROFILE})
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    response = client.post(KEEPALIVE, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("site:home")


def test_keepalive_refuses_get():
    assert signed_in().get(KEEPALIVE).status_code == 405
    assert Client().get(KEEPALIVE).status_code == 405


def test_keepalive_of_an_ended_session_asks_to_log_in():
    with freeze_time("2026-03-02 09:00") as freezer:
        client = signed_in()
        freezer.tick(31 * 60)
        response = client.post(KEEPALIVE, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_status_says_the_time_left_without_renewing():
    with freeze_time("2026-03-02 09:00") as freezer:
        client = signed_in()
        expiry = stored_expiry(client)
        freezer.tick(25 * 60)
        response = client.get(STATUS)
        assert response.json() == {"seconds_left": 5 * 60}
        assert stored_expiry(client) == expiry  # asking is not activity
        freezer.tick(4 * 60)
        assert client.get(STATUS).json() == {"seconds_left": 60}
        freezer.tick(2 * 60)
        assert client.get(STATUS).json() == {"seconds_left": 0}  # ended: the session is gone


def test_the_status_of_an_anonymous_visitor_is_zero():
    assert Client().get(STATUS).json() == {"seconds_left": 0}


def test_the_dialog_works_while_a_code_is_owed(settings):
    # An instructeur without a second factor owes its enrolment: other pages send there, the dialog's views do not
    # (the enrolment page renews the session anyway; scanning the QR code takes time).
    settings.TWO_FACTOR_REQUIRED_ROLES = ["instructeur"]
    with freeze_time("2026-03-02 09:00"):
        client = signed_in()
        assert client.get(PROFILE).status_code == 302
        assert seconds_left_on_page(client, reverse("accounts:two_factor_enrol")) == 30 * 60
        assert client.get(STATUS).json() == {"seconds_left": 30 * 60}
        assert client.post(KEEPALIVE, headers={"X-Requested-With": "fetch"}).status_code == 204


def test_a_page_without_a_session_has_no_dialog(rf):
    # Answered before the session middleware ran (a refused request): the page is drawn without the dialog.
    request = rf.get("/")
    request.user = UserFactory()
    html = defaults.permission_denied(request, PermissionDenied()).content.decode()
    assert "session-timeout" not in html
