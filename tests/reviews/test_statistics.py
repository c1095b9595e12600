import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from applications.enums import DossierState, PaymentCondition
from applications.models import Dossier, LaureateRecord
from applications.services.statistics import Scope
from reviews.enums import DecisionOutcome, PaymentStatus
from reviews.models import Assignment, AssignmentStatus, Decision, Grant, Payment
from reviews.services import statistics
from territories.enums import Zone
from territories.models import Region
from tests.applications.factories import DossierFactory, EditionFactory, PhaseFactory
from tests.reviews.factories import AssignmentFactory, RegionalOpinionFactory, decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase(db):
    return PhaseFactory(edition=EditionFactory(year=2026))


def submitted(phase, region):
    return DossierFactory(phase=phase, region_id=region, submitted=True)


def laureate(phase, region, amount, staff, *, paid=(), unpaid=()):
    """A published laureate with a grant of ``amount`` and its tranches (paid and not)."""
    dossier = submitted(phase, region)
    decision = decide(dossier, amount=Decimal(amount), by=staff)
    grant = Grant.objects.create(dossier=dossier, decision=decision, amount=Decimal(amount))
    for index, (value, status) in enumerate(
        [(value, PaymentStatus.PAID) for value in paid] + [(value, PaymentStatus.SCHEDULED) for value in unpaid]
    ):
        Payment.objects.create(
            grant=grant,
            position=index + 1,
            label=f"Tranche {index + 1}",
            percent=50,
            amount=Decimal(value),
            condition=PaymentCondition.SIGNATURE,
            status=status,
            paid_on=timezone.localdate() if status == PaymentStatus.PAID else None,
        )
    return dossier


@pytest.fixture
def sample(referential, phase, staff):
    yesterday = timezone.now() - datetime.timedelta(days=2)
    ara, corsica = submitted(phase, "84"), submitted(phase, "94")
    AssignmentFactory(dossier=ara, confirmed=True)  # pending, not late
    AssignmentFactory(dossier=ara, due_at=yesterday)  # late
    AssignmentFactory(dossier=ara, status=AssignmentStatus.SUBMITTED, due_at=yesterday)  # rendered, not late
    AssignmentFactory(dossier=ara, status=AssignmentStatus.CONFLICT)
    AssignmentFactory(dossier=corsica, due_at=yesterday)  # late, in Corsica
    RegionalOpinionFactory(dossier__phase=phase, dossier__region_id="84", opinion="favourable")
    RegionalOpinionFactory(dossier__phase=phase, dossier__region_id="94", opinion="reserved")
    DossierFactory(phase=phase, region_id="84", state=DossierState.ELIGIBLE, submitted_at=timezone.now())
    laureate(phase, "84", "30000", staff, paid=["15000"], unpaid=["15000"])
    laureate(phase, "84", "20000", staff, unpaid=["20000"])
    laureate(phase, "94", "50000", staff, paid=["25000", "25000"])
    decide(submitted(phase, "84"), amount=Decimal("99999"), published=False, by=staff)  # provisional: not counted
    decide(submitted(phase, "84"), outcome=DecisionOutcome.NOT_RETAINED, by=staff)
    return {"ara": ara, "corsica": corsica}


def test_review_progress_matches_direct_counts(sample, phase):
    figures = statistics.review_progress(Scope.of(phase=phase))
    assignments = Assignment.objects.filter(dossier__phase=phase)
    assert figures == {
        "assigned": assignments.active().count(),
        "submitted": assignments.filter(status=AssignmentStatus.SUBMITTED).count(),
        "pending": assignments.pending().count(),
        "overdue": assignments.late().count(),
        "conflicts": 1,
    }
    assert figures["overdue"] == 2 and figures["assigned"] == 4
    assert statistics.review_progress(Scope.of(phase=phase, region="84"))["overdue"] == 1


def test_regional_opinions_given_and_pending(sample, phase):
    figures = statistics.regional_opinions(Scope.of(phase=phase))
    # Eligible or decided: 2 with an opinion, 1 eligible, 3 laureates, 1 provisional (eligible), 1 not retained.
    assert figures["expected"] == 8 and figures["given"] == 2 and figures["pending"] == 6
    assert figures["by_opinion"] == {"favourable": 1, "reserved": 1, "unfavourable": 0}
    by_region = {row["region"]: row for row in figures["by_region"]}
    assert by_region["84"]["expected"] == 6 and by_region["84"]["given"] == 1
    assert by_region["94"] == {
        "region": "94",
        "name": by_region["94"]["name"],
        "expected": 2,
        "given": 1,
        "pending": 1,
    }


def test_laureates_and_amounts_count_published_decisions_only(sample, phase):
    figures = statistics.laureates_and_amounts(Scope.of(phase=phase))
    published = Decision.objects.published().filter(dossier__phase=phase, outcome=DecisionOutcome.LAUREATE)
    assert figures["laureates"] == published.count() == 3
    assert figures["committed"] == published.aggregate(total=Sum("amount"))["total"] == Decimal("100000")
    by_region = {row["region"]: row for row in figures["by_region"]}
    assert by_region["84"]["committed"] == Decimal("50000") and by_region["94"]["laureates"] == 1
    assert figures["by_phase"] == [
        {"phase": phase.pk, "envelope": phase.envelope, "laureates": 3, "committed": Decimal("100000")}
    ]


def test_grants_and_tranches_paid_per_region(sample, phase):
    rows = {row["region"]: row for row in statistics.grants_per_region(Scope.of(phase=phase))}
    assert rows["84"]["grants"] == 2 and rows["84"]["granted"] == Decimal("50000")
    assert rows["84"]["tranches_paid"] == 1 and rows["84"]["paid"] == Decimal("15000")
    assert rows["84"]["to_pay"] == Decimal("35000")
    assert rows["94"]["granted"] == Decimal("50000") and rows["94"]["paid"] == Decimal("50000")
    paid = Payment.objects.filter(grant__dossier__phase=phase, status=PaymentStatus.PAID)
    assert sum(row["paid"] for row in rows.values()) == paid.aggregate(total=Sum("amount"))["total"]


def test_a_region_never_sees_another_regions_figures(sample, phase):
    corsica = statistics.dashboard(Scope.of(phase=phase, region="94"))
    assert corsica["reviews"]["assigned"] == 1
    assert [row["region"] for row in corsica["opinions"]["by_region"]] == ["94"]
    assert [row["region"] for row in corsica["laureates"]["by_region"]] == ["94"]
    assert corsica["laureates"]["committed"] == Decimal("50000")
    assert [row["region"] for row in corsica["grants"]] == ["94"]
    nobody = statistics.dashboard(Scope.of(phase=phase, region="11"))
    assert nobody["reviews"]["assigned"] == 0 and nobody["grants"] == []
    assert nobody["laureates"] == {"laureates": 0, "committed": Decimal("0"), "by_region": [], "by_phase": []}


def test_the_regions_side_by_side_match_direct_counts(sample, phase):
    rows = {row["region"]: row for row in statistics.region_comparison(Scope.of(phase=phase))}
    # Every region, even without dossiers; the overseas collectivities only with filed dossiers.
    assert set(rows) == set(Region.objects.exclude(zone=Zone.COM).values_list("code", flat=True))
    for code, row in rows.items():
        dossiers = Dossier.objects.filter(phase=phase, region_id=code)
        eligible = dossiers.filter(state__in=DossierState.eligible_or_decided())
        published = Decision.objects.published().filter(dossier__in=dossiers, outcome=DecisionOutcome.LAUREATE)
        assert row["filed"] == dossiers.exclude(submitted_at=None).count(), code
        assert row["eligible"] == eligible.count(), code
        assert row["opinions_pending"] == eligible.filter(regional_opinion=None).count(), code
        assert row["laureates"] == published.count(), code
        assert row["committed"] == (published.aggregate(total=Sum("amount"))["total"] or 0), code
    assert rows["84"]["laureates"] == 2 and rows["84"]["committed"] == Decimal("50000")
    assert rows["28"]["filed"] == 0 and rows["28"]["committed"] == Decimal("0")


def test_an_overseas_collectivity_joins_the_comparison_with_its_first_filed_dossier(sample, phase):
    collectivity = Region.objects.filter(zone=Zone.COM).first() or Region.objects.create(
        code="975", name="Saint-Pierre-et-Miquelon", zone=Zone.COM
    )
    assert collectivity.code not in {row["region"] for row in statistics.region_comparison(Scope.of(phase=phase))}
    filed = Dossier.objects.filter(phase=phase).exclude(submitted_at=None).first()
    Dossier.objects.filter(pk=filed.pk).update(region=collectivity)
    rows = {row["region"]: row for row in statistics.region_comparison(Scope.of(phase=phase))}
    assert rows[collectivity.code]["filed"] == 1


def test_the_history_adds_the_amounts_committed_by_year(sample, phase, staff):
    LaureateRecord.objects.all().delete()
    LaureateRecord.objects.create(year=2021, call="AMI 2021", kind="phase2", name="Pôle ancien", region_id="84")
    old = PhaseFactory(edition=EditionFactory(year=2024))
    laureate(old, "94", "40000", staff)
    filed = Dossier.objects.filter(phase=phase).exclude(submitted_at=None).count()
    assert statistics.history() == [
        {"year": 2021, "applications": 0, "laureates": 0, "imported_laureates": 1, "committed": Decimal("0")},
        {"year": 2024, "applications": 1, "laureates": 1, "imported_laureates": 0, "committed": Decimal("40000")},
        {"year": 2026, "applications": filed, "laureates": 3, "imported_laureates": 0, "committed": Decimal("100000")},
    ]
    assert [row["committed"] for row in statistics.history("84")] == [Decimal("0"), Decimal("50000")]


@pytest.mark.parametrize("count", [3, 30])
def test_constant_number_of_queries(referential, phase, staff, count, django_assert_num_queries):
    for index in range(count):
        region = ("84", "94")[index % 2]
        AssignmentFactory(dossier=submitted(phase, region))
        laureate(phase, region, "10000", staff, paid=["5000"], unpaid=["5000"])
    # progress 1, opinions 2, laureates 3, grants 2, history 3, regions 3 (the cache is not in the database).
    with django_assert_num_queries(14):
        figures = statistics.dashboard(Scope.of(phase=phase))
    assert figures["laureates"]["laureates"] == count


def test_the_cache_is_forgotten_on_a_transition(referential, phase, staff, django_assert_num_queries):
    dossier = submitted(phase, "84")
    scope = Scope.of(phase=phase)
    assert statistics.dashboard(scope)["laureates"]["laureates"] == 0
    with django_assert_num_queries(0):
        statistics.dashboard(scope)
    decide(dossier, amount=Decimal("1000"), by=staff)  # publishes: transitions the dossier
    assert statistics.dashboard(scope)["laureates"]["laureates"] == 1
