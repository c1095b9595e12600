"""ProConnect in Chromium (issue 13 part 4): the agent clicks the button on the login page, identifies on the
OpenID provider's page (a real provider on 127.0.0.1, see tests/accounts/proconnect_provider.py), comes back logged
in, and the logout ends the provider's session too. Under the site's enforced CSP (form-action 'self').

Screenshots: /tmp/shots-oidc/ (and var/screenshots/ like the other browser tests).
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.accounts.factories import UserFactory
from tests.accounts.proconnect_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("/tmp/shots-oidc")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    screenshot(page, f"proconnect-{name}")


@pytest.fixture
def provider(settings, monkeypatch):
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with running_provider() as running:
        settings.PROCONNECT_ISSUER = running.url
        settings.PROCONNECT_CLIENT_ID = CLIENT_ID
        settings.PROCONNECT_CLIENT_SECRET = CLIENT_SECRET
        yield running


@pytest.fixture
def local_only(page):
    """The provider's page asks for a stylesheet on a CDN: nothing leaves the machine."""
    page.route(
        "**/*",
        lambda route: (
            route.continue_() if urlsplit(route.request.url).hostname in ("localhost", "127.0.0.1") else route.abort()
        ),
    )
    return page


def identify_on_provider(page, provider, email):
    page.get_by_role("link", name="S’identifier avec ProConnect").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize*")
    assert page.get_by_role("heading", name="Authorize Client").is_visible()
    page.get_by_placeholder("sub").fill(email)


def test_an_agent_logs_in_with_proconnect_and_logs_out_of_both(local_only, provider):
    page = local_only
    UserFactory(instructeur=True, email="marie.agent@finances.gouv.fr", first_name="Marie", last_name="Agent")
    provider.set_user("marie.agent@finances.gouv.fr", amr=["pwd", "mfa"])

    page.goto("/compte/connexion/")
    assert page.get_by_role("heading", name="Agents, évaluateurs et partenaires").is_visible()
    assert page.get_by_role("link", name="Qu’est-ce que ProConnect ?").is_visible()
    shot(page, "1-login-page-with-button")
    assert_accessible(page)

    identify_on_provider(page, provider, "marie.agent@finances.gouv.fr")
    shot(page, "2-provider-page")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url("**/espace/")
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    assert "Marie" in page.locator("header").inner_text()
    shot(page, "3-back-logged-in")

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{provider.url}/oauth2/end_session*")  # our page sent the browser on, despite the CSP
    assert page.get_by_role("heading", name="End Session").is_visible()
    shot(page, "4-provider-end-session")
    page.get_by_role("button", name="End session").click()

    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    assert "Vous êtes déconnecté de la plateforme et de ProConnect." in page.content()
    assert page.get_by_role("link", name="Se connecter").first.is_visible()
    shot(page, "5-logged-out-of-both")


def test_an_unknown_agent_is_refused_with_a_french_message(local_only, provider):
    page = local_only
    provider.set_user("inconnu@interieur.gouv.fr")

    page.goto("/compte/connexion/")
    identify_on_provider(page, provider, "inconnu@interieur.gouv.fr")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url("**/compte/connexion/")
    alert = page.locator(".fr-alert--error")
    assert "Aucun compte de la plateforme n'est associé à l'adresse inconnu@interieur.gouv.fr" in alert.inner_text()
    shot(page, "6-refused-unknown-user")
    assert_accessible(page)
