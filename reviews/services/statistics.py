"""Figures of the instruction and selection for the dashboards (issue 12): review progress, regional opinions,
laureates and amounts committed, grants and tranches paid.

Same contract as ``applications/services/statistics.py`` (whose ``Scope``, ``scoped_dossiers`` and cache this
module reads): SQL aggregation only, a constant number of queries, plain dicts and lists, and every row reached
through the scope's dossiers (``dossier__in``), so that a region's figures never include another region's dossiers.
Amounts are Decimals (0 when there is none). The cache is forgotten on every transition and every publication of
decisions (``reviews/hooks.py``); a tranche recorded as paid shows within ``CACHE_TTL`` seconds.
"""

import dataclasses
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce

from applications.enums import DossierState
from applications.services import statistics as applications_statistics
from applications.services.statistics import cached, scoped_dossiers
from reviews.enums import DecisionOutcome, PaymentStatus
from reviews.models import Assignment, AssignmentStatus, Decision, Grant, Opinion, Payment
from reviews.models.evaluation import late_q
from territories.enums import Zone
from territories.models import Region

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _sum(field, **filters):
    return Coalesce(Sum(field, filter=Q(**filters) if filters else None), ZERO)


def review_progress(scope, now=None):
    """Assignments of the scope's dossiers: assigned (conflicts excluded), submitted, pending, overdue (pending after
    their due day, ``late_q``), and the conflicts declared. One query."""
    return Assignment.objects.filter(dossier__in=scoped_dossiers(scope)).aggregate(
        assigned=Count("pk", filter=~Q(status=AssignmentStatus.CONFLICT)),
        submitted=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)),
        pending=Count("pk", filter=Q(status__in=AssignmentStatus.pending())),
        overdue=Count("pk", filter=late_q(now=now)),
        conflicts=Count("pk", filter=Q(status=AssignmentStatus.CONFLICT)),
    )


def regional_opinions(scope):
    """Opinions given vs pending on the eligible or decided dossiers (those the region gives its opinion on), in
    total and by region ({region, name, expected, given, pending}). Two queries."""
    expected = scoped_dossiers(scope).filter(state__in=DossierState.eligible_or_decided())
    by_opinion = {opinion.value: Count("pk", filter=Q(regional_opinion__opinion=opinion)) for opinion in Opinion}
    totals = expected.aggregate(
        expected=Count("pk"), given=Count("regional_opinion"), **{f"opinion_{k}": v for k, v in by_opinion.items()}
    )
    totals["pending"] = totals["expected"] - totals["given"]
    totals["by_opinion"] = {key: totals.pop(f"opinion_{key}") for key in by_opinion}
    rows = (
        expected.order_by()
        .values("region_id", "region__name")
        .annotate(expected=Count("pk"), given=Count("regional_opinion"))
        .order_by("region_id")
    )
    totals["by_region"] = [
        {
            "region": row["region_id"],
            "name": row["region__name"],
            "expected": row["expected"],
            "given": row["given"],
            "pending": row["expected"] - row["given"],
        }
        for row in rows
    ]
    return totals


def laureates_and_amounts(scope):
    """Published, current laureate decisions: their number and the amounts committed, in total, by region and by
    phase (with the phase's envelope, for committed vs available). Three queries."""
    decisions = Decision.objects.published().filter(
        dossier__in=scoped_dossiers(scope), outcome=DecisionOutcome.LAUREATE
    )
    totals = decisions.aggregate(laureates=Count("pk"), committed=_sum("amount"))
    by_region = (
        decisions.order_by()
        .values("dossier__region_id", "dossier__region__name")
        .annotate(laureates=Count("pk"), committed=_sum("amount"))
        .order_by("dossier__region_id")
    )
    by_phase = (
        decisions.order_by()
        .values("dossier__phase_id", "dossier__phase__envelope")
        .annotate(laureates=Count("pk"), committed=_sum("amount"))
        .order_by("dossier__phase_id")
    )
    totals["by_region"] = [
        {
            "region": row["dossier__region_id"],
            "name": row["dossier__region__name"],
            "laureates": row["laureates"],
            "committed": row["committed"],
        }
        for row in by_region
    ]
    totals["by_phase"] = [
        {
            "phase": row["dossier__phase_id"],
            "envelope": row["dossier__phase__envelope"],
            "laureates": row["laureates"],
            "committed": row["committed"],
        }
        for row in by_phase
    ]
    return totals


def grants_per_region(scope):
    """Grants (number, amount) and their tranches (paid: number and amount; still to pay: amount), by region
    ({region, name, grants, granted, tranches_paid, paid, to_pay}). Two queries: payments are summed apart from the
    grants so that the grants' amounts are not multiplied by the join."""
    grants = (
        Grant.objects.filter(dossier__in=scoped_dossiers(scope))
        .order_by()
        .values("dossier__region_id", "dossier__region__name")
        .annotate(grants=Count("pk"), granted=_sum("amount"))
        .order_by("dossier__region_id")
    )
    payments = {
        row["grant__dossier__region_id"]: row
        for row in Payment.objects.filter(grant__dossier__in=scoped_dossiers(scope))
        .order_by()
        .values("grant__dossier__region_id")
        .annotate(
            tranches_paid=Count("pk", filter=Q(status=PaymentStatus.PAID)),
            paid=_sum("amount", status=PaymentStatus.PAID),
            to_pay=_sum("amount", status__in=[PaymentStatus.SCHEDULED, PaymentStatus.PAYABLE]),
        )
    }
    result = []
    for row in grants:  # one row per region
        paid = payments.get(row["dossier__region_id"], {})
        result.append(
            {
                "region": row["dossier__region_id"],
                "name": row["dossier__region__name"],
                "grants": row["grants"],
                "granted": row["granted"],
                "tranches_paid": paid.get("tranches_paid", 0),
                "paid": paid.get("paid", Decimal("0")),
                "to_pay": paid.get("to_pay", Decimal("0")),
            }
        )
    return result


def region_comparison(scope):
    """The regions side by side: dossiers filed, eligible (or decided), laureates and amounts committed (published
    decisions), regional opinions pending. The 18 regions (metropolitan and overseas), and an overseas collectivity
    only when it has filed dossiers, in the referential's order; ``scope.region_id`` is ignored (the comparison is
    national by nature). Three queries: the regions, the dossiers grouped by region and the decisions grouped by
    region, each one pass over its rows (a correlated subquery per region and figure read the dossiers 26 × 5
    times)."""
    national = dataclasses.replace(scope, region_id=None)
    dossiers = scoped_dossiers(national)
    eligible = Q(state__in=DossierState.eligible_or_decided())
    counts = {
        row.pop("region_id"): row
        for row in dossiers.order_by()
        .values("region_id")
        .annotate(
            filed=Count("pk", filter=Q(submitted_at__isnull=False)),
            eligible=Count("pk", filter=eligible),
            opinions_pending=Count("pk", filter=eligible & Q(regional_opinion__isnull=True)),
        )
    }
    decisions = {
        row.pop("dossier__region_id"): row
        for row in Decision.objects.published()
        .filter(dossier__in=dossiers, outcome=DecisionOutcome.LAUREATE)
        .order_by()
        .values("dossier__region_id")
        .annotate(laureates=Count("pk"), committed=_sum("amount"))
    }
    none = {"filed": 0, "eligible": 0, "opinions_pending": 0}
    rows = []
    for code, name, zone in Region.objects.order_by("name").values_list("code", "name", "zone"):
        figures = counts.get(code, none) | decisions.get(code, {"laureates": 0, "committed": Decimal("0")})
        if zone != Zone.COM or figures["filed"]:
            rows.append({"region": code, "name": name, **{key: figures[key] for key in COMPARISON_FIGURES}})
    return rows


COMPARISON_FIGURES = ("filed", "eligible", "laureates", "committed", "opinions_pending")


def history(region_id=None):
    """Per year, ascending: the applications and laureates of each edition and the imported laureates of the history
    (``applications.services.statistics.history``), with the laureates' amounts committed by the published decisions
    of that year's edition. The imported history (LaureateRecord) records no amount: its laureates are counted, not
    summed. Three queries."""
    decisions = Decision.objects.published().filter(
        outcome=DecisionOutcome.LAUREATE, dossier__submitted_at__isnull=False
    )
    if region_id is not None:
        decisions = decisions.filter(dossier__region_id=region_id)
    committed = dict(decisions.order_by().values_list("dossier__phase__edition__year").annotate(total=_sum("amount")))
    # Decisions are taken on filed dossiers only: every year with an amount is a year of the applications' history.
    return [
        {**row, "committed": committed.get(row["year"], Decimal("0"))}
        for row in applications_statistics.history(region_id)
    ]


def dashboard(scope):
    """Every figure of the scope, cached (``applications.services.statistics.cached``); the comparison of regions
    only for a national scope."""
    return cached("reviews", scope, lambda: figures(scope))


def figures(scope):
    """Every figure of the scope, computed (registered by reviews/hooks.py, for the workers' refresh)."""
    return {
        "reviews": review_progress(scope),
        "opinions": regional_opinions(scope),
        "laureates": laureates_and_amounts(scope),
        "grants": grants_per_region(scope),
        "history": history(scope.region_id),
        "regions": region_comparison(scope) if scope.region_id is None else [],
    }
