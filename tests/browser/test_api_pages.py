"""The API's pages in Chromium: a partner creates a token on their account (the secret shown once), calls the API
with it, sees the call on the page and revokes the token; the documentation page, open to anyone. axe-core checks
each page; the screenshots are in var/screenshots/api-*.png."""

import re

import pytest

from ptce_ami.accounts.models import ApiToken
from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_partner_creates_uses_and_revokes_a_token(page):
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    partner = UserFactory(partenaire=True, regions=[region], email="cress-ara@example.fr")
    log_in(page, partner.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))

    page.goto("/compte/mon-compte/")
    page.get_by_role("link", name="Mes jetons d'accès à l'API").click()
    assert_accessible(page)
    screenshot(page, "api-tokens-empty")
    page.get_by_label("Nom du jeton").fill("Tableau de suivi CRESS")
    page.locator("label", has_text="365 jours").click()
    page.get_by_role("button", name="Créer le jeton").click()

    secret = page.get_by_label("Votre jeton").input_value()
    assert secret.startswith("ptce_")
    assert_accessible(page)
    screenshot(page, "api-tokens-created")

    answer = page.request.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["results"] == []
    page.goto("/compte/api/")
    assert secret not in page.content()
    assert page.locator("main").get_by_text("GET /api/v1/dossiers").count() == 1
    page.get_by_role("button", name="Révoquer Tableau de suivi CRESS").click()
    page.wait_for_url(re.compile(r"/compte/api/$"))
    assert page.get_by_text("Révoqué", exact=True).count() == 1
    assert_accessible(page)
    screenshot(page, "api-tokens-revoked")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, "api-tokens-mobile")
    assert ApiToken.objects.get().revoked_at is not None
    refused = page.request.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401


def test_the_documentation_page_is_accessible_to_anyone(page):
    page.goto("/api/")

    assert page.get_by_role("heading", level=1).inner_text() == "API de l'AMI PTCE : documentation"
    assert page.get_by_role("heading", name="Dossiers", exact=True).count() == 1
    assert_accessible(page)
    screenshot(page, "api-documentation")
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than a phone
    assert_accessible(page)
    screenshot(page, "api-documentation-mobile")
