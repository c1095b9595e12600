"""The public pages in Chromium (issue 12, part 5): an anonymous visitor reads the call, the map and list of the
laureates and a laureate's page, at 1280 px and 375 px, with no axe-core violation."""

import datetime
import gzip
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.enums import MemberCategory, PhaseKind
from applications.models import LaureateRecord
from territories.loader import DATA_DIR, load_referential
from territories.models import Commune, Departement, Region
from tests.applications.factories import DossierFactory, EditionFactory, MemberFactory, PhaseFactory
from tests.browser.conftest import assert_accessible, screenshot
from tests.reviews.factories import decide
from tests.territories import cog_mini

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def every_region_and_departement():
    """The real referential's regions and départements beside the mini referential's communes (for the map)."""
    data = json.loads(gzip.decompress((DATA_DIR / "cog-2026.json.gz").read_bytes()))
    Region.objects.bulk_create(
        [
            Region(code=code, name=name, zone=zone, cress_name=cress)
            for code, name, zone, cress in data["regions"]["rows"]
        ],
        ignore_conflicts=True,
    )
    Departement.objects.bulk_create(
        [
            Departement(code=code, name=name, region_id=region, search_name=name.lower())
            for code, name, region in data["departements"]["rows"]
        ],
        ignore_conflicts=True,
    )


def laureate(phase, name, region, *, communes=(), departements=(), amount=None):
    dossier = DossierFactory(
        phase=phase,
        submitted=True,
        consent_publication=True,
        name=name,
        region_id=region,
        reference=f"PTCE-2023-{phase.reference_code}-{DossierFactory._meta.model.objects.count() + 1:04d}",
        contact_name="Philomène Vasistas",
        contact_email="philomene@vasistas-exemple.fr",
    )
    dossier.communes.add(*Commune.objects.filter(code__in=communes, kind="commune-actuelle"))
    dossier.departements.add(*Departement.objects.filter(code__in=departements))
    MemberFactory(dossier=dossier, lead=True)
    MemberFactory(dossier=dossier, category=MemberCategory.ENTERPRISE, ess_legal_form="")
    MemberFactory(dossier=dossier, category=MemberCategory.COLLECTIVITE, ess_legal_form="")
    decide(dossier, amount=amount)
    return dossier


@pytest.fixture
def laureates():
    load_referential(cog_mini.FIXTURE)
    every_region_and_departement()
    now = timezone.now()
    closed = {"opens_at": now - datetime.timedelta(days=120), "closes_at": now - datetime.timedelta(days=60)}
    edition = EditionFactory(year=2023, name="AMI PTCE 2023", published=True, envelope=1_500_000)
    phase1 = PhaseFactory(edition=edition, kind=PhaseKind.PHASE1, wave=1, **closed)
    phase2 = PhaseFactory(edition=edition, kind=PhaseKind.PHASE2, wave=1, max_grant=100_000, **closed)
    PhaseFactory(
        edition=EditionFactory(year=2026, name="AMI PTCE 2026", published=True), kind=PhaseKind.PHASE1, wave=1
    )
    found = [
        laureate(phase1, "Pôle des Deux Rives", "84", communes=["69123", "69266"]),
        laureate(phase1, "Coopérative des Monts du Lyonnais", "84", communes=["69123"], departements=["42"]),
        laureate(phase1, "Pôle Bretagne Solidaire", "53", departements=["29", "35"]),
        laureate(phase2, "Pôle du Maquis", "94", communes=["2A004"], amount=Decimal("100000")),
        laureate(phase2, "Fabrique Coopérative de Saint-Étienne", "84", departements=["42"], amount=Decimal("80000")),
    ]
    return found


@pytest.mark.parametrize("width", [1280, 375])
def test_an_anonymous_visitor_reads_the_call_the_map_and_a_laureate(page, laureates, width):
    page.set_viewport_size({"width": width, "height": 900})

    page.goto("/appel/")
    assert page.get_by_role("heading", name="Les chiffres des éditions").is_visible()
    assert page.get_by_text("Ouverte", exact=True).first.is_visible()
    assert_accessible(page)
    screenshot(page, f"public-call-{width}")

    page.goto("/laureats/")
    assert page.locator("tbody tr").filter(has_text="Pôle des Deux Rives").count() == 1
    assert_accessible(page)
    screenshot(page, f"public-laureates-{width}")
    # The map colours Auvergne-Rhône-Alpes (three laureates on the platform, and those of the calls before it but
    # 2023's, which the platform published) and links it to the list of that region.
    earlier = LaureateRecord.objects.filter(region_id="84").exclude(year=2023).count()
    area = page.locator('a[aria-label^="Auvergne-Rhône-Alpes"]')
    assert area.get_attribute("aria-label") == f"Auvergne-Rhône-Alpes : {3 + earlier} lauréats"
    page.goto(area.get_attribute("href"))
    assert re.search(r"region=84", page.url)
    names = page.locator("tbody th[scope=row] a").all_inner_texts()  # the platform's laureates have a page
    assert sorted(names) == [
        "Coopérative des Monts du Lyonnais",
        "Fabrique Coopérative de Saint-Étienne",
        "Pôle des Deux Rives",
    ]
    assert_accessible(page)

    page.get_by_role("link", name="Pôle des Deux Rives").click()
    page.wait_for_url(re.compile(r"/laureats/PTCE-2023-P1-\d{4}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Pôle des Deux Rives"
    assert page.get_by_text("1 entreprise de l'ESS, 1 entreprise hors ESS, 1 collectivité ou groupement").is_visible()
    content = page.content()
    assert "Vasistas" not in content and "vasistas-exemple" not in content
    assert_accessible(page)
    screenshot(page, f"public-laureate-{width}")


def test_the_filters_work_without_javascript(chromium, live_server, laureates):
    context = chromium.new_context(locale="fr-FR", java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/laureats/")
        page.locator("#id_phase").select_option("2")
        page.get_by_role("button", name="Appliquer les filtres").click()
        page.wait_for_url(re.compile(r"phase=2"))
        names = page.locator("tbody th[scope=row] a").all_inner_texts()  # the platform's laureates have a page
        assert sorted(names) == ["Fabrique Coopérative de Saint-Étienne", "Pôle du Maquis"]
    finally:
        context.close()
