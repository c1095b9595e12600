"""The SQL queries of each page issue 15 measures (bench/run.py ``pages()``), pinned: the same number with 1 and with 3
of what the page lists, and that number written down in EXPECTED, so that a change shows in review.

Each page builds its world (``setup``), adds one unit of what it lists (``add``: the objects that could cause an N+1,
e.g. members, attachments, reviews and messages on a dossier page), measures, adds two more units and measures again.
A unit holds every kind of row the page shows (an assignment of each status on the reviewer queue…) so that the
three-unit world takes no code path the one-unit world does not.

Each measure is a cold request (the cache emptied first: the dashboards' figures, the API's rate limit) and then the
same request warm; EXPECTED pins the cold one, EXPECTED_WARM the warm one where it differs.

Staff log in as in production: the second factor is required for instructeurs (TWO_FACTOR_REQUIRED_ROLES, which the
test settings empty) and their session is marked as having passed it, so that the policy middleware's checks are
counted. The API is called with a token, without a session.

Tests that already show 1-vs-3 (or 10-vs-1000) constancy for some of these pages, without pinning the number (kept:
they vary other things, e.g. the user's columns or the panels of the dossier page):
- staff and partner's list: tests/reviews/test_instruction_list.py::test_list_runs_a_constant_number_of_queries and,
  every column chosen, tests/reviews/test_list_columns.py::test_every_column_costs_the_same_queries_for_10_and_200_
  dossiers;
- staff dossier page: tests/reviews/test_staff_dossier.py::test_page_runs_a_constant_number_of_queries;
- reviewer queue and scoring page: tests/reviews/test_evaluation_views.py::test_queue_queries_do_not_grow_with_the_
  assignments and ::test_review_page_queries_do_not_grow_with_the_other_reviews_and_members;
- committee view: tests/reviews/test_committee_views.py::test_the_committee_view_costs_the_same_queries_for_one_or_
  three_dossiers;
- dashboards: tests/site/test_dashboards.py::test_the_dashboards_make_as_many_queries_for_1000_dossiers_as_for_10;
- partner's regional opinions: tests/reviews/test_regional_opinion.py::test_list_queries_do_not_grow_with_the_dossiers;
- porteur's home and dossier page: tests/applications/test_views.py::test_dossier_list_query_count_does_not_grow and
  ::test_dossier_page_query_count_does_not_grow (members and attachments only; pinned there without the second
  factor's policy and without messages nor co-editors);
- autocomplete: tests/territories/test_autocomplete.py::test_autocomplete_runs_at_most_three_queries (a bound);
- API list: tests/api/test_api.py::test_query_count_is_the_same_for_10_and_200_dossiers.
"""

import dataclasses
import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.enums import BouquetNeed, DossierState, NoticeKind, NoticeStatus, PhaseKind, RuleStatus
from applications.models import (
    Annotation,
    DossierInvitation,
    DossierTransition,
    EligibilityResult,
    EligibilityRun,
    Label,
    Message,
    MessageAttachment,
    Notice,
)
from ptce_ami.accounts import two_factor
from ptce_ami.accounts.services import create_api_token
from reviews.models import BouquetRequestChange, ListPreference
from reviews.services import columns as column_services
from reviews.services.scoring import refresh_dossier_score
from reviews.views import instruction
from territories.models import Commune, Region
from tests.accounts.factories import RegionFactory, UserFactory
from tests.api.worlds import region_world
from tests.applications.factories import (
    PDF_BYTES,
    AttachmentFactory,
    DossierFactory,
    EditionFactory,
    MemberFactory,
    PhaseFactory,
)
from tests.reviews.factories import (
    AssignmentFactory,
    BouquetRequestFactory,
    CompagnonFactory,
    RegionalOpinionFactory,
    decide,
    make_review,
)
from tests.reviews.test_committee_views import candidate, with_everything
from tests.site.dashboard_data import filed, laureate

pytestmark = pytest.mark.django_db

# Queries of each page, cold (the cache empty), for 1 and for 3 units. A value may be a dict by vendor
# (connection.vendor: "sqlite", "postgresql") where the two differ.
EXPECTED = {
    "staff-list": 16,
    "staff-list-region-state": 17,
    "staff-list-by-score": 17,
    "staff-list-every-column": 19,
    "staff-list-page-2": 16,
    "staff-dossier-page": 33,
    "reviewer-queue": 7,
    "scoring-page": 13,
    "scoring-page-submitted": 19,
    "committee-view": 15,
    "regional-dashboard": 31,
    "national-dashboard": 30,
    "partner-list": 17,
    "partner-regional-opinions": 8,
    "porteur-home": 6,
    "porteur-list": 6,
    "porteur-dossier-page": 18,
    "autocomplete": 5,
    "api-dossiers": 4,
}

# The same request again, where it makes another number of queries than the cold one.
EXPECTED_WARM = {
    # The staff lists cache their tabs' counts and their filter form's HTML (with its choice lists) until a dossier
    # changes state: left, the followed count, the page's ids and rows and what the columns prefetch.
    "staff-list": 9,
    "staff-list-region-state": 10,
    "staff-list-by-score": 9,
    "staff-list-every-column": 12,
    "staff-list-page-2": 9,
    "partner-list": 10,
    # The number of scored dossiers (where the unscored start, sorted by score), the commitment, the regional
    # balance and the pending decisions come from the cache (committee.view_figures).
    "committee-view": 9,
    # The figures come from the cache; left: the session, the user, the edition and phase chosen, the region's
    # departements (regional) or the regions (national) and, on the regional one, the dossier list's count and page.
    "regional-dashboard": 9,
    "national-dashboard": 5,
    # Not a cache: the first visit marks the thread read (an upsert of MessageRead), the second has none to mark.
    "staff-dossier-page": 32,
    "porteur-dossier-page": 17,
}

# The production default of TWO_FACTOR_REQUIRED_ROLES (ptce_ami/settings.py), which the test settings empty.
SECOND_FACTOR_ROLES = ["instructeur", "administrateur"]
REGION = "84"
COMPLETE_MEMBERS = 3  # the members of a complete dossier (tests.applications.factories.add_complete_parts)


@pytest.fixture(autouse=True)
def _second_factor_policy(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = SECOND_FACTOR_ROLES


# Worlds ----------------------------------------------------------------------------------------------------------


def unit_phase(world):
    """A phase of its own edition for each unit: a page may look things up by phase or edition."""
    return PhaseFactory(edition=EditionFactory(year=2000 + next(world.counter)))


def staff_user(world):
    world.user = UserFactory(instructeur=True)


def partner_user(world):
    world.user = UserFactory(partenaire=True, regions=[Region.objects.get(code=REGION)])


def listed_dossier(world):
    """A dossier of the staff lists: complete (members, attachments, territory), in review with two submitted reviews
    and its score, a label, a regional opinion and a message of its porteur nobody on the staff has read."""
    dossier = DossierFactory(phase=unit_phase(world), complete=True, submitted=True, state=DossierState.IN_REVIEW)
    for _ in range(2):
        make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    refresh_dossier_score(dossier)
    world.label.dossiers.add(dossier)
    RegionalOpinionFactory(dossier=dossier, rank=next(world.counter))
    Message.objects.create(dossier=dossier, author=dossier.owner, body="Une question sur le calendrier.")


def staff_list(user_of):
    def setup(world):
        user_of(world)
        world.label = Label.objects.create(name="Rural")

    return setup


def every_column(world):
    """The staff list with every column of the catalogue chosen (the default shows some of them)."""
    staff_list(staff_user)(world)
    ListPreference.objects.create(
        user=world.user, list_name="instruction", columns=[column.key for column in column_services.CATALOGUE]
    )


def staff_list_later_page(world):
    """Three rows a page: the first page holds three units, the second the ones measured."""
    staff_list(staff_user)(world)
    world.monkeypatch.setattr(instruction, "PAGE_SIZE", 3)
    for _ in range(3):
        listed_dossier(world)


def with_attachment(message):
    MessageAttachment.objects.create(
        message=message,
        file=ContentFile(PDF_BYTES, name="courrier.pdf"),
        original_name="courrier.pdf",
        extension=".pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
        sha256="0" * 64,
    )


def history_line(dossier):
    """A line of the dossier's history by another instructeur (an audit row: the state does not change)."""
    DossierTransition.objects.create(
        dossier=dossier,
        action="request_corrections",
        from_state=dossier.state,
        to_state=dossier.state,
        by=UserFactory(instructeur=True),
        comment="Merci de compléter.",
    )


def staff_dossier(world):
    staff_user(world)
    world.dossier = DossierFactory(complete=True, submitted=True, state=DossierState.IN_REVIEW)
    world.run = EligibilityRun.objects.create(dossier=world.dossier, key="perf", trigger="on_demand")


def staff_dossier_unit(world):
    """A member with an attachment of its own, an attachment, a private note, a label, a submitted review, a message
    of the porteur with a file, a line of the history, an eligibility rule's result and a request for a service of
    the bouquet paired with a compagnon, with its history."""
    dossier = world.dossier
    number = next(world.counter)
    EligibilityResult.objects.create(
        run=world.run, rule_id=f"R{number}", title=f"Règle {number}", status=RuleStatus.PASS, explanation="…"
    )
    request = BouquetRequestFactory(
        dossier=dossier, service=list(BouquetNeed)[number - 1], compagnon=CompagnonFactory()
    )
    BouquetRequestChange.objects.create(
        request=request, from_status="requested", to_status="in_progress", by=world.user
    )
    AttachmentFactory(dossier=dossier, member=MemberFactory(dossier=dossier))
    AttachmentFactory(dossier=dossier)
    history_line(dossier)
    Annotation.objects.create(dossier=dossier, author=UserFactory(instructeur=True), body=f"Note {number}")
    Label.objects.create(name=f"Étiquette {number}").dossiers.add(dossier)
    make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    refresh_dossier_score(dossier)
    with_attachment(Message.objects.create(dossier=dossier, author=dossier.owner, body=f"Question {number}"))


def reviewer(world):
    world.user = UserFactory(evaluateur=True)


def queue_unit(world):
    """An assignment of each status: to confirm, in progress with a draft review, late, submitted (the default tab,
    « À faire », shows the first three)."""
    AssignmentFactory(reviewer=world.user)
    AssignmentFactory(reviewer=world.user, confirmed=True, due_at=timezone.now() - datetime.timedelta(days=1))
    make_review(AssignmentFactory(reviewer=world.user, confirmed=True), submitted=False)
    make_review(AssignmentFactory(reviewer=world.user, confirmed=True))


def scoring(submitted):
    """The reviewer's assignment on a complete dossier: their review a draft (the grid to fill), or submitted (then
    the other reviewers' reviews are shown, anonymous)."""

    def setup(world):
        reviewer(world)
        dossier = DossierFactory(complete=True, submitted=True, state=DossierState.IN_REVIEW)
        world.assignment = AssignmentFactory(reviewer=world.user, dossier=dossier, confirmed=True)
        make_review(world.assignment, submitted=submitted)

    return setup


def scoring_unit(world):
    """Another reviewer's submitted review, a member and an attachment of the dossier."""
    dossier = world.assignment.dossier
    make_review(AssignmentFactory(dossier=dossier, confirmed=True))
    refresh_dossier_score(dossier)
    MemberFactory(dossier=dossier)
    AttachmentFactory(dossier=dossier)


def committee(world):
    staff_user(world)
    world.phase = PhaseFactory(
        kind=PhaseKind.PHASE2, envelope=Decimal(10_000_000), max_grant=Decimal(100_000), closed=True
    )


def committee_unit(world):
    """A candidate with a score, a requested grant, a regional opinion and a proposal."""
    with_everything(candidate(world.phase, score=50 + next(world.counter), region=REGION), world.user)


def dashboard(world):
    staff_user(world)
    world.phase = PhaseFactory(edition=EditionFactory(year=2026), phase2=True)


def dashboard_unit(world):
    """A submitted dossier, one in review and a laureate with its grant and a paid tranche (Lyon, Saint-Étienne)."""
    filed(world.phase, REGION, "69123", world.user)
    filed(world.phase, REGION, "42218", world.user, actions=("submit", "start_review"))
    laureate(world.phase, REGION, "69123", world.user, "60000")


def opinions_unit(world):
    """An eligible dossier with the partner's opinion and one without."""
    region = Region.objects.get(code=REGION)
    for opinion in (True, False):
        dossier = DossierFactory(
            phase=unit_phase(world), region=region, state=DossierState.ELIGIBLE, submitted=True, complete=True
        )
        dossier.state = DossierState.ELIGIBLE
        dossier.save(update_fields=["state"])
        if opinion:
            RegionalOpinionFactory(dossier=dossier, region=region, rank=next(world.counter), author=world.user)


def porteur(world):
    world.user = UserFactory()
    world.phase = PhaseFactory()
    world.staff = UserFactory(instructeur=True)


def porteur_unit(world):
    """A dossier of theirs, submitted, with a member and a message of the staff they have not read; a laureate of
    theirs; and a draft of someone else they are invited to co-edit."""
    dossier = DossierFactory(phase=unit_phase(world), owner=world.user, submitted=True)
    MemberFactory(dossier=dossier, lead=True)
    Message.objects.create(dossier=dossier, author=world.staff, from_staff=True, body="Merci de préciser le budget.")
    laureate_dossier = DossierFactory(phase=unit_phase(world), owner=world.user, submitted=True)
    decide(laureate_dossier, amount=Decimal(50_000), by=world.staff)
    other = DossierFactory(phase=unit_phase(world))
    DossierInvitation.objects.create(dossier=other, email=world.user.email, invited_by=other.owner)


def porteur_dossier(world):
    porteur(world)
    world.dossier = DossierFactory(phase=world.phase, owner=world.user, complete=True, submitted=True)


def porteur_dossier_unit(world):
    """A member with an attachment of its own, an attachment, a message of the staff with a file, an invited
    co-editor, a line of the history and a letter communicated to the porteur (a receipt, numbered)."""
    dossier = world.dossier
    Notice.objects.create(
        dossier=dossier,
        kind=NoticeKind.RECEIPT,
        number=next(world.counter),
        status=NoticeStatus.READY,
        file="notices/accuse.pdf",
        issued_by=world.staff,
        published_at=timezone.now(),
    )
    AttachmentFactory(dossier=dossier, member=MemberFactory(dossier=dossier))
    AttachmentFactory(dossier=dossier)
    history_line(dossier)
    message = Message.objects.create(dossier=dossier, author=world.staff, from_staff=True, body="Précisez le budget.")
    with_attachment(message)
    DossierInvitation.objects.create(dossier=dossier, email=UserFactory().email, invited_by=world.user)


def autocomplete_unit(world):
    """One more commune whose name starts with « Villeurb » (a copy of Villeurbanne under another code)."""
    number = next(world.counter)
    commune = Commune.objects.get(code="69266", kind="commune-actuelle")
    commune.pk, commune.code = None, f"69{900 + number}"
    commune.name, commune.search_name = f"Villeurbanne {number}", f"{commune.search_name} {number}"
    commune.save()


def api(world):
    world.user = UserFactory(instructeur=True)
    world.headers = {"Authorization": f"Bearer {create_api_token(world.user, name='Outil', days=30)[1]}"}
    world.region = RegionFactory(code=REGION)
    world.phase = PhaseFactory(kind=PhaseKind.PHASE2)


def api_unit(world):
    """A laureate with its grant, reviews and a regional opinion; a dossier with a provisional decision; a draft."""
    region_world(world.region, world.phase)


# Pages -----------------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    setup: Callable
    add: Callable
    url: Callable[[SimpleNamespace], str]
    # How many units the page shows, read from its response (a check that the world is what the page lists).
    shown: Callable | None = None

    def __str__(self):
        return self.name


def per_unit(name, size=1):
    """The number of units the page shows: its context's ``name``, ``size`` items a unit."""

    def shown(response):
        return len(response.context[name]) / size

    return shown


rows = per_unit("rows")


def members_added(response):
    """The members a dossier page shows beyond those of a complete dossier: one a unit."""
    return len(response.context["members"]) - COMPLETE_MEMBERS


PAGES = [
    Page("staff-list", staff_list(staff_user), listed_dossier, lambda w: "/instruction/", rows),
    Page(
        "staff-list-region-state",
        staff_list(staff_user),
        listed_dossier,
        lambda w: f"/instruction/?region={REGION}&state=in_review",
        rows,
    ),
    Page("staff-list-by-score", staff_list(staff_user), listed_dossier, lambda w: "/instruction/?o=-score", rows),
    Page("staff-list-every-column", every_column, listed_dossier, lambda w: "/instruction/", rows),
    Page("staff-list-page-2", staff_list_later_page, listed_dossier, lambda w: "/instruction/?page=2", rows),
    Page(
        "staff-dossier-page",
        staff_dossier,
        staff_dossier_unit,
        lambda w: f"/instruction/dossiers/{w.dossier.reference}/",
        members_added,
    ),
    Page("reviewer-queue", reviewer, queue_unit, lambda w: "/instruction/evaluations/", per_unit("rows", 3)),
    Page(
        "scoring-page",
        scoring(submitted=False),
        scoring_unit,
        lambda w: f"/instruction/evaluations/{w.assignment.pk}/",
        members_added,
    ),
    Page(
        "scoring-page-submitted",
        scoring(submitted=True),
        scoring_unit,
        lambda w: f"/instruction/evaluations/{w.assignment.pk}/",
        per_unit("others"),
    ),
    Page("committee-view", committee, committee_unit, lambda w: f"/instruction/comite/phases/{w.phase.pk}/", rows),
    Page(
        "regional-dashboard",
        dashboard,
        dashboard_unit,
        lambda w: f"/tableau-de-bord/regions/{REGION}/",
        lambda response: len(response.context["page"].object_list) / 3,
    ),
    Page("national-dashboard", dashboard, dashboard_unit, lambda w: "/tableau-de-bord/national/"),
    Page("partner-list", staff_list(partner_user), listed_dossier, lambda w: "/instruction/", rows),
    Page(
        "partner-regional-opinions",
        partner_user,
        opinions_unit,
        lambda w: "/instruction/evaluations/avis-regionaux/",
        per_unit("rows", 2),
    ),
    Page("porteur-home", porteur, porteur_unit, lambda w: "/espace/", per_unit("dossiers", 3)),
    Page("porteur-list", porteur, porteur_unit, lambda w: "/dossiers/", per_unit("dossiers", 3)),
    Page(
        "porteur-dossier-page",
        porteur_dossier,
        porteur_dossier_unit,
        lambda w: f"/dossiers/{w.dossier.reference}/",
        members_added,
    ),
    Page(
        "autocomplete",
        staff_user,
        autocomplete_unit,
        lambda w: "/territoires/autocomplete/?q=villeurb",
        lambda response: len(response.json()["results"]) - 1,  # Villeurbanne itself
    ),
    Page(
        "api-dossiers",
        api,
        api_unit,
        lambda w: "/api/v1/dossiers",
        lambda response: len(response.json()["results"]) / 2,
    ),
]


# Measuring -------------------------------------------------------------------------------------------------------


def log_in(client, user):
    client.force_login(user)
    if two_factor.is_required_for(user):
        session = client.session
        session[two_factor.SECOND_FACTOR_SESSION_KEY] = "test"
        session.save()


def get(client, world, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=getattr(world, "headers", {}))
    assert response.status_code == 200, f"{url}: {response.status_code} {response.get('Location', '')}"
    return response, [query["sql"] for query in captured.captured_queries]


def measure(client, world, page):
    """(response, cold queries, warm queries) of the page in ``world``."""
    url = page.url(world)
    cache.clear()
    response, cold = get(client, world, url)
    _response, warm = get(client, world, url)
    return response, cold, warm


def expected(table, name, default=None):
    value = table.get(name, default)
    return value.get(connection.vendor) if isinstance(value, dict) else value


def listing(label, queries):
    return f"--- {label}: {len(queries)} queries\n" + "\n".join(f"{n:3}. {sql}" for n, sql in enumerate(queries, 1))


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_page_queries_are_pinned_and_constant(client, referential, monkeypatch, page):
    world = SimpleNamespace(counter=itertools.count(1), monkeypatch=monkeypatch)
    page.setup(world)
    if not hasattr(world, "headers"):
        log_in(client, world.user)
    measured = {}
    for units, more in ((1, 1), (3, 2)):
        for _ in range(more):
            page.add(world)
        response, measured[units, "cold"], measured[units, "warm"] = measure(client, world, page)
        if page.shown:
            assert page.shown(response) == units
    cold, warm = expected(EXPECTED, page.name), expected(EXPECTED_WARM, page.name, EXPECTED[page.name])
    counts = {key: len(queries) for key, queries in measured.items()}
    details = "\n".join(listing(f"{units} unit(s), {path}", queries) for (units, path), queries in measured.items())
    assert counts == {(1, "cold"): cold, (3, "cold"): cold, (1, "warm"): warm, (3, "warm"): warm}, details
