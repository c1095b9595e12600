"""Figures of the call for the dashboards (issue 12): read-only SQL aggregations over a scope.

A scope is an edition, optionally narrowed to one of its phases and to one region. Every figure is computed by the
database (aggregate/annotate/values), in a constant number of queries whatever the number of dossiers, and returned
as plain dicts and lists. The region filter is applied once, in ``scoped_dossiers``, and every other figure reads
its rows through that queryset (``dossier__in``), so a region's figures never include another region's dossiers.

A dossier's département, for the map: the département of its lead member's commune (one per dossier, so the map
adds up to the number of dossiers). The dossier's declared territory (``Dossier.departements``) may list several
départements, or none; the lead's seat is the one place DESIGN's "main region derived from the territory" and the
eligibility rules both rely on. Dossiers whose lead has no commune are counted under ``None``.

Distributions (départements, members, sectors) count filed dossiers only (``submitted_at`` set): drafts are private
to their authors. The funnel counts drafts too.

Results are cached briefly (``CACHE_TTL``) per scope; every state change bumps a generation number, so that the
next read recomputes (``invalidate``, connected to ``dossier_transitioned`` in ``ApplicationsConfig.ready``).
"""

import dataclasses
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from applications.enums import DossierState, EssLegalForm, MemberCategory, MemberRole
from applications.models import Dossier, DossierTransition, LaureateRecord, MemberStructure
from ptce_ami.core import queue

CACHE_TTL = 60  # seconds
GENERATION_KEY = "statistics:generation"
# Stale figures are kept this long, to be served while a worker computes fresh ones (``cached``).
STALE_FIGURES_TTL = 24 * 60 * 60
_FIGURES = {}


@dataclasses.dataclass(frozen=True)
class Scope:
    """What the figures cover: an edition (or all of them), one of its phases, one region (or all of them)."""

    edition_id: int | None = None
    phase_id: int | None = None
    region_id: str | None = None

    @classmethod
    def of(cls, *, edition=None, phase=None, region=None):
        """From objects (or their primary keys); a phase implies its edition."""
        phase_id = getattr(phase, "pk", phase)
        edition_id = getattr(edition, "pk", edition)
        if phase is not None and edition is None and hasattr(phase, "edition_id"):
            edition_id = phase.edition_id
        return cls(edition_id=edition_id, phase_id=phase_id, region_id=getattr(region, "pk", region))

    @property
    def key(self):
        return f"{self.edition_id or '*'}:{self.phase_id or '*'}:{self.region_id or '*'}"


# --- Cache -----------------------------------------------------------------------------------------------------------


def generation():
    """The number every state change bumps: part of every cached value's key (``cached``, ``cached_for_query``, the
    staff list's filter form)."""
    number = cache.get(GENERATION_KEY)
    if number is None:
        number = 1
        cache.add(GENERATION_KEY, number, timeout=None)
    return number


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def invalidate(**kwargs):
    """Forget every cached figure (a receiver of ``dossier_transitioned`` and ``decision_published``, both sent inside
    their transaction): at once, and again once the transaction commits, so that figures another request computed
    in between, before the change was visible, are not served for ``CACHE_TTL`` seconds."""
    _bump()
    transaction.on_commit(_bump)


def register_figures(name, compute):
    """``compute(scope)`` makes the figures cached under ``name``: what a worker runs to refresh them (``refresh``).
    Each floor registers its own (this module's ``dashboard``, reviews' through its hooks)."""
    _FIGURES[name] = compute


def _figures_key(name, scope):
    return f"statistics:figures:{name}:{scope.key}"


def cached(name, scope, compute):
    """``compute()`` cached under ``name`` and ``scope``: fresh for ``CACHE_TTL`` seconds and until the next state
    change (the generation). Once stale, with workers, the page is served the last figures at once while a worker
    computes new ones (``refresh``, queued once per ``CACHE_TTL``): a dashboard never waits for aggregations over
    every dossier of an edition, except the very first time. Without workers (inline tasks), stale figures are
    computed again in the request."""
    entry = cache.get(_figures_key(name, scope))
    if entry is not None:
        computed_generation, computed_at, value = entry
        if computed_generation == generation() and time.time() - computed_at < CACHE_TTL:
            return value
        if name in _FIGURES and not settings.CELERY_TASK_ALWAYS_EAGER:
            refresh_later(name, scope)
            return value
    return _store(name, scope, compute)


def _store(name, scope, compute):
    current = generation()  # read first: a change during the computation leaves the figures stale
    value = compute()
    cache.set(_figures_key(name, scope), (current, time.time(), value), timeout=STALE_FIGURES_TTL)
    return value


def refresh_later(name, scope):
    """Queue the computation of ``name``'s figures for ``scope``, unless one was queued less than CACHE_TTL ago."""
    if cache.add(f"statistics:refreshing:{name}:{scope.key}", 1, timeout=CACHE_TTL):
        queue.enqueue(
            "applications.refresh_figures",
            figures=name,
            edition_id=scope.edition_id,
            phase_id=scope.phase_id,
            region_id=scope.region_id,
        )


def refresh(name, scope):
    """Compute and cache ``name``'s figures for ``scope`` (the task ``applications.refresh_figures``)."""
    value = _store(name, scope, lambda: _FIGURES[name](scope))
    cache.delete(f"statistics:refreshing:{name}:{scope.key}")
    return value


def cached_for_query(name, queryset, compute):
    """``compute()`` cached like the figures, under ``name`` and the SQL of ``queryset``: its filters and the user's
    scope are the key, so that two users seeing the same selection share the value (the staff lists' counters)."""
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    key = f"statistics:{generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=CACHE_TTL)
    return value


# --- Scope -----------------------------------------------------------------------------------------------------------


def scoped_dossiers(scope):
    """Every dossier of the scope (drafts included). The only place the scope's filters are written."""
    dossiers = Dossier.objects.all()
    if scope.edition_id is not None:
        dossiers = dossiers.filter(phase__edition_id=scope.edition_id)
    if scope.phase_id is not None:
        dossiers = dossiers.filter(phase_id=scope.phase_id)
    if scope.region_id is not None:
        dossiers = dossiers.filter(region_id=scope.region_id)
    return dossiers


def filed_dossiers(scope):
    return scoped_dossiers(scope).filter(submitted_at__isnull=False)


# --- Figures ---------------------------------------------------------------------------------------------------------


def funnel(scope):
    """Drafts, then dossiers having reached each stage (nested: decided ⊂ eligible ⊂ in review ⊂ submitted), and the
    count of every state. One query."""
    states = {state.value: Count("pk", filter=Q(state=state)) for state in DossierState}
    row = scoped_dossiers(scope).aggregate(
        drafts=Count("pk", filter=Q(state=DossierState.DRAFT)),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        in_review=Count("pk", filter=Q(state__in=DossierState.instruction_started())),
        eligible=Count("pk", filter=Q(state__in=DossierState.eligible_or_decided())),
        decided=Count("pk", filter=Q(state__in=DossierState.decided())),
        **{f"state_{key}": expression for key, expression in states.items()},
    )
    by_state = {key: row.pop(f"state_{key}") for key in states}
    return {**row, "by_state": by_state}


def dossiers_per_departement(scope):
    """[{code, name, count}] of filed dossiers by their lead member's département (see the module's note). One query:
    a join on the lead (one per dossier, ``member_one_lead_per_dossier``), grouped, not a subquery per dossier."""
    rows = (
        filed_dossiers(scope)
        .annotate(lead=FilteredRelation("members", condition=Q(members__role=MemberRole.LEAD)))
        .order_by()
        .values(dept_code=F("lead__commune__departement_id"), dept_name=F("lead__commune__departement__name"))
        .annotate(count=Count("pk"))
        .order_by(F("dept_code").asc(nulls_last=True))
    )
    return [{"code": row["dept_code"], "name": row["dept_name"], "count": row["count"]} for row in rows]


def member_composition(scope):
    """Members of filed dossiers by art. 9 category and by ESS legal form ("" for none). Two queries."""
    members = MemberStructure.objects.filter(dossier__in=filed_dossiers(scope)).order_by()
    categories = dict(members.values_list("category").annotate(count=Count("pk")))
    legal_forms = dict(members.values_list("ess_legal_form").annotate(count=Count("pk")))
    return {
        "categories": [
            {"code": code, "label": str(label), "count": categories.get(code, 0)}
            for code, label in MemberCategory.choices
        ],
        "legal_forms": [
            {"code": code, "label": str(label), "count": legal_forms.get(code, 0)}
            for code, label in EssLegalForm.choices
        ]
        + [{"code": "", "label": "", "count": legal_forms.get("", 0)}],
    }


def sectors(scope):
    """[{code, label, count}] of filed dossiers by sector (a dossier may have several), most frequent first."""
    through = Dossier.sectors.through.objects.filter(dossier__in=filed_dossiers(scope))
    rows = (
        through.order_by()
        .values("sector__code", "sector__label")
        .annotate(count=Count("dossier_id"))
        .order_by("-count", "sector__label")
    )
    return [{"code": row["sector__code"], "label": row["sector__label"], "count": row["count"]} for row in rows]


def submissions_per_day(scope):
    """[{day, count, total}] of first submissions (the "submit" transitions) up to each phase's deadline, by day in
    Paris time; ``total`` is the running sum. One query."""
    paris = timezone.get_default_timezone()
    rows = (
        DossierTransition.objects.filter(
            dossier__in=scoped_dossiers(scope), action="submit", at__lte=F("dossier__phase__closes_at")
        )
        .annotate(day=TruncDate("at", tzinfo=paris))
        .order_by()
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    result, total = [], 0
    for row in rows:  # one row per day, not per dossier
        total += row["count"]
        result.append({"day": row["day"], "count": row["count"], "total": total})
    return result


def _first_transition(to_states):
    return Subquery(
        DossierTransition.objects.filter(dossier=OuterRef("pk"), to_state__in=to_states)
        .order_by()
        .values("dossier")
        .annotate(first=Min("at"))
        .values("first")[:1],
        output_field=DateTimeField(),
    )


def _nearest_rank(durations, count, fraction):
    """The nearest-rank percentile: the value at rank ⌈fraction × count⌉, None without any (one query, by OFFSET,
    run even when there is none, so that the number of queries never varies)."""
    rank = max(1, math.ceil(fraction * count))
    return durations.order_by("duration").values_list("duration", flat=True)[rank - 1 : rank].first()


def processing_times(scope):
    """Median and 90th percentile (nearest rank) of the time from the first submission to the eligibility decision
    and to the committee's decision, as timedeltas (None without any). Read from DossierTransition; five queries."""
    submitted = _first_transition([DossierState.SUBMITTED])
    result = {}
    stages = {
        "eligibility": list(DossierState.eligibility_declared()),
        "decision": list(DossierState.decided()),
    }
    annotated = {}
    for name, states in stages.items():
        annotated[name] = (
            scoped_dossiers(scope)
            .annotate(start=submitted, end=_first_transition(states))
            .filter(start__isnull=False, end__isnull=False)
            .annotate(duration=ExpressionWrapper(F("end") - F("start"), output_field=DurationField()))
        )
    counts = scoped_dossiers(scope).aggregate(
        **{name: Count("pk", filter=Q(pk__in=durations.values("pk"))) for name, durations in annotated.items()}
    )
    for name, durations in annotated.items():
        count = counts[name]
        result[name] = {
            "count": count,
            "median": _nearest_rank(durations, count, 0.5),
            "p90": _nearest_rank(durations, count, 0.9),
        }
    return result


def history(region_id=None):
    """Per year: filed dossiers and laureates of each edition, and the imported laureates of the history
    (LaureateRecord), optionally in one region. Two queries; years ascending. The amounts committed by year are the
    committee's (``reviews.services.statistics.history``, which reads this)."""
    dossiers = Dossier.objects.filter(submitted_at__isnull=False)
    records = LaureateRecord.objects.all()
    if region_id is not None:
        dossiers = dossiers.filter(region_id=region_id)
        records = records.filter(region_id=region_id)
    years = {}
    for row in (
        dossiers.order_by()
        .values("phase__edition__year")
        .annotate(applications=Count("pk"), laureates=Count("pk", filter=Q(state=DossierState.LAUREATE)))
    ):
        years[row["phase__edition__year"]] = {
            "applications": row["applications"],
            "laureates": row["laureates"],
            "imported_laureates": 0,
        }
    for row in records.order_by().values("year").annotate(count=Count("pk")):
        entry = years.setdefault(row["year"], {"applications": 0, "laureates": 0, "imported_laureates": 0})
        entry["imported_laureates"] = row["count"]
    return [{"year": year, **years[year]} for year in sorted(years)]


def figures(scope):
    """Every figure of the scope, computed."""
    return {
        "funnel": funnel(scope),
        "departements": dossiers_per_departement(scope),
        "members": member_composition(scope),
        "sectors": sectors(scope),
        "submissions_per_day": submissions_per_day(scope),
        "processing_times": processing_times(scope),
    }


register_figures("applications", figures)


def dashboard(scope):
    """Every figure of the scope, cached (see ``cached``)."""
    return cached("applications", scope, lambda: figures(scope))
