"""The server-drawn charts in Chromium: named images, their tables behind « Voir les données », the CSV, axe-core."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.browser.chart_urls"),
]


def test_charts_page_is_accessible_and_shows_its_numbers(page):
    page.goto("/essai-graphiques/")

    expect(page.get_by_role("img", name="Dossiers par secteur : 4 valeurs", exact=False)).to_be_visible()
    expect(page.get_by_role("img", name="Entonnoir des dossiers", exact=False)).to_be_visible()
    expect(page.get_by_text("Aucune donnée à représenter pour l’instant.")).to_be_visible()
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert_accessible(page)
    screenshot(page, "charts-closed")

    page.get_by_text("Voir les données").first.click()
    table = page.get_by_role("table", name="Dossiers par secteur")
    expect(table.get_by_role("rowheader", name="<script>alert(1)</script>")).to_be_visible()
    expect(table.get_by_role("cell", name="14", exact=True)).to_be_visible()
    for details in page.locator("details").all():
        details.evaluate("element => element.open = true")
    assert_accessible(page)
    screenshot(page, "charts-open")

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les données (CSV) : Dossiers par secteur").click()
    content = download.value.path().read_bytes().decode("utf-8")
    assert content.startswith("\ufeffSecteur;Dossiers\r\n")
    assert "Culture;0" in content
