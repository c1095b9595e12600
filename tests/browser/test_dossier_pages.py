"""The read-only dossier pages in Chromium (issue 9): compact, summary first, sections folded, members in a table,
no axe-core violation, at 1280 px and 375 px, for the porteur, the instructeur and the reviewer."""

import re

import pytest
from django.utils import timezone

from applications.enums import DossierState
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews import grants_helpers
from tests.reviews.factories import AssignmentFactory
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# This dossier, laid out one field under the other with the browser's <dl> indent, ran to 6,908 px (porteur) and
# 7,308 px (staff) at 1280 px; compact, to ≈ 2,800 and ≈ 3,100. The reviewer's page is as long as the grid beside it.
MAX_HEIGHT_1280 = {"porteur": 3_500, "staff": 4_000}
NARRATIVE = "Une coopération ancrée dans son territoire, qui mutualise un atelier et un poste d'animation. " * 6


@pytest.fixture
def dossier():
    load_referential(cog_mini.FIXTURE)
    narratives = {
        name: NARRATIVE
        for name in ("shared_strategy", "governance", "collectivites_link", "innovation", "economic_model")
    }
    return DossierFactory(
        complete=True,
        phase=PhaseFactory(),
        name="Pôle des Deux Rives",
        state=DossierState.IN_REVIEW,
        submitted_at=timezone.now(),
        **narratives,
    )


def pages_of(dossier):
    assignment = AssignmentFactory(dossier=dossier, confirmed=True, reviewer__email="experte@example.fr")
    UserFactory(instructeur=True, email="agent@tresor.example.fr")
    return [
        ("porteur", dossier.owner.email, dossier.get_absolute_url()),
        ("staff", "agent@tresor.example.fr", f"/instruction/dossiers/{dossier.reference}/"),
        ("reviewer", "experte@example.fr", f"/instruction/evaluations/{assignment.pk}/"),
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_read_only_dossier_pages_are_compact_and_accessible(page, dossier, width):
    page.set_viewport_size({"width": width, "height": 900})
    heights = {}
    for role, email, url in pages_of(dossier):
        page.context.clear_cookies()
        log_in(page, email, PASSWORD)
        page.wait_for_url(re.compile(r"/espace/$"))
        page.goto(url)
        page.wait_for_load_state()

        summary = page.get_by_role("heading", name="En bref")
        first_section = page.get_by_role("button", name="Stratégie et gouvernance")
        assert summary.is_visible()
        assert summary.bounding_box()["y"] < first_section.bounding_box()["y"]  # the summary comes first
        assert first_section.get_attribute("aria-expanded") == "false"
        assert not page.get_by_text(NARRATIVE.strip()).first.is_visible()  # folded until asked for
        members = page.get_by_role("table", name="Les membres du pôle")
        assert members.get_by_role("row").count() == 1 + 3  # header and the three members
        heights[role] = page.evaluate("document.documentElement.scrollHeight")
        screenshot(page, f"dossier-page-{role}-{width}")
        assert_accessible(page)

        first_section.click()
        page.wait_for_timeout(400)  # the DSFR collapse animates
        assert page.get_by_text(NARRATIVE.strip()).first.is_visible()
        assert_accessible(page)

    print(f"page heights at {width} px: {heights}")
    if width == 1280:
        assert {role: heights[role] <= limit for role, limit in MAX_HEIGHT_1280.items()} == {
            "porteur": True,
            "staff": True,
        }, heights


def test_the_staff_dossier_page_at_375_px_lets_the_keyboard_scroll_every_table(page):
    """A phase-2 dossier's budget tables scroll sideways on a phone: with every section open, each scrolling table is
    a focusable region named by its caption (axe rule scrollable-region-focusable), as the members' table is."""
    load_referential(cog_mini.FIXTURE)
    dossier = grants_helpers.laureate().dossier
    UserFactory(instructeur=True, email="agent@tresor.example.fr")
    page.set_viewport_size({"width": 375, "height": 900})
    log_in(page, "agent@tresor.example.fr", PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))

    page.goto(f"/instruction/dossiers/{dossier.reference}/")
    for button in page.locator(".fr-accordion__btn").all():
        if button.get_attribute("aria-expanded") == "false":
            button.click()
    page.wait_for_timeout(400)  # the DSFR collapse animates

    scrolling = page.evaluate(
        """() => [...document.querySelectorAll('.fr-table__container')]
            .filter(element => element.scrollWidth > element.clientWidth)
            .map(element => [element.getAttribute('tabindex'), element.getAttribute('role'),
                             document.getElementById(element.getAttribute('aria-labelledby'))?.textContent.trim()])"""
    )
    screenshot(page, "dossier-page-staff-budget-375")
    assert ["0", "region", "Lignes du budget prévisionnel"] in scrolling
    assert all(tabindex == "0" and role == "region" and name for tabindex, role, name in scrolling), scrolling
    assert_accessible(page)

    budget = page.get_by_role("region", name="Lignes du budget prévisionnel")
    budget.focus()
    page.keyboard.press("ArrowRight")
    # Chromium animates keyboard scrolling: wait for the region to move rather than read it at once (a busy CI
    # machine read 0 before the animation's first frame); the wait fails after 5 s if the key does nothing.
    page.wait_for_function("element => element.scrollLeft > 0", arg=budget.element_handle(), timeout=5000)
