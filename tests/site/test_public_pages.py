"""The public pages (issue 12, part 5): the call and its figures, the map and list of the laureates, a laureate's
page and the CSV files. Anonymous, limited to published decisions, and without any personal data."""

import csv
import datetime
import html
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.enums import LaureateCall, MemberCategory, PhaseKind
from applications.models import Dossier, DossierInvitation, LaureateRecord
from applications.services.workflow import transition
from reviews.enums import DecisionOutcome
from reviews.models import Decision
from territories.models import Commune
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, EditionFactory, MemberFactory, PhaseFactory
from tests.reviews.factories import decide
from tests.site.test_opendata import EMAIL, PHONE

pytestmark = pytest.mark.django_db

# What the seeded people and members carry: none of it may reach a public page or file.
PERSONAL = [
    "Zébulon",
    "Quatrefeuilles",
    "zebulon.quatrefeuilles@perso-exemple.fr",
    "Philomène Vasistas",
    "philomene@vasistas-exemple.fr",
    "06 98 76 54 32",
    "Eustache Tartempion",
    "coediteur.secret@perso-exemple.fr",
    "Gaspard Brindille",  # a member who is an individual entrepreneur
    "Atelier Brindille",
    "44306184100047",  # that member's SIRET
]


def consenting(phase, **kwargs):
    owner = UserFactory(
        email=f"zebulon.quatrefeuilles.{Dossier.objects.count()}@perso-exemple.fr",
        first_name="Zébulon",
        last_name="Quatrefeuilles",
    )
    dossier = DossierFactory(
        phase=phase,
        submitted=True,
        owner=owner,
        consent_publication=True,
        representative_name="Eustache Tartempion",
        contact_name="Philomène Vasistas",
        contact_email="philomene@vasistas-exemple.fr",
        contact_phone="06 98 76 54 32",
        **kwargs,
    )
    DossierInvitation.objects.create(dossier=dossier, email="coediteur.secret@perso-exemple.fr", invited_by=owner)
    return dossier


def with_members(dossier):
    MemberFactory(dossier=dossier, lead=True)
    MemberFactory(dossier=dossier, name="Gaspard Brindille", siret="", category=MemberCategory.OTHER)
    MemberFactory(dossier=dossier, name="Atelier Brindille", siret="44306184100047")
    MemberFactory(dossier=dossier, category=MemberCategory.COLLECTIVITE, ess_legal_form="")
    return dossier


def in_territory(dossier, *codes):
    dossier.communes.add(*Commune.objects.filter(code__in=codes, kind="commune-actuelle"))
    return dossier


@pytest.fixture
def world(referential):
    """An edition whose two phases have closed, two published laureates, and dossiers that must not show."""
    now = timezone.now()
    edition = EditionFactory(year=2023, name="AMI PTCE 2023", published=True)
    closed = {"opens_at": now - datetime.timedelta(days=90), "closes_at": now - datetime.timedelta(days=30)}
    phase1 = PhaseFactory(edition=edition, kind=PhaseKind.PHASE1, wave=1, **closed)
    phase2 = PhaseFactory(edition=edition, kind=PhaseKind.PHASE2, wave=1, **closed)
    emergent = with_members(in_territory(consenting(phase1, reference="PTCE-2023-P1-0001", region_id="84"), "69123"))
    emergent.name = "Pôle des Deux Rives"
    emergent.save()
    funded = consenting(phase2, reference="PTCE-2023-P2-0001", region_id="94", name="Pôle du Maquis")
    in_territory(funded, "2A004")
    decide(emergent)
    decide(funded, amount=Decimal("80000"))
    left_out = {
        "provisional": decide(consenting(phase2, region_id="84"), amount=Decimal("70000"), published=False).dossier,
        "not-retained": consenting(phase1, region_id="84"),
        "no-consent": DossierFactory(phase=phase1, submitted=True, region_id="84"),
        "reopened": consenting(phase1, region_id="84"),
        "submitted": consenting(phase1, region_id="84"),
        "draft": DossierFactory(phase=phase1, consent_publication=True, region_id="84"),
    }
    decide(left_out["not-retained"], outcome=DecisionOutcome.NOT_RETAINED)
    decide(left_out["no-consent"])
    decision = decide(left_out["reopened"])
    decision.revoked_at, decision.revoked_by = decision.published_at, decision.published_by
    decision.save()
    transition(left_out["reopened"], "reopen", by=decision.published_by, comment="Erreur matérielle.")
    # A phase still open: its dossiers are not counted yet.
    open_phase = PhaseFactory(edition=EditionFactory(year=2026, published=True), kind=PhaseKind.PHASE1, wave=1)
    consenting(open_phase)
    return {"emergent": emergent, "funded": funded, "left_out": left_out, "open_phase": open_phase}


def page_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    content = response.content.decode("utf-8-sig")
    return content if response["Content-Type"].startswith("text/csv") else html.unescape(content)


def csv_rows(client, url, delimiter=";"):
    return list(csv.reader(io.StringIO(page_text(client, url)), delimiter=delimiter))


# Anonymous access, and what is left out ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        reverse("site:call"),
        reverse("site:call_figures_csv"),
        reverse("site:laureates"),
        reverse("site:laureates_csv"),
        reverse("site:laureates_regions_csv"),
        reverse("site:laureates_schema"),
        reverse("site:laureate", args=["PTCE-2023-P1-0001"]),
        reverse("site:laureate", args=["PTCE-2023-P2-0001"]),
    ],
)
def test_the_public_pages_answer_anonymous_visitors(client, world, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["provisional", "not-retained", "no-consent", "reopened", "submitted", "draft"])
def test_a_dossier_without_a_published_laureate_decision_has_no_public_page(client, world, name):
    dossier = world["left_out"][name]

    response = client.get(reverse("site:laureate", args=[dossier.reference]))

    assert response.status_code == 404
    for url in (reverse("site:laureates"), reverse("site:laureates_csv")):
        assert dossier.reference not in page_text(client, url)


def test_an_unknown_reference_is_a_404(client, world):
    assert client.get(reverse("site:laureate", args=["PTCE-2099-P1-9999"])).status_code == 404


def test_the_laureate_page_shows_its_territory_members_categories_year_phase_and_amount(client, world):
    funded, emergent = world["funded"], world["emergent"]

    funded_page = page_text(client, reverse("site:laureate", args=[funded.reference]))
    emergent_page = page_text(client, reverse("site:laureate", args=[emergent.reference]))

    assert "Pôle du Maquis" in funded_page and "Corse" in funded_page and "Corse-du-Sud" in funded_page
    assert "Ajaccio" in funded_page and "80\u202f000\u202f€" in funded_page and "AMI PTCE 2023" in funded_page
    assert "Phase 2 — financement" in funded_page
    assert "Pôle des Deux Rives" in emergent_page and "Auvergne-Rhône-Alpes" in emergent_page
    assert "2 entreprises de l'ESS, 1 collectivité ou groupement, 1 autre acteur" in emergent_page
    assert "Montant accordé" not in emergent_page


def test_the_list_links_each_laureate_to_its_page(client, world):
    content = client.get(reverse("site:laureates")).content.decode()

    for dossier in (world["emergent"], world["funded"]):
        assert f'href="{reverse("site:laureate", args=[dossier.reference])}"' in content


# Filters and the map -----------------------------------------------------------------------------------------


def listed(client, **query):
    response = client.get(reverse("site:laureates"), query)
    assert response.status_code == 200
    return [line.reference for line in response.context["laureates"]], response


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["PTCE-2023-P1-0001", "PTCE-2023-P2-0001"]),
        ({"region": "94"}, ["PTCE-2023-P2-0001"]),
        ({"region": "84"}, ["PTCE-2023-P1-0001"]),
        ({"annee": "2023"}, ["PTCE-2023-P1-0001", "PTCE-2023-P2-0001"]),
        ({"phase": "1"}, ["PTCE-2023-P1-0001"]),
        ({"phase": "2", "region": "84"}, []),
    ],
)
def test_the_list_filters_by_region_year_and_phase(client, world, query, expected):
    references, _response = listed(client, **query)

    assert references == expected


def test_an_invalid_filter_says_so_and_filters_nothing(client, world):
    references, response = listed(client, region="zz", annee="1999")

    assert references == ["PTCE-2023-P1-0001", "PTCE-2023-P2-0001"]
    assert set(response.context["form"].errors) == {"region", "annee"}


def open_data_counts_per_region(**filters):
    decisions = Decision.objects.published().filter(
        outcome=DecisionOutcome.LAUREATE, dossier__state="laureate", dossier__consent_publication=True, **filters
    )
    return dict(decisions.values_list("dossier__region_id").annotate(count=Count("pk")).order_by())


def test_the_map_counts_equal_the_orm_and_link_to_the_region_list(client, world):
    _references, response = listed(client, phase="2")
    regions = {row["code"]: row for row in region_rows(response)}
    csv_counts = {
        row[0]: int(row[2]) for row in csv_rows(client, reverse("site:laureates_regions_csv") + "?phase=2")[1:]
    }

    expected = Counter(open_data_counts_per_region(dossier__phase__kind=PhaseKind.PHASE2))
    assert expected == {"94": 1}
    # The funded calls before the platform, but for 2023: the platform published that year's laureates.
    # (Those whose region the public sources do not give are in the list, not on the map.)
    history = LaureateRecord.objects.filter(kind=LaureateCall.FUNDED, region__isnull=False).exclude(year=2023)
    expected.update(dict(history.values_list("region_id").annotate(count=Count("pk")).order_by()))
    assert {code: row["count"] for code, row in regions.items() if row["count"]} == expected
    assert {code: count for code, count in csv_counts.items() if count} == expected
    assert set(csv_counts) == set(regions)  # every region, zeros included
    assert regions["94"]["url"] == reverse("site:laureates") + "?phase=2&region=94"
    assert 'href="/laureats/?phase=2&amp;region=94"' in response.content.decode()  # the map's area and the tag


def region_rows(response):
    """Every region's row: those of the map (all of them, zeros included)."""
    values, links = response.context["map_values"], response.context["map_links"]
    return [{"code": code, "count": count, "url": links[code]} for code, count in values.items()]


# The call's figures ------------------------------------------------------------------------------------------


def test_the_call_figures_equal_the_orm_counts_of_public_facts(client, world):
    response = client.get(reverse("site:call"))
    figures = {phase.phase.pk: phase for edition in response.context["figures"] for phase in edition.phases}

    for phase_id, phase in figures.items():
        decisions = Decision.objects.published().filter(outcome=DecisionOutcome.LAUREATE, dossier__phase=phase_id)
        filed = Dossier.objects.filter(phase=phase_id, submitted_at__isnull=False).count()
        assert phase.filed == (filed if phase.phase.closes_at < timezone.now() else None)
        assert phase.laureates == decisions.count()
        if phase.phase.kind == PhaseKind.PHASE2:
            assert phase.committed == (decisions.aggregate(total=Sum("amount"))["total"] or 0)
    open_phase = figures[world["open_phase"].pk]
    assert (open_phase.filed, open_phase.laureates) == (None, 0)
    phase2 = next(phase for phase in figures.values() if phase.phase.kind == PhaseKind.PHASE2)
    assert (phase2.filed, phase2.laureates, phase2.committed) == (2, 1, Decimal("80000"))  # not the provisional one
    # The history's years, but 2023: the platform's published laureates (emergent, funded, the one without consent).
    history = LaureateRecord.objects.exclude(year=2023).values_list("year").annotate(count=Count("pk")).order_by()
    assert dict(response.context["laureates_per_year"]) == {**dict(history), 2023: 3}
    assert [row for row in response.context["history"] if row["year"] == 2023] == []


def test_the_call_figures_csv_has_one_row_per_phase_and_per_call_of_the_history(client, world):
    rows = csv_rows(client, reverse("site:call_figures_csv"))

    assert rows[0] == ["Année", "Appel", "Phase", "Dossiers déposés", "Lauréats", "Montants engagés (€)"]
    history_calls = LaureateRecord.objects.exclude(year=2023).values("year", "call").distinct().count()
    assert len(rows) == 1 + history_calls + 3
    assert ["2023", "AMI PTCE 2023", "Phase 2 — financement", "2", "1", "80000,00"] in rows
    assert ["2026", "AMI PTCE 2026", "Phase 1 — PTCE émergents", "", "0", ""] in rows


def test_the_call_page_says_the_state_of_each_phase_and_how_to_apply(client, world):
    content = page_text(client, reverse("site:call"))

    assert "Fermée" in content and "Ouverte" in content
    assert reverse("accounts:signup") in content and reverse("accounts:login") in content
    assert "Statuts de la structure porteuse" in content  # a document to prepare
    for url in ("site:laureates", "site:laureates_csv", "site:laureates_schema", "site:call_figures_csv"):
        assert f'href="{reverse(url)}"' in content


def test_an_unpublished_edition_is_not_on_the_call_page(client, world):
    hidden = PhaseFactory(edition=EditionFactory(year=2027, name="AMI PTCE 2027 brouillon", published=False))
    consenting(hidden)

    content = page_text(client, reverse("site:call"))

    assert "AMI PTCE 2027 brouillon" not in content
    assert "AMI PTCE 2027 brouillon" not in page_text(client, reverse("site:call_figures_csv"))


# No personal data --------------------------------------------------------------------------------------------


def test_no_personal_data_reaches_any_public_page_or_file(client, world):
    urls = [
        reverse("site:call"),
        reverse("site:call_figures_csv"),
        reverse("site:laureates"),
        reverse("site:laureates") + "?region=84",
        reverse("site:laureates_csv"),
        reverse("site:laureates_regions_csv"),
        reverse("site:laureate", args=[world["emergent"].reference]),
        reverse("site:laureate", args=[world["funded"].reference]),
    ]
    members = list(world["emergent"].members.values_list("name", "siret"))
    personal = [*PERSONAL, *(name for name, _siret in members), *(siret for _name, siret in members if siret)]

    for url in urls:
        text = page_text(client, url)
        assert [value for value in personal if value in text] == [], url
        assert [email for email in EMAIL.findall(text) if "perso-exemple" in email or "vasistas" in email] == []
        if url.endswith(".csv") or "csv" in url:
            assert EMAIL.findall(text) == [] and PHONE.findall(text) == [], url


def test_the_schema_page_lists_every_column_of_the_file(client, world):
    header = csv_rows(client, reverse("site:laureates_csv"), delimiter=",")[0]
    content = client.get(reverse("site:laureates_schema")).content.decode()

    assert header and all(f"<code>{name}</code>" in content for name in header)


# Query counts ------------------------------------------------------------------------------------------------


def seed_laureates(phase, count):
    for _ in range(count):
        dossier = with_members(in_territory(consenting(phase, region_id="84"), "69123", "69266"))
        decide(dossier)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_calls_before_the_platform_are_listed_without_contact_and_filtered(client, world):
    record = LaureateRecord.objects.create(
        year=2015,
        call="AAP PTCE 2015",
        kind=LaureateCall.FUNDED,
        name="Pôle historique de Corte",
        region_id="94",
        contact_email="contact.secret@perso-exemple.fr",
        note="Note interne à ne pas publier.",
    )
    twice = LaureateRecord.objects.create(year=2023, call="AMI 2023", kind=LaureateCall.FUNDED, name="Pôle doublon")

    text = page_text(client, reverse("site:laureates") + "?region=94&annee=2015")
    assert record.name in text and "AAP PTCE 2015" in text
    assert "contact.secret" not in text and "Note interne" not in text
    assert twice.name not in page_text(client, reverse("site:laureates"))  # 2023: on the platform's list
    assert record.name not in page_text(client, reverse("site:laureates") + "?region=84")
    assert record.name not in page_text(client, reverse("site:laureates") + "?phase=1")


def test_the_list_and_the_laureate_page_cost_a_constant_number_of_queries(client, referential):
    phase = PhaseFactory(edition=EditionFactory(year=2024), kind=PhaseKind.PHASE1)
    seed_laureates(phase, 2)
    first = Dossier.objects.order_by("pk").first()
    urls = [
        reverse("site:laureates"),
        reverse("site:laureates") + "?region=84&annee=2024&phase=1",
        reverse("site:laureate", args=[first.reference]),
        reverse("site:call"),
    ]
    small = [queries(client, url) for url in urls]

    seed_laureates(phase, 10)
    large = [queries(client, url) for url in urls]

    assert large == small
    assert max(small) <= 16  # the list: its laureates, those of the calls before the platform, the map of both
