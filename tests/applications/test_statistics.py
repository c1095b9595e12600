import datetime

import pytest
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from applications.enums import DossierState, EssLegalForm, MemberCategory
from applications.models import Dossier, LaureateRecord, MemberStructure, Sector
from applications.services import statistics
from applications.services.statistics import Scope
from applications.services.workflow import transition
from applications.tasks import refresh_figures
from ptce_ami.core import queue
from ptce_ami.core.models import QueuedTask
from reviews.services import statistics as reviews_statistics
from territories.models import Commune
from tests.applications.factories import DossierFactory, EditionFactory, MemberFactory, PhaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase(db):
    return PhaseFactory(
        edition=EditionFactory(year=2026),
        opens_at=timezone.now() - datetime.timedelta(days=40),
        closes_at=timezone.now() + datetime.timedelta(days=5),
    )


def make_dossier(phase, staff, *, commune_code="69123", region="84", actions=(), start=None, step_days=2, sector=None):
    """A dossier with a lead in ``commune_code`` and one other member, submitted at ``start`` then moved through
    ``actions`` every ``step_days`` days (through the workflow, so that DossierTransition rows exist)."""
    dossier = DossierFactory(phase=phase, region_id=region)
    commune = Commune.objects.get(code=commune_code, kind="commune-actuelle")
    MemberFactory(dossier=dossier, lead=True, commune=commune)
    MemberFactory(dossier=dossier, category=MemberCategory.COLLECTIVITE, ess_legal_form="", commune=commune)
    if sector:
        dossier.sectors.add(sector)
    at = start or timezone.now() - datetime.timedelta(days=30)
    for action in actions:
        transition(dossier, action, by=staff, at=at, comment="motif")
        at += datetime.timedelta(days=step_days)
    return dossier


FULL = ("submit", "start_review", "declare_eligible", "select_laureate")


@pytest.fixture
def sample(referential, phase, staff):
    circular, _ = Sector.objects.get_or_create(code="economie-circulaire", defaults={"label": "Économie circulaire"})
    food, _ = Sector.objects.get_or_create(code="alimentation", defaults={"label": "Alimentation"})
    base = timezone.now() - datetime.timedelta(days=30)
    return {
        "draft": make_dossier(phase, staff, sector=circular),
        "submitted": make_dossier(phase, staff, actions=("submit",), start=base, sector=circular),
        "reviewed": make_dossier(phase, staff, commune_code="42218", actions=FULL[:2], start=base, sector=food),
        "ineligible": make_dossier(
            phase, staff, actions=("submit", "start_review", "declare_ineligible"), start=base, step_days=1
        ),
        "laureate": make_dossier(phase, staff, actions=FULL, start=base + datetime.timedelta(days=1), step_days=3),
        "corsica": make_dossier(phase, staff, commune_code="2A004", region="94", actions=FULL, start=base),
    }


def test_funnel_matches_direct_counts(sample, phase):
    scope = Scope.of(phase=phase)
    figures = statistics.funnel(scope)
    dossiers = Dossier.objects.filter(phase=phase)
    assert figures["drafts"] == dossiers.filter(state=DossierState.DRAFT).count() == 1
    assert figures["submitted"] == dossiers.exclude(submitted_at=None).count() == 5
    assert figures["in_review"] == 4  # reviewed, ineligible, laureate, corsica
    assert figures["eligible"] == dossiers.filter(state__in=DossierState.eligible_or_decided()).count() == 2
    assert figures["decided"] == dossiers.filter(state__in=DossierState.decided()).count() == 2
    assert figures["by_state"] == {state.value: dossiers.filter(state=state).count() for state in DossierState}
    assert figures["submitted"] >= figures["in_review"] >= figures["eligible"] >= figures["decided"]


def test_departements_from_the_lead_members_commune(sample, phase):
    rows = statistics.dossiers_per_departement(Scope.of(phase=phase))
    assert rows == [
        {"code": "2A", "name": "Corse-du-Sud", "count": 1},
        {"code": "42", "name": "Loire", "count": 1},
        {"code": "69", "name": "Rhône", "count": 3},
    ]
    assert sum(row["count"] for row in rows) == Dossier.objects.filter(phase=phase).exclude(submitted_at=None).count()


def test_a_dossier_whose_lead_has_no_commune_is_counted_apart(referential, phase, staff):
    dossier = make_dossier(phase, staff, actions=("submit",))
    dossier.members.filter(role="lead").update(commune=None)
    make_dossier(phase, staff, actions=("submit",))
    assert statistics.dossiers_per_departement(Scope.of(phase=phase)) == [
        {"code": "69", "name": "Rhône", "count": 1},
        {"code": None, "name": None, "count": 1},
    ]


def test_members_and_sectors_match_direct_counts(sample, phase):
    scope = Scope.of(phase=phase)
    members = statistics.member_composition(scope)
    filed = MemberStructure.objects.filter(dossier__phase=phase, dossier__submitted_at__isnull=False)
    categories = {row["code"]: row["count"] for row in members["categories"]}
    assert categories[MemberCategory.ESS_ENTERPRISE] == filed.filter(category=MemberCategory.ESS_ENTERPRISE).count()
    assert categories[MemberCategory.COLLECTIVITE] == filed.filter(category=MemberCategory.COLLECTIVITE).count() == 5
    assert sum(categories.values()) == filed.count() == 10
    forms = {row["code"]: row["count"] for row in members["legal_forms"]}
    assert forms[EssLegalForm.ASSOCIATION] == 5 and forms[""] == 5
    expected = dict(
        Dossier.sectors.through.objects.filter(dossier__phase=phase, dossier__submitted_at__isnull=False)
        .values_list("sector__code")
        .annotate(n=Count("pk"))
    )
    assert (
        {row["code"]: row["count"] for row in statistics.sectors(scope)}
        == expected
        == {
            "economie-circulaire": 1,
            "alimentation": 1,
        }
    )


def test_submissions_per_day_stop_at_the_deadline(sample, phase, staff, referential):
    late = DossierFactory(phase=phase, region_id="84")
    transition(late, "submit", by=staff, at=phase.closes_at + datetime.timedelta(hours=1))
    rows = statistics.submissions_per_day(Scope.of(phase=phase))
    assert sum(row["count"] for row in rows) == 5  # not the late one
    assert [row["count"] for row in rows] == [4, 1]
    assert rows[-1]["total"] == 5
    assert rows[0]["day"] < rows[1]["day"]


def test_processing_times_median_and_p90(sample, phase):
    times = statistics.processing_times(Scope.of(phase=phase))
    # Submission → eligibility: ineligible 2 days, reviewed not yet, laureate 6 days, corsica 4 days.
    assert times["eligibility"]["count"] == 3
    assert times["eligibility"]["median"] == datetime.timedelta(days=4)
    assert times["eligibility"]["p90"] == datetime.timedelta(days=6)
    # Submission → decision: laureate 9 days, corsica 6 days.
    assert times["decision"] == {
        "count": 2,
        "median": datetime.timedelta(days=6),
        "p90": datetime.timedelta(days=9),
    }
    empty = statistics.processing_times(Scope(edition_id=phase.edition_id, region_id="11"))
    assert empty["decision"] == {"count": 0, "median": None, "p90": None}


def test_history_counts_editions_and_imported_laureates(sample, phase, staff):
    LaureateRecord.objects.all().delete()  # the history seeded by the migrations
    LaureateRecord.objects.create(year=2021, call="AMI 2021", kind="phase2", name="Pôle ancien", region_id="84")
    LaureateRecord.objects.create(year=2021, call="AMI 2021", kind="phase2", name="Pôle corse", region_id="94")
    LaureateRecord.objects.create(year=2026, call="AMI 2026", kind="phase1", name="Pôle importé", region_id="84")
    assert statistics.history() == [
        {"year": 2021, "applications": 0, "laureates": 0, "imported_laureates": 2},
        {"year": 2026, "applications": 5, "laureates": 2, "imported_laureates": 1},
    ]
    assert statistics.history("84") == [
        {"year": 2021, "applications": 0, "laureates": 0, "imported_laureates": 1},
        {"year": 2026, "applications": 4, "laureates": 1, "imported_laureates": 1},
    ]


def test_a_region_never_sees_another_regions_dossiers(sample, phase):
    ara = statistics.dashboard(Scope.of(phase=phase, region="84"))
    corsica = statistics.dashboard(Scope.of(phase=phase, region="94"))
    assert ara["funnel"]["submitted"] == 4 and corsica["funnel"]["submitted"] == 1
    assert {row["code"] for row in ara["departements"]} == {"42", "69"}
    assert {row["code"] for row in corsica["departements"]} == {"2A"}
    assert sum(row["count"] for row in corsica["members"]["categories"]) == 2
    assert corsica["sectors"] == []
    assert corsica["processing_times"]["decision"]["count"] == 1
    assert sum(row["count"] for row in corsica["submissions_per_day"]) == 1
    assert ara["funnel"]["decided"] == 1
    # A region with no dossier sees nothing at all.
    empty = statistics.dashboard(Scope.of(phase=phase, region="11"))
    assert empty["funnel"]["submitted"] == empty["funnel"]["drafts"] == 0
    assert empty["departements"] == [] and empty["submissions_per_day"] == []


def _populate(phase, staff, count):
    for index in range(count):
        actions = FULL[: 1 + index % 4]
        make_dossier(phase, staff, commune_code=("69123", "42218", "2A004")[index % 3], actions=actions)


@pytest.mark.parametrize("count", [3, 30])
def test_constant_number_of_queries(referential, phase, staff, count, django_assert_num_queries):
    _populate(phase, staff, count)
    scope = Scope.of(phase=phase, region="84")
    # funnel 1, départements 1, members 2, sectors 1, per day 1, processing times 5 (the cache is not in the
    # database; the history by year is read with the committee's amounts, in reviews).
    with django_assert_num_queries(11):
        figures = statistics.dashboard(scope)
    assert figures["funnel"]["drafts"] == 0


def test_the_cache_serves_then_forgets_on_a_transition(referential, phase, staff, django_assert_num_queries):
    dossier = make_dossier(phase, staff, actions=("submit",))
    scope = Scope.of(phase=phase)
    assert statistics.dashboard(scope)["funnel"]["in_review"] == 0
    with django_assert_num_queries(0):
        assert statistics.dashboard(scope)["funnel"]["in_review"] == 0
    transition(dossier, "start_review", by=staff)
    assert statistics.dashboard(scope)["funnel"]["in_review"] == 1


def test_figures_computed_before_the_commit_are_forgotten_after_it(
    referential, phase, staff, django_capture_on_commit_callbacks
):
    dossier = make_dossier(phase, staff, actions=("submit",))
    scope = Scope.of(phase=phase)
    with django_capture_on_commit_callbacks(execute=True):
        transition(dossier, "start_review", by=staff)
        # Another request reading before the commit would cache what it sees then; simulate it with stale figures.
        statistics.cached("applications", scope, lambda: {"stale": True})
    assert "stale" not in statistics.dashboard(scope)
    assert statistics.dashboard(scope)["funnel"]["in_review"] == 1


def test_with_workers_stale_figures_are_served_while_a_worker_computes_new_ones(
    referential, phase, staff, settings, monkeypatch, django_assert_num_queries
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a deployment with workers
    monkeypatch.setattr(queue, "send", lambda record, task=None: True)  # the broker took it
    dossier = make_dossier(phase, staff, actions=("submit",))
    scope = Scope.of(phase=phase)
    assert statistics.dashboard(scope)["funnel"]["in_review"] == 0  # nothing cached yet: computed in the request

    transition(dossier, "start_review", by=staff)

    # One query: the refresh recorded (QueuedTask), never the aggregations; a second stale read queues nothing more.
    with django_assert_num_queries(1):
        assert statistics.dashboard(scope)["funnel"]["in_review"] == 0
    with django_assert_num_queries(0):
        assert statistics.dashboard(scope)["funnel"]["in_review"] == 0
    queued = QueuedTask.objects.get(name="applications.refresh_figures")
    assert queued.kwargs == {
        "figures": "applications",
        "edition_id": phase.edition_id,
        "phase_id": phase.pk,
        "region_id": None,
    }

    refresh_figures.apply(kwargs=queued.kwargs)  # what the worker runs

    with django_assert_num_queries(0):
        assert statistics.dashboard(scope)["funnel"]["in_review"] == 1


def test_a_worker_refreshes_the_reviews_figures_too(referential, phase, staff, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(queue, "send", lambda record, task=None: True)
    scope = Scope.of(phase=phase)
    reviews_statistics.dashboard(scope)
    statistics.invalidate()
    reviews_statistics.dashboard(scope)
    queued = QueuedTask.objects.get(name="applications.refresh_figures")
    assert queued.kwargs["figures"] == "reviews"
    refresh_figures.apply(kwargs=queued.kwargs)
    entry = cache.get(f"statistics:figures:reviews:{scope.key}")
    assert entry[0] == statistics.generation()
    assert set(entry[2]) == {"reviews", "opinions", "laureates", "grants", "history", "regions"}
