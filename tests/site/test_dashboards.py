"""The regional and national dashboards (issue 12): who sees them, what they show, and at what cost."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState, MemberCategory, MemberRole
from applications.models import Dossier, DossierTransition, MemberStructure, Sector
from applications.services.workflow import transition
from ptce_ami.site import figures as site_figures
from reviews.enums import DecisionOutcome
from reviews.models import Decision
from territories.models import Commune
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.site.dashboard_data import filed, laureate

pytestmark = pytest.mark.django_db

# What only Corsica's dossiers carry: none of it may reach a page or a file of Auvergne-Rhône-Alpes.
CORSICAN_MARKERS = ("Pôle insulaire de Porticcio", "PTCE-2026-P1-9401", "Corse-du-Sud", "CRESS Corse")


@pytest.fixture
def phase(referential):
    return PhaseFactory(edition=EditionFactory(year=2026), phase2=True)


@pytest.fixture
def seeded(phase, staff):
    """Four dossiers in Auvergne-Rhône-Alpes (Rhône, Loire), two in Corsica, a draft."""
    return {
        "draft": DossierFactory(phase=phase, region_id="84", name="Pôle brouillon"),
        "lyon": filed(phase, "84", "69123", staff, name="Pôle lyonnais du réemploi"),
        "loire": filed(phase, "84", "42218", staff, actions=("submit", "start_review"), name="Pôle stéphanois"),
        "lyon_laureate": laureate(phase, "84", "69123", staff, "60000", name="Pôle des pentes"),
        "eligible": filed(phase, "84", "69123", staff, actions=("submit", "start_review", "declare_eligible")),
        "corsica": laureate(
            phase, "94", "2A004", staff, "45000", name="Pôle insulaire de Porticcio", reference="PTCE-2026-P1-9401"
        ),
        "corsica_filed": filed(phase, "94", "2A004", staff, name="Pôle insulaire de Porticcio bis"),
    }


def region_url(code="84", **query):
    url = reverse("site:region_dashboard", args=[code])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def csv_url(code, figure):
    return reverse("site:region_dashboard_csv", args=[code, figure])


def national_url():
    return reverse("site:national_dashboard")


def figure_of(response, slug):
    return site_figures.by_slug(response.context["sections"], slug)


def slugs(response):
    return [figure.slug for figure in site_figures.every_figure(response.context["sections"])]


# Permissions ---------------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, seeded):
    for url in (region_url(), csv_url("84", "entonnoir"), national_url()):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_a_partner_sees_their_region_and_nothing_else(client, seeded):
    client.force_login(UserFactory(partenaire=True, regions=["84"]))

    assert client.get(region_url("84")).status_code == 200
    assert client.get(csv_url("84", "entonnoir")).status_code == 200
    assert client.get(region_url("94")).status_code == 404
    assert client.get(region_url("999")).status_code == 404  # unknown: the same answer
    for figure in slugs(client.get(region_url("84"))):
        assert client.get(csv_url("94", figure)).status_code == 404, figure
    assert client.get(national_url()).status_code == 404
    assert client.get(reverse("site:national_dashboard_csv", args=["regions"])).status_code == 404


@pytest.mark.parametrize("role", ["porteur", "evaluateur"])
def test_porteurs_and_reviewers_get_404_everywhere(client, seeded, role):
    client.force_login(UserFactory(**{role: True}))

    for url in (region_url("84"), csv_url("84", "entonnoir"), national_url()):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ["instructeur", "administrateur"])
def test_state_staff_see_every_dashboard(client, seeded, role):
    client.force_login(UserFactory(**{role: True}))

    for url in (region_url("84"), region_url("94"), csv_url("94", "aides"), national_url()):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("site:national_dashboard_csv", args=["regions"])).status_code == 200


def test_an_unknown_figure_has_no_csv(client, seeded, staff):
    client.force_login(staff)

    assert client.get(csv_url("84", "inconnue")).status_code == 404
    assert client.get(reverse("site:national_dashboard_csv", args=["inconnue"])).status_code == 404


# Scoping ------------------------------------------------------------------------------------------------------------


def test_a_partner_never_sees_another_regions_rows(client, seeded):
    client.force_login(UserFactory(partenaire=True, regions=["84"]))

    response = client.get(region_url("84"))

    content = response.content.decode()
    for marker in CORSICAN_MARKERS:
        assert marker not in content, marker
    assert "Pôle lyonnais du réemploi" in content  # the region's own dossiers are listed
    assert [row[0] for row in figure_of(response, "aides").rows] == ["Auvergne-Rhône-Alpes"]
    for figure in slugs(response):
        file = client.get(csv_url("84", figure)).content.decode("utf-8")
        for marker in CORSICAN_MARKERS:
            assert marker not in file, (figure, marker)
    assert "Corse" not in client.get(csv_url("84", "aides")).content.decode("utf-8")


def test_the_dossier_list_links_the_staff_page_and_is_paginated(client, seeded, phase, staff):
    for index in range(26):
        filed(phase, "84", "69123", staff, name=f"Pôle en série {index}")
    client.force_login(UserFactory(partenaire=True, regions=["84"]))

    first = client.get(region_url("84"))
    second = client.get(region_url("84", page=2))

    submitted_in_region = Dossier.objects.filter(region_id="84").exclude(submitted_at=None).count()
    assert first.context["page"].paginator.count == submitted_in_region == 30
    assert len(first.context["page"].object_list) == 25 and len(second.context["page"].object_list) == 5
    lyon = seeded["lyon"]
    assert f'href="{reverse("reviews:dossier", args=[lyon.reference])}"' in (
        first.content.decode() + second.content.decode()
    )
    assert "Pôle brouillon" not in first.content.decode()  # a draft is private to its authors


# Figures ------------------------------------------------------------------------------------------------------------


def test_regional_figures_equal_direct_counts(client, seeded, staff):
    client.force_login(staff)

    response = client.get(region_url("84"))

    dossiers = Dossier.objects.filter(region_id="84")
    funnel = dict(figure_of(response, "entonnoir").items)
    assert funnel == {
        "Brouillons": dossiers.filter(state=DossierState.DRAFT).count(),
        "Déposés": dossiers.exclude(submitted_at=None).count(),
        "En instruction": dossiers.filter(state__in=DossierState.instruction_started()).count(),
        "Recevables": dossiers.filter(state__in=DossierState.eligible_or_decided()).count(),
        "Décidés": dossiers.filter(state__in=DossierState.decided()).count(),
    }
    assert funnel == {"Brouillons": 1, "Déposés": 4, "En instruction": 3, "Recevables": 2, "Décidés": 1}
    per_departement = figure_of(response, "departements").map_values
    leads = MemberStructure.objects.filter(role=MemberRole.LEAD, dossier__in=dossiers.exclude(submitted_at=None))
    assert per_departement == {
        "01": 0,
        "38": 0,
        "42": leads.filter(commune__departement="42").count(),
        "69": leads.filter(commune__departement="69").count(),
    }
    assert per_departement["69"] == 3
    published = Decision.objects.published().filter(dossier__in=dossiers, outcome=DecisionOutcome.LAUREATE)
    laureates = figure_of(response, "laureats").rows
    assert [(row[1], row[2]) for row in laureates] == [
        (published.count(), published.aggregate(total=Sum("amount"))["total"])
    ]
    assert laureates[0][2] == Decimal("60000")
    grants = figure_of(response, "aides").rows
    assert grants == [["Auvergne-Rhône-Alpes", 1, Decimal("60000"), 1, Decimal("30000"), Decimal("0")]]


def test_national_figures_compare_every_region(client, seeded, staff):
    client.force_login(staff)

    response = client.get(national_url())

    regions = {row[1]: row for row in figure_of(response, "regions").rows}
    for code, row in regions.items():
        dossiers = Dossier.objects.filter(region_id=code)
        published = Decision.objects.published().filter(dossier__in=dossiers, outcome=DecisionOutcome.LAUREATE)
        assert row[2] == dossiers.exclude(submitted_at=None).count(), code
        assert row[4] == published.count(), code
        assert row[5] == (published.aggregate(total=Sum("amount"))["total"] or 0), code
    assert (regions["84"][2], regions["94"][2], regions["28"][2]) == (4, 2, 0)
    assert figure_of(response, "entonnoir").items[1] == ("Déposés", 6)
    envelope = figure_of(response, "enveloppes").rows
    assert [row[1:4] for row in envelope] == [[Decimal("500000"), Decimal("105000"), Decimal("395000")]]
    # Each region of the comparison links to its dashboard, for the same edition.
    content = response.content.decode()
    assert f'href="{reverse("site:region_dashboard", args=["94"])}?edition=' in content


def test_the_csv_holds_the_figures_rows(client, seeded, staff):
    client.force_login(staff)

    response = client.get(csv_url("84", "departements"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="departements-84.csv"'
    lines = response.content.decode("utf-8").lstrip("\ufeff").splitlines()
    assert lines[0] == "Département;Dossiers"
    assert "Rhône (69);3" in lines and "Ain (01);0" in lines


def test_the_chooser_narrows_to_a_phase_and_says_when_it_does_not_fit(client, seeded, phase, staff):
    other = PhaseFactory(edition=phase.edition)
    filed(other, "84", "69123", staff, name="Pôle de la seconde vague")
    old_edition = EditionFactory(year=2024)
    client.force_login(staff)

    everything = client.get(region_url("84"))
    one_phase = client.get(region_url("84", edition=phase.edition_id, phase=other.pk))
    mismatch = client.get(region_url("84", edition=old_edition.pk, phase=other.pk))

    assert dict(figure_of(everything, "entonnoir").items)["Déposés"] == 5
    assert dict(figure_of(one_phase, "entonnoir").items)["Déposés"] == 1
    assert figure_of(one_phase, "entonnoir").csv_url.endswith(f"?edition={phase.edition_id}&phase={other.pk}")
    assert "Cette phase n&#x27;appartient pas à l&#x27;édition choisie" in mismatch.content.decode()
    assert mismatch.context["selection"].edition == old_edition and mismatch.context["selection"].phase is None


# Speed --------------------------------------------------------------------------------------------------------------

STATES = [
    DossierState.DRAFT,
    DossierState.SUBMITTED,
    DossierState.IN_REVIEW,
    DossierState.ELIGIBLE,
    DossierState.LAUREATE,
    DossierState.NOT_RETAINED,
]


def bulk_seed(phase, staff, count):
    """``count`` dossiers in bulk, in two regions and every state, each with its lead, its submission and, for the
    laureates, a published decision."""
    now = timezone.now()
    lyon = Commune.objects.get(code="69123", kind="commune-actuelle")
    ajaccio = Commune.objects.get(code="2A004", kind="commune-actuelle")
    start = Dossier.objects.count()
    dossiers = Dossier.objects.bulk_create(
        Dossier(
            phase=phase,
            owner=staff,
            reference=f"PTCE-2026-P2-B{start + index:05d}",
            name=f"Pôle en nombre {index}",
            region_id=("84", "94")[index % 2],
            state=STATES[index % len(STATES)],
            submitted_at=None if index % len(STATES) == 0 else now - datetime.timedelta(hours=index),
        )
        for index in range(count)
    )
    MemberStructure.objects.bulk_create(
        MemberStructure(
            dossier=dossier,
            name="Structure",
            category=MemberCategory.ESS_ENTERPRISE,
            role=MemberRole.LEAD,
            commune=lyon if dossier.region_id == "84" else ajaccio,
        )
        for dossier in dossiers
    )
    DossierTransition.objects.bulk_create(
        DossierTransition(
            dossier=dossier,
            action="submit",
            from_state="draft",
            to_state="submitted",
            by=staff,
            at=dossier.submitted_at,
        )
        for dossier in dossiers
        if dossier.submitted_at
    )
    Decision.objects.bulk_create(
        Decision(
            dossier=dossier,
            outcome=DecisionOutcome.LAUREATE,
            amount=Decimal("1000"),
            motivation="Retenu.",
            decided_by=staff,
            published_at=now,
            published_by=staff,
        )
        for dossier in dossiers
        if dossier.state == DossierState.LAUREATE
    )


def queries_of(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url", [region_url("84"), national_url()], ids=["regional", "national"])
def test_the_dashboards_make_as_many_queries_for_1000_dossiers_as_for_10(client, phase, staff, url):
    client.force_login(staff)
    counts = {}
    for total in (10, 1000):
        bulk_seed(phase, staff, total - Dossier.objects.count())
        cache.clear()
        counts[total] = queries_of(client, url)
        cached = queries_of(client, url)
        assert cached < counts[total]  # the second load reads the figures from the cache
        counts[f"{total} cached"] = cached
    assert Dossier.objects.count() == 1000
    assert counts[10] == counts[1000] and counts["10 cached"] == counts["1000 cached"], counts


def test_a_transition_refreshes_the_figures(client, seeded, staff):
    client.force_login(staff)
    assert dict(figure_of(client.get(region_url("84")), "entonnoir").items)["En instruction"] == 3

    transition(seeded["lyon"], "start_review", by=staff)

    assert dict(figure_of(client.get(region_url("84")), "entonnoir").items)["En instruction"] == 4


def test_a_lead_outside_the_region_is_counted_beside_the_map(client, seeded, phase, staff):
    filed(phase, "84", "2A004", staff, name="Pôle au siège lointain")
    client.force_login(staff)

    response = client.get(region_url("84"))

    figure = figure_of(response, "departements")
    assert figure.off_map == [("Corse-du-Sud (2A)", "1")]
    assert "2A" not in figure.map_values
    assert (
        sum(row[1] for row in figure.rows) == Dossier.objects.filter(region_id="84").exclude(submitted_at=None).count()
    )
    assert "Hors de la carte :" in response.content.decode()


def test_a_label_a_spreadsheet_would_run_is_neutralised_in_the_csv(client, seeded, staff):
    sector = Sector.objects.create(code="formule", label='=HYPERLINK("http://example.com")')
    seeded["lyon"].sectors.add(sector)
    client.force_login(staff)

    lines = client.get(csv_url("84", "secteurs")).content.decode("utf-8").splitlines()

    assert lines[1:] == ['"\'=HYPERLINK(""http://example.com"")";1']  # the apostrophe: a text, not a formula
