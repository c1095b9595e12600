"""The porteur's whole submission with the keyboard only, in Chromium (issue 14, "Keyboard and assistive use").

After the first page is opened, the test moves only with page.keyboard: Tab, Shift+Tab, Enter, Space, the arrows
and typing. No click, no fill, no goto. Every Tab must land on an element that shows a focus ring, and every
element the journey needs must be reached by Tab (tab_to fails otherwise: the element is out of the tab order, or
the focus is trapped before it). The DSFR dialogs keep the focus inside while open and give it back on Escape.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from applications.models import Dossier
from territories.loader import load_referential
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import PDF_BYTES, DossierFactory, PhaseFactory, siret_from
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# What the focused element shows: its own outline (the DSFR's focus ring), or, for the radios and checkboxes the
# DSFR hides behind their label, the outline the label draws around its ::before box; for a link that the DSFR
# enlarges to its block (fr-enlarge-link), the block's outline.
FOCUS_RING = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return "";
  const ring = (style) => style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  if (ring(getComputedStyle(element))) return "outline";
  // A link the DSFR enlarges to its block (fr-enlarge-link) draws the ring on its ::before, as wide as the block.
  if (element.closest(".fr-enlarge-link") && ring(getComputedStyle(element, "::before"))) return "block outline";
  for (const label of element.labels || []) {
    for (const pseudo of [null, "::before", "::after"]) {
      if (ring(getComputedStyle(label, pseudo))) return "label outline";
    }
  }
  return "";
}"""
DESCRIBE_FOCUS = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  return [element.outerHTML.slice(0, 160), style.outlineStyle, style.outlineWidth].join(" | ");
}"""


@pytest.fixture
def phase():
    load_referential(cog_mini.FIXTURE)
    return PhaseFactory()


def has_focus(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, max_presses=60, backwards=False):
    """Press Tab (or Shift+Tab) until ``locator`` has the focus; fail if it never does. After every press, the
    element that has the focus must show a focus ring."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_presses):
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_RING), f"no visible focus ring on {page.evaluate(DESCRIBE_FOCUS)}"
        if has_focus(locator):
            return
    pytest.fail(f"{locator} never got the focus after {max_presses} × {key}; last: {page.evaluate(DESCRIBE_FOCUS)}")


def press_and_wait(page, key="Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)


def to_content(page):
    """A new page: the first Tab reaches the skip link "Contenu", Enter puts the focus on <main>. After a redirect
    the address keeps its #content (a browser carries the fragment over): the focus starts in <main> already."""
    if page.url.endswith("#content"):
        return
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Contenu"
    page.keyboard.press("Enter")
    assert has_focus(page.locator("main"))


def type_into(page, selector, text):
    field = page.locator(selector)
    tab_to(page, field)
    page.keyboard.type(text)
    assert field.input_value() == text


def tick(page, selector):
    """A checkbox, or the first radio of a group: Tab to it, Space."""
    box = page.locator(selector)
    tab_to(page, box)
    page.keyboard.press("Space")
    assert box.is_checked()


def choose_radio(page, name, index):
    """A group of radios: Tab enters it on its first radio (none is chosen yet), ArrowDown moves and chooses."""
    tab_to(page, page.locator(f"#id_{name}_0"))
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    assert page.locator(f"#id_{name}_{index}").is_checked()
    assert has_focus(page.locator(f"#id_{name}_{index}"))


def choose_suggestion(page, combobox_name, typed, option):
    """The territory combobox: type, go down the suggestions with the arrows, Enter chooses."""
    combobox = page.get_by_role("combobox", name=re.compile(combobox_name))
    if not has_focus(combobox):  # after a choice, the focus stays in the combobox for the next one
        tab_to(page, combobox)
    page.keyboard.type(typed)
    label = page.locator(".territory-autocomplete__label", has_text=re.compile(f"^{re.escape(option)}$"))
    wanted = page.get_by_role("option").filter(has=label)
    wanted.wait_for()
    for _ in range(10):
        page.keyboard.press("ArrowDown")
        if combobox.get_attribute("aria-activedescendant") == wanted.get_attribute("id"):
            break
    else:
        pytest.fail(f"the arrows never reached the suggestion {option}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Retirer {option}")).to_be_visible()
    assert has_focus(combobox)


def save_step(page, next_title):
    tab_to(page, page.get_by_role("button", name="Enregistrer et continuer"))
    press_and_wait(page)
    assert page.locator(".fr-stepper__title").inner_text().startswith(next_title)
    to_content(page)


def follow_link(page, name):
    tab_to(page, page.get_by_role("link", name=name, exact=True))
    press_and_wait(page)
    to_content(page)


def add_member(page, siret, name, commune, category):
    follow_link(page, "Ajouter une structure")
    type_into(page, "#id_siret", siret)
    type_into(page, "#id_name", name)
    choose_suggestion(page, "^Commune", commune[:4], f"{commune} (69)")
    choose_radio(page, "category", category)
    tick(page, "#id_role_0")
    tab_to(page, page.get_by_role("button", name="Enregistrer la structure"))
    press_and_wait(page)
    assert page.get_by_role("row", name=re.compile(name)).count() == 1
    to_content(page)


def upload(page, label, filename):
    kind = page.get_by_label("Type de pièce")
    tab_to(page, kind)
    page.keyboard.type(label)  # a closed <select> chooses the option whose label starts with what is typed
    assert kind.evaluate("select => select.selectedOptions[0].textContent.trim()").startswith(label)
    file_input = page.locator("input[type=file]")
    # Chromium opens the chooser for a trusted key press only once the page has finished loading (a press during
    # the load of the page after the previous upload was lost once in two runs): wait for it, as a person would.
    page.wait_for_load_state("load")
    # Chromium still drops the press now and then (once in 4 CI runs, on a quiet machine, the focus on the input):
    # a person would press again. Three presses, each from a fresh Tab onto the input, all of the keyboard's.
    for attempt in range(3):
        tab_to(page, file_input)
        try:
            with page.expect_file_chooser(timeout=5_000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
            page.keyboard.press("Shift+Tab")
    chooser.value.set_files({"name": filename, "mimeType": "application/pdf", "buffer": PDF_BYTES})
    tab_to(page, page.get_by_role("button", name="Ajouter la pièce"))
    press_and_wait(page)
    assert page.get_by_text(f"Pièce ajoutée : {filename}").count() == 1
    to_content(page)


def test_a_porteur_files_a_whole_dossier_with_the_keyboard_only(page, phase):
    user = UserFactory(email="clavier@example.fr", first_name="Ada", last_name="Lovelace")
    page.goto("/compte/connexion/")  # the only navigation that is not the keyboard's

    assert has_focus(page.locator("#id_username"))  # the login form's autofocus
    page.keyboard.type(user.email)
    type_into(page, "#id_password", PASSWORD)
    press_and_wait(page)  # Enter in the password field sends the form
    to_content(page)
    tab_to(page, page.get_by_role("button", name=re.compile("^Créer un dossier")))
    press_and_wait(page)
    assert page.locator(".fr-stepper__title").inner_text().startswith("Le pôle")
    to_content(page)

    # 1. The pole; Shift+Tab goes back to a field already typed, its text intact.
    type_into(page, "#id_name", "Pôle des Rives du Rhône")
    type_into(page, "#id_summary", "Une filière de réemploi entre Lyon et Villeurbanne.")
    choose_radio(page, "stage", 1)
    tick(page, "#id_sectors_0")
    tab_to(page, page.locator("#id_name"), backwards=True)
    assert page.locator("#id_name").input_value() == "Pôle des Rives du Rhône"
    save_step(page, "La structure porteuse")

    # 2. The lead structure, with the territory combobox.
    type_into(page, "#id_lead-name", "Association Coop des Rives")
    type_into(page, "#id_lead-siret", siret_from(101))
    choose_suggestion(page, "Commune du siège", "Lyo", "Lyon (69)")
    tick(page, "#id_lead-category_0")
    tick(page, "#id_lead-ess_legal_form_0")
    type_into(page, "#id_representative_name", "Ada Lovelace")
    save_step(page, "Les membres du pôle")

    # 3. The members, each on its form.
    add_member(page, siret_from(102), "Menuiserie Lyonnaise SAS", "Villeurbanne", 1)
    add_member(page, siret_from(103), "Métropole de Lyon", "Lyon", 2)
    follow_link(page, "Continuer")

    # 4 to 7. The territory (two places from the combobox) and the texts.
    choose_suggestion(page, "Territoire du pôle", "Lyo", "Lyon (69)")
    choose_suggestion(page, "Territoire du pôle", "Villeur", "Villeurbanne (69)")
    choose_radio(page, "territory_type", 2)
    save_step(page, "Stratégie et gouvernance")
    for field in ("shared_strategy", "governance", "collectivites_link"):
        type_into(page, f"#id_{field}", f"Notre {field.replace('_', ' ')} : un texte précis.")
    save_step(page, "Innovation, modèle économique et impact")
    for field in ("innovation", "economic_model", "expected_impact"):
        type_into(page, f"#id_{field}", f"Notre {field.replace('_', ' ')} : des faits.")
    save_step(page, "Besoins d'accompagnement")
    tick(page, "#id_bouquet_needs_0")
    save_step(page, "Les pièces jointes")

    # 8. The attachments, each file from the file chooser the keyboard opens.
    upload(page, "Statuts de la structure porteuse", "statuts.pdf")
    upload(page, "Attestation sur l'honneur", "attestation.pdf")
    follow_link(page, "Continuer")

    # 9. The commitments.
    tick(page, "#id_charter_adherence")
    tick(page, "#id_certify_accurate")
    tab_to(page, page.get_by_role("button", name="Enregistrer et continuer"))
    press_and_wait(page)
    assert page.get_by_role("heading", name="Le dossier est complet").count() == 1
    to_content(page)

    # The submission's confirmation dialog: it takes the focus, Escape closes it and gives the focus back.
    opener = page.get_by_role("button", name="Déposer le dossier")
    dialog = page.get_by_role("dialog", name=re.compile("^Déposer le dossier"))
    tab_to(page, opener)
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    assert dialog.evaluate("dialog => dialog.contains(document.activeElement)")
    screenshot(page, "keyboard-submit-dialog")
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert has_focus(opener)
    assert Dossier.objects.get().state == "draft"

    page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    confirm = dialog.get_by_role("button", name="Confirmer le dépôt")
    tab_to(page, confirm, max_presses=10)
    # The dialog keeps the focus: Tab from its last button comes back to its first.
    for _ in range(6):
        page.keyboard.press("Tab")
        assert dialog.evaluate("dialog => dialog.contains(document.activeElement)")
    tab_to(page, confirm, max_presses=10)
    with page.expect_navigation(url=re.compile(r"/dossiers/PTCE-[^/]+/$"), timeout=60_000):
        page.keyboard.press("Enter")

    assert page.locator("main p", has_text=re.compile(r"Déposé le .* \(heure de Paris\)\.")).count() == 1
    dossier = Dossier.objects.get()
    assert dossier.state == "submitted"
    assert dossier.members.count() == 3
    assert dossier.attachments.count() == 2
    assert [m.to for m in mail.outbox][-1] == [user.email]

    # Nothing traps the focus on a normal page: Tab goes all the way to the footer, and the display settings'
    # dialog opened from there gives the focus back on Escape.
    settings_button = page.get_by_role("button", name="Paramètres d'affichage")
    tab_to(page, settings_button, max_presses=120)
    assert settings_button.evaluate("button => button.closest('footer') !== null")
    page.keyboard.press("Enter")
    theme_dialog = page.locator("#fr-theme-modal")
    expect(theme_dialog).to_be_visible()
    assert theme_dialog.evaluate("dialog => dialog.contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(theme_dialog).to_be_hidden()
    assert has_focus(settings_button)


def test_a_form_with_errors_announces_them_in_a_summary_that_takes_the_focus(page, phase):
    dossier = DossierFactory(phase=phase)
    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(f"/dossiers/{dossier.reference}/membres/ajouter/")
    page.get_by_role("button", name="Enregistrer la structure").click()
    page.wait_for_load_state()

    heading = page.get_by_role("heading", name=re.compile("^Le formulaire contient"))
    summary = page.get_by_role("alert").filter(has=heading)
    expect(summary).to_be_focused()
    assert page.title().startswith("Erreur : ")
    screenshot(page, "keyboard-error-summary-focused")
    assert_accessible(page)
    links = summary.get_by_role("link")
    targets = [link.get_attribute("href") for link in links.all()]
    assert len(targets) >= 2 and all(target.startswith("#id_") for target in targets)
    for target in targets:
        assert page.locator(target).count() == 1, f"the summary links to {target}, which is not in the page"

    # Following a link from the keyboard puts the focus in its field.
    tab_to(page, links.first, max_presses=3)
    page.keyboard.press("Enter")
    expect(page.locator(targets[0])).to_be_focused()
    tab_to(page, links.nth(1), max_presses=60, backwards=True)
    page.keyboard.press("Enter")
    expect(page.locator(targets[1])).to_be_focused()
