"""Staff and reviewer pages in Chromium (issue 9): the declaration of interests, the confirmation before a review
is submitted, and the staff lists at 1280 px and 375 px. Every page is checked with axe-core and photographed.
"""

import re

import pytest
from django.utils import timezone

from applications.enums import DossierState
from applications.models import Label
from reviews.models import DossierScore, Export, Review, ReviewStatus
from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory, siret_from
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in, screenshot
from tests.reviews.factories import AssignmentFactory, DeclarationFactory, RegionalOpinionFactory

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


# Staff lists at 1280 px and 375 px ---------------------------------------------------------------------------------

LONG_NAMES = [
    "Pôle territorial de coopération économique du Pays de Saint-Flour et de la Margeride",
    "Coopérative des Monts du Lyonnais",
    "Pôle Réemploi des Pentes de la Croix-Rousse",
]


@pytest.fixture
def lists():
    """Enough rows, long names and labels for every staff list to be as wide as in real life."""
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    phase = PhaseFactory()
    instructeur = UserFactory(instructeur=True, email="agent@tresor.example.fr")
    reviewer = UserFactory(evaluateur=True, email="expert@example.fr", first_name="Ada", last_name="Lovelace")
    partner = UserFactory(partenaire=True, email="cress@example.fr", regions=[region])
    labels = [
        Label.objects.create(name="À revoir en comité", colour=Label.Colour.ORANGE),
        Label.objects.create(name="Territoire rural", colour=Label.Colour.GREEN),
    ]
    for number in range(8):
        dossier = DossierFactory(
            phase=phase,
            region=region,
            name=LONG_NAMES[number % len(LONG_NAMES)],
            state=DossierState.ELIGIBLE if number % 2 else DossierState.IN_REVIEW,
            submitted_at=timezone.now(),
        )
        dossier.labels.set(labels)
        DossierScore.objects.create(dossier=dossier, value=62.5, spread=37.5, review_count=2, discordant=True)
        AssignmentFactory(dossier=dossier, reviewer=reviewer, confirmed=True)
        if number % 2:
            RegionalOpinionFactory(dossier=dossier, region=region, rank=number, author=partner)
    for number in range(3):
        Export.objects.create(requested_by=instructeur, format="csv", query=f"state=eligible&region={number}", total=8)
    for name in ("Grace Hopper", "Katherine Johnson"):
        first, last = name.split()
        DeclarationFactory(
            reviewer=UserFactory(evaluateur=True, first_name=first, last_name=last), edition=phase.edition
        )
    selection = "&".join(f"dossier={pk}" for pk in phase.dossiers.values_list("pk", flat=True)[:3])
    return {
        "instructeur": instructeur,
        "reviewer": reviewer,
        "partner": partner,
        "urls": {
            "reviewer": f"/instruction/affectations/evaluateurs/{reviewer.pk}/",
            "batch": f"/instruction/affectations/lot/?{selection}",
            "auto": f"/instruction/affectations/automatique/?phase={phase.pk}&per_dossier=3&cap=10",
        },
    }


STAFF_LISTS = [
    ("instruction", "instructeur", "/instruction/"),
    ("reviewers", "instructeur", "/instruction/affectations/evaluateurs/"),
    ("reviewer", "instructeur", "reviewer"),
    ("batch", "instructeur", "batch"),
    ("auto", "instructeur", "auto"),
    ("exports", "instructeur", "/instruction/exports/"),
    ("opinions", "partner", "/instruction/evaluations/avis-regionaux/"),
    ("queue", "reviewer", "/instruction/evaluations/"),
]

# For each table: is its content wider than its box, and can the keyboard reach the part that is hidden?
TABLE_FIT = r"""() => [...document.querySelectorAll('main table')].map(table => {
  const scroller = table;  // the DSFR makes the table its own scrolling box
  return {
    caption: (table.caption && table.caption.innerText) || '',
    overflows: scroller.scrollWidth > scroller.clientWidth + 1,
    focusable: scroller.tabIndex >= 0,
    right: Math.max(...[...table.querySelectorAll('thead th')].map(th => th.getBoundingClientRect().right)),
    boxRight: scroller.getBoundingClientRect().right,
    // Column headers whose longest word does not fit their width (the browser then breaks it letter by letter).
    brokenHeaders: [...table.querySelectorAll('thead th')].filter(th => {
      const probe = document.createElement('span');
      probe.style.cssText = 'position:absolute;white-space:nowrap;font:' + getComputedStyle(th).font;
      document.body.append(probe);
      const seen = th.cloneNode(true);
      seen.querySelectorAll('.fr-sr-only').forEach(hidden => hidden.remove());
      const widest = Math.max(0, ...seen.textContent.split(/\s+/).filter(Boolean).map(word => {
        probe.textContent = word;
        return probe.getBoundingClientRect().width;
      }));
      probe.remove();
      const style = getComputedStyle(th);
      return widest > th.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) + 1;
    }).map(th => th.innerText),
  };
})"""


@pytest.mark.parametrize(("name", "role", "url"), STAFF_LISTS, ids=[name for name, _role, _url in STAFF_LISTS])
def test_staff_lists_use_the_full_width_and_scroll_in_a_focusable_region_on_a_phone(page, lists, name, role, url):
    log_in_as(page, lists[role])
    url = lists["urls"].get(url, url)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    screenshot(page, f"staff-list-{name}-1280")
    page.screenshot(path=SCREENSHOTS / f"staff-list-{name}-1280-top.png")
    wide = page.evaluate(TABLE_FIT)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    screenshot(page, f"staff-list-{name}-375")
    page.locator("main table").first.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / f"staff-list-{name}-375-table.png")
    narrow = page.evaluate(TABLE_FIT)

    assert wide and all(not table["overflows"] and table["right"] <= table["boxRight"] + 1 for table in wide), wide
    assert all(table["focusable"] for table in narrow if table["overflows"]), narrow
    assert [table["brokenHeaders"] for table in narrow] == [[] for _table in narrow], narrow
    if narrow[0]["overflows"]:
        # The keyboard scrolls the table to its hidden columns.
        page.locator("main table").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('main table').scrollLeft > 0", timeout=2000)
        page.screenshot(path=SCREENSHOTS / f"staff-list-{name}-375-focused.png")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    assert_accessible(page)
