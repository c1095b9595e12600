"""The instruction list in Chromium: choosing its columns (kept after a reload, with or without JavaScript), the
tabs on top, and following a dossier to find it in "Suivis par moi". Checked with axe-core and photographed."""

import re

import pytest
from django.utils import timezone

from applications.enums import DossierState
from applications.models import Label
from reviews.models import DossierScore, ListPreference
from tests.accounts.factories import PASSWORD, RegionFactory, UserFactory
from tests.applications.factories import DossierFactory, MemberFactory, PhaseFactory
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in, screenshot
from tests.reviews.factories import RegionalOpinionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAMES = [
    "Pôle territorial de coopération économique du Pays de Saint-Flour et de la Margeride",
    "Coopérative des Monts du Lyonnais",
    "Pôle Réemploi des Pentes de la Croix-Rousse",
]


@pytest.fixture
def listed():
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    phase = PhaseFactory()
    instructeur = UserFactory(instructeur=True, email="agent@tresor.example.fr")
    partner = UserFactory(partenaire=True, email="cress@example.fr", regions=[region])
    label = Label.objects.create(name="Territoire rural", colour=Label.Colour.GREEN)
    dossiers = []
    for number in range(6):
        dossier = DossierFactory(
            phase=phase,
            region=region,
            name=NAMES[number % len(NAMES)],
            state=DossierState.ELIGIBLE if number % 2 else DossierState.IN_REVIEW,
            submitted_at=timezone.now(),
        )
        dossier.labels.add(label)
        DossierScore.objects.create(dossier=dossier, value=55 + number, review_count=2)
        for _ in range(number + 1):
            MemberFactory(dossier=dossier)
        if number % 2:
            RegionalOpinionFactory(dossier=dossier, region=region, rank=number, author=partner)
        dossiers.append(dossier)
    return {"instructeur": instructeur, "partner": partner, "dossiers": dossiers}


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


def headers(page):
    """The column headers' visible text (without the sort links' words for screen readers, nor the arrows)."""
    texts = page.locator("main thead th").all_inner_texts()
    return [" ".join(text.split("—")[0].replace("▲", "").replace("▼", "").split()) for text in texts]


def test_choose_columns_save_and_find_them_after_a_reload(page, listed):
    log_in_as(page, listed["instructeur"])
    page.goto("/instruction/")
    assert headers(page)[1:] == [
        "Référence",
        "Pôle",
        "Région",
        "État",
        "Déposé le",
        "Note",
        "Messages non lus",
        "Étiquettes",
    ]

    page.get_by_text("Choisir les colonnes").click()
    chooser = page.locator("#colonnes")
    expect_open = chooser.get_attribute("open")
    assert expect_open is not None
    screenshot(page, "staff-list-columns-chooser-1280")
    chooser.screenshot(path=SCREENSHOTS / "staff-list-columns-chooser-1280-detail.png")
    assert_accessible(page)
    for label in ("Messages non lus", "Étiquettes", "Déposé le"):
        chooser.locator("label", has_text=label).click()
    for label in ("Nombre de membres", "Avis régional", "Phase"):
        chooser.locator("label", has_text=label).click()
    chooser.get_by_role("button", name="Enregistrer").click()

    page.wait_for_selector("text=Vos colonnes sont enregistrées.")
    expected = ["Référence", "Pôle", "Région", "État", "Phase", "Note", "Avis régional", "Nombre de membres"]
    assert headers(page)[1:] == expected
    page.reload()
    assert headers(page)[1:] == expected
    assert ListPreference.objects.get(user=listed["instructeur"]).columns == [
        "name",
        "region",
        "state",
        "phase",
        "score",
        "regional_opinion",
        "member_count",
    ]
    # Sorting still works on a chosen column.
    page.get_by_role("link", name=re.compile("^Nombre de membres")).click()
    page.wait_for_url(re.compile(r"o=member_count"))
    counts = [int(text) for text in page.locator("main tbody tr td:last-child").all_inner_texts()]
    assert counts == sorted(counts)
    screenshot(page, "staff-list-columns-chosen-1280")
    assert_accessible(page)

    page.get_by_text("Choisir les colonnes").click()
    page.locator("#colonnes").get_by_role("button", name="Rétablir les colonnes par défaut").click()
    page.wait_for_selector("text=La liste affiche de nouveau les colonnes par défaut.")
    assert headers(page)[1] == "Référence"
    assert "Messages non lus" in headers(page)
    assert "o=member_count" in page.url  # the list the user was looking at


def test_the_chooser_works_without_javascript(chromium, live_server, listed):
    context = chromium.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, "agent@tresor.example.fr", PASSWORD)
    page.goto("/instruction/")

    page.get_by_text("Choisir les colonnes").click()
    chooser = page.locator("#colonnes")
    chooser.locator("label", has_text="Secteurs").click()
    chooser.get_by_role("button", name="Enregistrer").click()

    assert "Secteurs" in headers(page)
    context.close()


def test_follow_a_dossier_and_find_it_in_the_followed_tab(page, listed):
    followed = listed["dossiers"][2]
    log_in_as(page, listed["partner"])
    page.goto("/instruction/")
    tabs = page.locator("main nav.ptce-list-tabs")
    assert tabs.locator("[aria-current=page]").inner_text().split() == ["Tous", "6"]
    assert " ".join(tabs.locator("a", has_text="Suivis par moi").inner_text().split()) == "Suivis par moi 0"

    page.goto(f"/instruction/dossiers/{followed.reference}/")
    page.get_by_role("button", name="Suivre ce dossier").click()
    page.wait_for_selector(f"text=Vous suivez le dossier {followed.reference}.")
    screenshot(page, "staff-dossier-followed-1280")
    assert page.get_by_role("button", name="Ne plus suivre ce dossier").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Instruction des dossiers").first.click()
    page.locator("main nav.ptce-list-tabs a", has_text="Suivis par moi").click()
    page.wait_for_url(re.compile(r"followed=1"))
    assert page.locator("main tbody tr").count() == 1
    assert page.locator("main tbody tr a").first.inner_text() == followed.reference
    assert " ".join(tabs.locator("[aria-current=page]").inner_text().split()) == "Suivis par moi 1"
    screenshot(page, "staff-list-followed-tab-1280")
    assert_accessible(page)


def test_staff_pages_use_a_wide_screen(page, listed):
    log_in_as(page, listed["instructeur"])
    page.set_viewport_size({"width": 1920, "height": 1080})
    dossier = listed["dossiers"][0]
    for name, url in (("list", "/instruction/"), ("dossier", f"/instruction/dossiers/{dossier.reference}/")):
        page.goto(url)
        screenshot(page, f"staff-{name}-1920")
        box = page.locator("main > div").first.bounding_box()
        # The content spans the window but for the side padding (the DSFR's fixed container stops at 1248 px).
        assert box["width"] == 1920
        content = page.locator("main h1").first.bounding_box()
        assert content["x"] == 32
        assert page.evaluate("document.documentElement.scrollWidth") == 1920
