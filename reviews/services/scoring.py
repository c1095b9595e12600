"""Scores (DESIGN §7): a review's weighted score on 100, a dossier's score from its counted reviews.

A review's total is the weighted sum of its criteria's levels, on 100: sum(weight × level / 4) / sum(weight) × 100.
A dossier's score is the mean or the median (per grid) of its counted reviews (submitted, and not removed by a
declared conflict of interest), with the spread (max − min) so that discordant reviews stand out. It is kept in
``DossierScore`` by ``refresh_dossier_score`` whenever a review is submitted or an assignment leaves the count,
so that lists, filters and exports read it with a join, whatever the number of reviews.
"""

import statistics
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from applications.enums import TerritoryType
from applications.services import statistics as figures
from reviews.models import DEFAULT_DISCORDANCE_THRESHOLD, MAX_LEVEL, Aggregation, DossierScore, Grid, Review

HUNDREDTH = Decimal("0.01")


def review_total(scores):
    """The weighted score on 100 of ``scores`` [(weight, level)], or None if a level is missing."""
    scores = list(scores)
    if not scores or any(level is None for _weight, level in scores):
        return None
    total_weight = sum(weight for weight, _level in scores)
    if not total_weight:
        return None
    points = sum(Decimal(weight) * Decimal(level) / MAX_LEVEL for weight, level in scores)
    return (points * 100 / total_weight).quantize(HUNDREDTH, ROUND_HALF_UP)


def aggregate(totals, aggregation=Aggregation.MEAN):
    """(score, spread) of review totals; (None, None) without any."""
    totals = [Decimal(total) for total in totals if total is not None]
    if not totals:
        return None, None
    if aggregation == Aggregation.MEDIAN:
        value = Decimal(statistics.median(totals))
    else:
        value = sum(totals) / len(totals)
    return value.quantize(HUNDREDTH, ROUND_HALF_UP), (max(totals) - min(totals)).quantize(HUNDREDTH)


def grid_for(dossier):
    return Grid.objects.for_phase(dossier.phase)


def refresh_dossier_score(dossier):
    """Recompute and store the dossier's score from its counted reviews; returns the DossierScore."""
    grid = grid_for(dossier)
    totals = list(Review.objects.counted().filter(dossier=dossier).values_list("total", flat=True))
    aggregation = grid.aggregation if grid else Aggregation.MEAN
    value, spread = aggregate(totals, aggregation)
    threshold = grid.discordance_threshold if grid else DEFAULT_DISCORDANCE_THRESHOLD
    score, _created = DossierScore.objects.update_or_create(
        dossier=dossier,
        defaults={
            "value": value,
            "spread": spread,
            "review_count": len([total for total in totals if total is not None]),
            "discordant": spread is not None and len(totals) > 1 and spread > threshold,
        },
    )
    figures.invalidate()  # the lists sorted by score count their scored dossiers (selection.ScoreOrderedIds)
    return score


def grids_by_phase(phases):
    """{phase id: grid} for ``phases``, in two queries whatever their number (lists use it, not grid_for).

    A phase's own grid wins over the default grid of its kind, as in ``Grid.objects.for_phase``.
    """
    phases = {phase.pk: phase for phase in phases}
    if not phases:
        return {}
    kinds = {phase.kind for phase in phases.values()}
    grids = Grid.objects.filter(
        Q(phase__in=list(phases)) | Q(phase__isnull=True, phase_kind__in=kinds)
    ).prefetch_related("criteria")
    own, defaults = {}, {}
    for grid in grids:
        if grid.phase_id is None:
            defaults[grid.phase_kind] = grid
        else:
            own[grid.phase_id] = grid
    return {pk: own.get(pk) or defaults.get(phase.kind) for pk, phase in phases.items()}


# Overseas regions: INSEE codes 01 (Guadeloupe) to 06 (Mayotte).
OVERSEAS_REGION_CODES = frozenset({"01", "02", "03", "04", "05", "06"})


def priority_flags(dossier):
    """Why the dossier is a priority (DESIGN §7: rural area, QPV, overseas): shown beside the score, never in it."""
    flags = []
    if dossier.territory_type == TerritoryType.RURAL:
        flags.append(_("Territoire rural"))
    if dossier.includes_qpv:
        flags.append(_("Quartier prioritaire de la ville"))
    if dossier.region_id in OVERSEAS_REGION_CODES:
        flags.append(_("Outre-mer"))
    return flags
