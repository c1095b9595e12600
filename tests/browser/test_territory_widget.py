"""The territory combobox in Chromium: keyboard, tags, hidden inputs, live region, axe-core."""

import pytest
from playwright.sync_api import expect

from territories.loader import load_referential
from tests.browser.conftest import assert_accessible
from tests.territories import cog_mini

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.urls("tests.browser.territory_urls"),
]


@pytest.fixture
def page(page):
    load_referential(cog_mini.FIXTURE)
    page.goto("/essai-territoire/")
    return page


def test_combobox_chooses_places_with_the_keyboard_and_submits_their_ids(page):
    combobox = page.get_by_role("combobox", name="Territoire du pôle")
    combobox.press_sequentially("lyo")
    page.get_by_role("option", name="Lyon (69)").wait_for()

    assert combobox.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("status").text_content() == "6 résultats"
    combobox.press("ArrowDown")
    assert combobox.get_attribute("aria-activedescendant") == "id_territory-listbox-0"
    combobox.press("Enter")

    assert page.get_by_role("button", name="Retirer Lyon (69)").is_visible()
    assert combobox.get_attribute("aria-expanded") == "false"
    assert combobox.input_value() == ""
    combobox.press_sequentially("isere")
    page.get_by_role("option", name="Isère (38)").click()
    page.get_by_role("button", name="Envoyer").click()

    expect(page.locator("#cleaned")).to_have_text("commune:69123 departement:38")
    expect(page.get_by_role("button", name="Retirer Isère (38)")).to_be_visible()  # shown again after the round trip


def test_combobox_removes_a_tag_and_closes_on_escape(page):
    combobox = page.get_by_role("combobox")
    combobox.press_sequentially("saint etienne")
    page.get_by_role("option", name="Saint-Étienne (42)").click()
    page.get_by_role("button", name="Retirer Saint-Étienne (42)").click()

    assert page.locator("input[type=hidden][value='commune:42218']").count() == 0
    assert page.get_by_role("status").text_content() == "Saint-Étienne (42) retiré"
    combobox.press_sequentially("lyon")
    page.get_by_role("option", name="Lyon (69)").wait_for()
    combobox.press("Escape")
    assert page.get_by_role("listbox").is_hidden()


def test_combobox_page_has_no_axe_violation(page):
    page.get_by_role("combobox").press_sequentially("lyo")
    page.get_by_role("option", name="Lyon (69)").wait_for()

    assert_accessible(page)
