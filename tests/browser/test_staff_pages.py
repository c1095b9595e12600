"""Staff and reviewer pages in Chromium (issue 9): the declaration of interests, the confirmation before a review
is submitted, and the staff lists at 1280 px and 375 px. Every page is checked with axe-core and photographed.
"""

import re

import pytest

from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.applications.factories import PhaseFactory, siret_from
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews.factories import DeclarationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


def test_the_declaration_says_once_what_is_required(page):
    phase = PhaseFactory()
    reviewer = UserFactory(evaluateur=True, email="experte@example.fr")
    RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    RegionFactory(code="53", name="Bretagne")
    DeclarationFactory(reviewer=reviewer, edition=phase.edition, sirets=[siret_from(42), siret_from(43)])
    log_in_as(page, reviewer)

    page.goto("/instruction/affectations/declaration/")
    screenshot(page, "staff-declaration")

    main = page.locator("main")
    assert main.get_by_text("tous les champs sont obligatoires").count() == 0
    assert main.get_by_text("le nom et le SIRET sont obligatoires").count() == 1
    assert main.locator("fieldset legend", has_text=re.compile(r"Organisation \d")).count() == 5
    assert main.get_by_text("Supprimer", exact=True).count() == 2  # the saved rows only
    assert_accessible(page)
