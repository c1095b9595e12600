"""The legal pages, the accessibility declaration and its plan, the sign-up notice, and the "Je donne mon avis" link on
a submitted dossier: no axe-core violation at 1280 px and at 375 px, in light and dark themes."""

import os
from pathlib import Path

import pytest

from applications.enums import DossierState
from applications.models import Dossier
from ptce_ami.site.data import rgaa
from tests.accounts.factories import PASSWORD
from tests.applications.factories import DossierFactory
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(os.environ.get("LEGAL_SHOTS", "/tmp/shots-legal"))
# name: (path, <h1>, <title> before the service's name)
PAGES = {
    "legal-notice": ("/mentions-legales/", "Mentions légales", "Mentions légales"),
    "personal-data": ("/donnees-personnelles/", "Données personnelles", "Données personnelles"),
    "cookies": ("/cookies/", "Gestion des cookies", "Gestion des cookies"),
    "accessibility": ("/accessibilite/", "Déclaration d'accessibilité", "Déclaration d'accessibilité"),
    "accessibility-plan": (
        "/accessibilite/schema-pluriannuel/",
        "Schéma pluriannuel de mise en accessibilité 2027-2029",
        "Schéma pluriannuel de mise en accessibilité",
    ),
    "signup": ("/compte/inscription/", "Créer un compte porteur de projet", "Créer un compte"),
}


def audit(page, name, width):
    """axe in the light then the dark theme; a full-page screenshot of each."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.evaluate("scheme => document.documentElement.setAttribute('data-fr-theme', scheme)", scheme)
        assert_accessible(page)
        page.screenshot(path=str(SHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 375])
def test_legal_pages_have_no_axe_violation(page, width):
    page.set_viewport_size({"width": width, "height": 900})
    for name, (path, heading, title) in PAGES.items():
        page.goto(path)
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert page.title() == f"{title} — AMI PTCE"
        if width == 1280:
            assert page.locator("footer").get_by_role("link", name="Gestion des cookies").count() == 1
            assert (
                page.locator("footer").get_by_role("link", name=f"Accessibilité : {rgaa.conformity_level()}").count()
                == 1
            )
        audit(page, name, width)


@pytest.mark.parametrize("width", [1280, 375])
def test_submitted_dossier_offers_the_opinion_form(page, settings, width):
    settings.JE_DONNE_MON_AVIS_URL = "https://voxusagers.numerique.gouv.fr/Demarches/0000?key=test"
    dossier = DossierFactory(name="Pôle des Avis")
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.SUBMITTED)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, dossier.owner.email, PASSWORD)

    page.goto(dossier.get_absolute_url())

    link = page.get_by_role("link", name="Je donne mon avis")
    assert link.get_attribute("href") == settings.JE_DONNE_MON_AVIS_URL
    link.focus()
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Je donne mon avis"
    audit(page, "dossier-opinion", width)


SAMPLE = [
    "/",
    "/appel/",
    "/compte/inscription/",
    "/compte/connexion/",
    "/plan-du-site/",
    *(p for p, _, _ in PAGES.values()),
]

# The DSFR draws some focus rings on a pseudo-element (enlarged links such as the Marianne block).
FOCUS_STATE = """() => {
  const element = document.activeElement;
  const ring = style =>
    style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 || style.boxShadow !== 'none';
  return {
    tag: element.tagName,
    text: (element.textContent || '').trim().slice(0, 30),
    inFooter: !!element.closest('footer'),
    visible: [null, '::before', '::after'].some(pseudo => ring(getComputedStyle(element, pseudo))),
  };
}"""


def test_rgaa_hand_checks_on_the_sample_keyboard_focus_reflow_and_zoom(page):
    """The checks docs/rgaa-audit.md calls manual, scripted: the keyboard reaches the footer with a visible focus at
    every stop (10.7, 12.8, 12.9), the page has a title and a language (8.3, 8.5), nothing scrolls sideways at 320 px
    (10.11) nor at 200 % zoom (10.4: a 1280 px window zoomed twice lays out as 640 px)."""
    checked = 0
    for path in SAMPLE:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(path)
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.title().endswith("— AMI PTCE") or page.title().startswith("AMI PTCE")
        stops = []
        for _ in range(120):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STATE)
            if state["tag"] == "BODY":
                break
            stops.append(state)
            if state["inFooter"] and state["text"] != "":
                break
        assert stops and stops[-1]["inFooter"], f"the keyboard does not reach the footer on {path}"
        assert all(stop["visible"] for stop in stops), f"a focus without outline on {path}: {stops}"
        for width in (320, 640):
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px"
        checked += 1
    assert checked == len(SAMPLE)
