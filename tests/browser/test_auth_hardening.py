import pytest

from tests.accounts.factories import PASSWORD, UserFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_lockout_page_is_french_dsfr_and_accessible(page, settings):
    settings.AXES_ENABLED = True
    user = UserFactory()
    for _ in range(5):
        log_in(page, user.email, "mauvais-mot-de-passe")
    assert page.get_by_role("heading", name="Connexion temporairement bloquée").is_visible()
    assert "Réessayez dans 15 minutes." in page.content()
    screenshot(page, "auth-lockout")
    assert_accessible(page)
    log_in(page, user.email, PASSWORD)
    assert page.get_by_role("heading", name="Connexion temporairement bloquée").is_visible()


def test_the_profile_offers_to_log_out_everywhere(page):
    user = UserFactory()
    log_in(page, user.email, PASSWORD)
    page.goto("/compte/mon-compte/")
    screenshot(page, "auth-profile-sessions")
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter partout").click()
    assert page.get_by_role("heading", name="Se connecter", exact=True).is_visible()
    page.goto("/compte/mon-compte/")
    assert "/compte/connexion/" in page.url
