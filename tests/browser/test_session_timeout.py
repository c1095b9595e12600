"""RGAA 13.1 in the browser: before the session ends for inactivity, a DSFR dialog offers to stay signed in; after
the end, it offers to sign in again. The limits are shortened so that each test lasts seconds."""

import time

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WARNING_TITLE = "Votre session va bientôt prendre fin"
ACCOUNT_LINK = ".fr-header__tools a[href='/compte/mon-compte/']"
FOCUS_ON_ACCOUNT_LINK = f"() => document.activeElement === document.querySelector({ACCOUNT_LINK!r})"
FOCUS_INSIDE = "() => document.getElementById('session-timeout').contains(document.activeElement)"


def session_key(page):
    return next(c["value"] for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME)


def stored_expiry(page):
    return Session.objects.get(session_key=session_key(page)).expire_date


def test_the_dialog_warns_before_the_end_and_stay_signed_in_renews(page, settings):
    # A porteur's session lasts 200 seconds here; the warning comes 196 seconds before: 4 seconds after the page.
    settings.SESSION_COOKIE_AGE = 200
    settings.SESSION_WARNING_SECONDS = 196
    log_in(page, UserFactory().email, PASSWORD)
    page.goto("/compte/mon-compte/")
    page.locator(ACCOUNT_LINK).focus()
    dialog = page.get_by_role("dialog", name=WARNING_TITLE)
    assert not dialog.is_visible()

    dialog.wait_for(state="visible", timeout=10_000)
    assert dialog.get_attribute("aria-modal") == "true"
    assert page.evaluate(FOCUS_INSIDE)
    countdown = dialog.locator("[data-session-countdown]")
    assert countdown.get_attribute("aria-live") == "polite"
    assert countdown.inner_text() == "Votre session va prendre fin dans 4 minutes faute d’activité."
    assert dialog.get_by_text("Ce que vous avez saisi sans l’enregistrer serait perdu.").is_visible()
    page.wait_for_timeout(500)  # DSFR's opening transition
    screenshot(page, "session-timeout-warning")
    assert_accessible(page)

    before = stored_expiry(page)
    dialog.get_by_role("button", name="Rester connecté").click()
    dialog.wait_for(state="hidden")
    after = stored_expiry(page)
    assert after > before  # the server pushed the deadline back
    assert page.evaluate(FOCUS_ON_ACCOUNT_LINK)

    # The timer starts again from the new deadline: the warning comes back 4 seconds later; Escape closes it and
    # focus returns where it was.
    dialog.wait_for(state="visible", timeout=10_000)
    assert page.evaluate(FOCUS_INSIDE)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert page.evaluate(FOCUS_ON_ACCOUNT_LINK)


def test_after_the_end_the_dialog_offers_to_sign_in_again(page, settings):
    # 15 seconds, the warning 12 seconds before the end: room for a slow login on a busy machine.
    settings.SESSION_COOKIE_AGE = 15
    settings.SESSION_WARNING_SECONDS = 12
    log_in(page, UserFactory().email, PASSWORD)
    page.goto("/compte/mon-compte/")
    session = Session.objects.get(session_key=session_key(page))
    page.get_by_role("dialog", name=WARNING_TITLE).wait_for(state="visible", timeout=10_000)
    assert (
        page.locator("[data-session-countdown]").inner_text()
        == "Votre session va prendre fin dans moins d’une minute faute d’activité."
    )

    ended = page.get_by_role("dialog", name="Votre session a pris fin")
    ended.wait_for(state="visible", timeout=20_000)
    assert page.locator("[data-session-countdown]").inner_text() == "Votre session a pris fin faute d’activité."
    link = ended.get_by_role("link", name="Se reconnecter")
    assert link.get_attribute("href") == "/compte/connexion/?next=/compte/mon-compte/"
    assert not ended.get_by_role("button", name="Rester connecté").is_visible()
    page.wait_for_timeout(500)
    screenshot(page, "session-timeout-ended")
    assert_accessible(page)
    # The dialog's clock and the server's may differ by a second or so (the script rounds, a busy machine is slow):
    # the link is followed once the server's session has ended too, else the login page would send a still signed-in
    # user straight back to the page (CI saw that once).
    deadline = time.monotonic() + 10
    while Session.objects.get(pk=session.pk).expire_date > timezone.now() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert Session.objects.get(pk=session.pk).expire_date <= timezone.now(), "the session outlived the dialog's end"
    with page.expect_navigation(timeout=30_000):
        link.click()
    assert page.url.endswith("/compte/connexion/?next=/compte/mon-compte/"), page.url
    assert page.get_by_role("heading", name="Se connecter", exact=True).is_visible()


def test_a_keepalive_in_another_tab_withdraws_the_warning(page, settings):
    settings.SESSION_COOKIE_AGE = 200
    settings.SESSION_WARNING_SECONDS = 196
    log_in(page, UserFactory().email, PASSWORD)
    page.goto("/compte/mon-compte/")
    other = page.context.new_page()
    other.goto("/compte/mon-compte/")
    dialog = page.get_by_role("dialog", name=WARNING_TITLE)
    dialog.wait_for(state="visible", timeout=10_000)
    other.get_by_role("dialog", name=WARNING_TITLE).wait_for(state="visible", timeout=10_000)

    other.get_by_role("dialog", name=WARNING_TITLE).get_by_role("button", name="Rester connecté").click()

    dialog.wait_for(state="hidden", timeout=5_000)
