"""The dashboards in Chromium (issue 12): a regional partner on their region's dashboard, an instructeur on the
national one and, from its map, on a region's; axe-core on each, screenshots at 1280 px."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from applications.models import Sector
from ptce_ami.core.text import normalize_search
from territories.models import Commune
from tests.accounts.factories import PASSWORD, UserFactory
from tests.applications.factories import EditionFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory
from tests.site.dashboard_data import filed, laureate
from tests.territories.cog_regions import create_regions_and_departements

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMMUNES = [  # code, name, département
    ("69123", "Lyon", "69"),
    ("42218", "Saint-Étienne", "42"),
    ("63113", "Clermont-Ferrand", "63"),
    ("38185", "Grenoble", "38"),
    ("2A004", "Ajaccio", "2A"),
    ("75056", "Paris", "75"),
    ("35238", "Rennes", "35"),
]
FULL = ("submit", "start_review", "declare_eligible")


@pytest.fixture
def call():
    """A 2026 phase 2 with dossiers in four regions, most in Auvergne-Rhône-Alpes, at every stage."""
    cache.clear()
    create_regions_and_departements()
    Commune.objects.bulk_create(
        Commune(code=code, name=name, departement_id=departement, search_name=normalize_search(name))
        for code, name, departement in COMMUNES
    )
    now = timezone.now()
    phase = PhaseFactory(
        edition=EditionFactory(year=2026),
        phase2=True,
        opens_at=now - datetime.timedelta(days=40),
        closes_at=now + datetime.timedelta(days=5),
    )
    staff = UserFactory(instructeur=True, email="agent@tresor.example.fr")
    sectors = list(Sector.objects.order_by("code")[:4])
    ara = [("69123", 5), ("42218", 3), ("63113", 2), ("38185", 1)]
    dossiers = []
    for commune, count in ara:
        for index in range(count):
            actions = FULL[: 1 + index % 3]
            dossier = filed(
                phase,
                "84",
                commune,
                staff,
                actions=actions,
                at=now - datetime.timedelta(days=35 - 3 * index - len(dossiers)),
                name=f"Pôle {commune}-{index}",
            )
            dossier.sectors.add(sectors[len(dossiers) % len(sectors)])
            dossiers.append(dossier)
    for dossier in dossiers[:4]:
        AssignmentFactory(dossier=dossier, confirmed=True)
    AssignmentFactory(dossier=dossiers[5], due_at=now - datetime.timedelta(days=2))
    eligible = [dossier for dossier in dossiers if dossier.state == "eligible"]
    RegionalOpinionFactory(dossier=eligible[0], region_id="84")
    laureate(phase, "84", "69123", staff, "80000", name="Pôle des pentes de la Croix-Rousse")
    laureate(phase, "84", "42218", staff, "60000", name="Pôle stéphanois du design")
    laureate(phase, "11", "75056", staff, "70000", name="Pôle francilien")
    for index in range(4):
        filed(phase, "11", "75056", staff, name=f"Pôle parisien {index}")
    filed(phase, "53", "35238", staff, name="Pôle rennais")
    filed(phase, "94", "2A004", staff, name="Pôle insulaire de Porticcio")
    return {
        "partner": UserFactory(partenaire=True, email="cress-ara@demo.ptce.fr", regions=["84"]),
        "staff": staff,
    }


def log_in_as(page, user):
    page.context.clear_cookies()
    log_in(page, user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/espace/$"))


def open_every_table(page):
    for details in page.locator("details").all():
        details.evaluate("element => element.open = true")


def test_a_partner_reads_their_regions_dashboard(page, call):
    log_in_as(page, call["partner"])

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Tableau de bord", exact=True
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord : Auvergne-Rhône-Alpes")
    # The map of the region colours the Rhône (the most dossiers) darkest, the Ain (none) grey.
    expect(page.get_by_role("img", name=re.compile("^Dossiers déposés par département"))).to_be_visible()
    assert page.locator('path[data-code="69"]').evaluate("p => p.style.fill") == "rgb(0, 0, 95)"
    assert page.locator('path[data-code="01"]').evaluate("p => p.style.fill") == "rgb(238, 238, 238)"
    assert page.locator('path[data-code="2A"]').count() == 0
    expect(page.get_by_role("img", name=re.compile("^Entonnoir des dossiers"))).to_be_visible()
    content = page.content()
    assert "Pôle insulaire de Porticcio" not in content and "Pôle francilien" not in content
    assert_accessible(page)
    screenshot(page, "dashboard-region-1280")
    open_every_table(page)
    assert_accessible(page)
    screenshot(page, "dashboard-region-1280-tables")

    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
    screenshot(page, "dashboard-region-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger les données (CSV) : Dossiers déposés par département").click()
    assert "Rhône (69);6" in download.value.path().read_bytes().decode("utf-8")

    page.get_by_role("link", name=re.compile("^PTCE-")).first.click()
    expect(page).to_have_url(re.compile(r"/instruction/dossiers/PTCE-"))
    assert page.goto("/tableau-de-bord/regions/94/").status == 404
    assert page.goto("/tableau-de-bord/national/").status == 404


def test_an_instructeur_reads_the_national_dashboard_and_goes_to_a_region(page, call):
    log_in_as(page, call["staff"])

    page.get_by_role("navigation", name=re.compile("Menu principal")).get_by_role(
        "link", name="Tableau de bord", exact=True
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord national")
    france = page.get_by_role("group", name=re.compile("^Comparaison des régions"))
    expect(france).to_be_visible()
    assert page.locator('path[data-code="84"]').first.evaluate("p => p.style.fill") == "rgb(0, 0, 95)"
    table = page.get_by_role("table", name="Comparaison des régions : le tableau complet")
    expect(table.get_by_role("row", name=re.compile("^Auvergne-Rhône-Alpes 84 13"))).to_be_visible()
    assert_accessible(page)
    screenshot(page, "dashboard-national-1280")
    open_every_table(page)
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Bretagne : 1 dossier déposé")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord : Bretagne")
    assert "Pôle rennais" in page.content()
    assert_accessible(page)
