"""The server-drawn maps in Chromium: France by region with its insets and links, a region by département, their
legends and tables, the CSV, axe-core, at a desktop and a phone's width."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot
from tests.territories.cog_regions import create_regions_and_departements

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.browser.maps_urls"),
]


@pytest.fixture
def referential():
    create_regions_and_departements()


def test_maps_page_is_accessible_and_colours_the_right_areas(page, referential):
    page.goto("/essai-cartes/")

    france = page.get_by_role("group", name="Dossiers par région : 18 valeurs", exact=False)
    expect(france).to_be_visible()
    expect(
        page.get_by_role("img", name="Dossiers par département en Auvergne-Rhône-Alpes", exact=False)
    ).to_be_visible()
    # The darkest step on the region and the département with the most dossiers, grey where there are none.
    assert page.locator('path[data-code="84"]').first.evaluate("p => p.style.fill") == "rgb(0, 0, 95)"
    assert page.locator('path[data-code="69"]').evaluate("p => p.style.fill") == "rgb(0, 0, 95)"
    assert page.locator('path[data-code="28"]').evaluate("p => p.style.fill") == "rgb(238, 238, 238)"
    assert page.locator('path[data-code="15"]').evaluate("p => p.style.fill") == "rgb(238, 238, 238)"
    # The regions' map draws the 18 regions, the départements' map the 12 of Auvergne-Rhône-Alpes.
    assert page.locator("figure").nth(0).locator("path").count() == 18
    assert page.locator("figure").nth(1).locator("path").count() == 12

    expect(page.get_by_role("link", name="Guadeloupe : 2 dossiers")).to_be_visible()
    link = page.get_by_role("link", name="Auvergne-Rhône-Alpes : 42 dossiers")
    expect(link).to_have_attribute("href", "/essai-cartes/region/84/")
    page.keyboard.press("Tab")
    for _ in range(40):
        if page.evaluate("document.activeElement.getAttribute('href')") == "/essai-cartes/region/84/":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/essai-cartes/region/84/"
    assert_accessible(page)
    screenshot(page, "maps-1280")

    page.get_by_text("Voir les données").first.click()
    table = page.get_by_role("table", name="Dossiers par région")
    expect(table.get_by_role("rowheader", name="Île-de-France")).to_be_visible()
    expect(table.get_by_role("row", name="Île-de-France 30")).to_be_visible()
    for details in page.locator("details").all():
        details.evaluate("element => element.open = true")
    assert_accessible(page)

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, "maps-375")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les données (CSV) : Dossiers par région").click()
    content = download.value.path().read_bytes().decode("utf-8")
    assert content.startswith("\ufeffRégion;Dossiers\r\n")
    assert "Auvergne-Rhône-Alpes;42\r\n" in content and "Corse;1\r\n" in content and "Normandie;0\r\n" in content


def test_maps_work_without_javascript(chromium, live_server, referential):
    context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/essai-cartes/")
    # The tables are in the page, behind « Voir les données » (a <details>, which needs no script).
    expect(page.locator("table caption").nth(1)).to_have_text("Dossiers par département en Auvergne-Rhône-Alpes")
    page.get_by_text("Voir les données").nth(1).click()
    expect(page.get_by_role("row", name="Rhône 15")).to_be_visible()
    assert page.locator("svg path").count() == 30
    context.close()
