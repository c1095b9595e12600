"""RGAA 10.12 (WCAG 1.4.12): with the text spacing a user may impose (line height 1.5, paragraphs spaced 2 em,
letters 0.12 em, words 0.16 em, on every element, !important), no text of the sample pages is cut or lost at 1280 px:
no element that clips its overflow holds text wider or taller than its box, and the page does not scroll sideways."""

import pytest

from applications.enums import DossierState
from applications.models import Dossier
from applications.services.steps import PHASE1_STEPS
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import DossierFactory, add_complete_parts
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_legal_pages import SAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STEP_PATHS = {"membres": "membres/", "pieces": "pieces/"}
SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# The elements that clip text: overflow hidden or clip on an axis where the content is larger than the box. The
# DSFR's visually hidden texts (fr-sr-only: a 1 px box on purpose, read by screen readers) are not shown text, nor
# are the texts an element already hid before the overrides (the labels of icon-only links: marked "before").
CUT_TEXT = """before => {
  const cut = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (element.closest('.fr-sr-only, [hidden], template, script, style, svg')) continue;
    const style = getComputedStyle(element);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const clipsX = ['hidden', 'clip'].includes(style.overflowX);
    const clipsY = ['hidden', 'clip'].includes(style.overflowY);
    if (!clipsX && !clipsY) continue;
    if (!(element.innerText || '').trim()) continue;
    const overX = clipsX && element.scrollWidth - element.clientWidth > 1;
    const overY = clipsY && element.scrollHeight - element.clientHeight > 1;
    if (before) {
      if (overX || overY) element.dataset.cutBefore = '1';
      continue;
    }
    if ((overX || overY) && !element.dataset.cutBefore) {
      cut.push({
        element: element.tagName.toLowerCase() + '.' + String(element.className).trim().split(/\\s+/).join('.'),
        text: element.innerText.trim().slice(0, 60),
        width: [element.clientWidth, element.scrollWidth],
        height: [element.clientHeight, element.scrollHeight],
      });
    }
  }
  return cut;
}"""


# The elements past the right edge of the page, deepest first: where a sideways scroll comes from.
PAST_THE_EDGE = """() => Array.from(document.body.querySelectorAll('*'))
  .filter(element => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(element => !Array.from(element.children).some(child =>
    child.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
  .slice(0, 5)
  .map(element => element.tagName.toLowerCase() + '.' + String(element.className).trim().split(/\\s+/).join('.'))"""


def check(page, path, failures):
    page.goto(path)
    page.evaluate(CUT_TEXT, True)
    page.add_style_tag(content=SPACING)
    page.wait_for_timeout(100)
    assert page.evaluate("getComputedStyle(document.body).letterSpacing") != "normal"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:
        failures.append((path, f"scrolls sideways by {overflow} px", page.evaluate(PAST_THE_EDGE)))
    failures.extend((path, cut) for cut in page.evaluate(CUT_TEXT, False))


def test_the_sample_keeps_its_text_with_the_users_text_spacing(page, referential, record_property):
    dossier = DossierFactory(name="Pôle des Espacements")
    add_complete_parts(dossier)
    page.set_viewport_size({"width": 1280, "height": 900})
    failures, checked = [], []
    for path in SAMPLE:
        check(page, path, failures)
        checked.append(path)

    log_in(page, dossier.owner.email, PASSWORD)
    page.goto(dossier.get_absolute_url())
    prefix = dossier.get_absolute_url()
    steps = sorted(
        {
            href
            for href in page.locator(f'main a[href^="{prefix}"]').evaluate_all("links => links.map(a => a.pathname)")
            if "telecharger" not in href and href != prefix
        }
    )
    assert any("/etapes/" in href for href in steps), steps
    steps += [f"{prefix}{STEP_PATHS.get(step.slug, f'etapes/{step.slug}/')}" for step in PHASE1_STEPS]
    for path in ["/espace/", prefix, *steps, f"{prefix}recapitulatif/", "/laureats/"]:
        check(page, path, failures)
        checked.append(path)
    screenshot(page, "text-spacing-laureates")

    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SUBMITTED)
    page.context.clear_cookies()
    log_in(page, UserFactory(instructeur=True).email, PASSWORD)
    for path in ["/instruction/", f"/instruction/dossiers/{dossier.reference}/", "/tableau-de-bord/national/"]:
        check(page, path, failures)
        checked.append(path)
    screenshot(page, "text-spacing-national-dashboard")

    record_property("count:pages checked with the text spacing", len(set(checked)))
    print("pages checked for text spacing:", len(set(checked)), sorted(set(checked)))
    assert len(set(checked)) >= 25
    assert not failures, "\n".join(map(str, failures))
