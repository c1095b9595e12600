"""Scores (DESIGN §7): a review's weighted total on 100, the dossier's mean or median with its spread, discordance,
a conflict removing a review from the count, and the priority flag kept beside the score."""

from decimal import Decimal

import pytest

from applications.enums import DossierState
from reviews.models import Aggregation, AssignmentStatus, DossierScore
from reviews.services.scoring import aggregate, grids_by_phase, priority_flags, refresh_dossier_score, review_total
from tests.accounts.factories import RegionFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import AssignmentFactory, GridFactory, make_review


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([(60, 4), (40, 4)], Decimal("100.00")),
        ([(60, 0), (40, 0)], Decimal("0.00")),
        ([(60, 4), (40, 0)], Decimal("60.00")),
        ([(60, 0), (40, 4)], Decimal("40.00")),
        ([(60, 2), (40, 3)], Decimal("60.00")),  # 60×0.5 + 40×0.75 = 30 + 30
        ([(25, 3), (20, 2), (15, 4), (15, 1), (10, 3), (15, 2)], Decimal("62.50")),  # DESIGN §7 phase 1: 250 / 400
        ([(1, 1), (1, 1), (1, 2)], Decimal("33.33")),  # 4/12 rounded half up
        ([(1, 1), (1, 2)], Decimal("37.50")),
        ([(2, 1), (1, 2)], Decimal("33.33")),  # weights need not sum to 100
    ],
)
def test_review_total_is_the_weighted_sum_on_100(scores, expected):
    assert review_total(scores) == expected


@pytest.mark.parametrize("scores", [[], [(60, 3), (40, None)], [(0, 3)]])
def test_review_total_is_none_without_every_level_or_weight(scores):
    assert review_total(scores) is None


@pytest.mark.parametrize(
    ("totals", "aggregation", "expected"),
    [
        ([], Aggregation.MEAN, (None, None)),
        ([None], Aggregation.MEAN, (None, None)),
        ([Decimal("70")], Aggregation.MEAN, (Decimal("70.00"), Decimal("0.00"))),
        ([Decimal("60"), Decimal("90")], Aggregation.MEAN, (Decimal("75.00"), Decimal("30.00"))),
        ([Decimal("60"), Decimal("90")], Aggregation.MEDIAN, (Decimal("75.00"), Decimal("30.00"))),
        # One outlier pulls the mean, not the median.
        ([Decimal("20"), Decimal("80"), Decimal("85")], Aggregation.MEAN, (Decimal("61.67"), Decimal("65.00"))),
        ([Decimal("20"), Decimal("80"), Decimal("85")], Aggregation.MEDIAN, (Decimal("80.00"), Decimal("65.00"))),
        ([Decimal("50"), None, Decimal("70")], Aggregation.MEAN, (Decimal("60.00"), Decimal("20.00"))),
    ],
)
def test_aggregate_gives_the_score_and_the_spread(totals, aggregation, expected):
    assert aggregate(totals, aggregation) == expected


@pytest.fixture
def grid(db):
    """A grid of two criteria weighted 60 and 40 on its own phase; discordance above 25 points."""
    phase = PhaseFactory()
    return GridFactory(phase=phase, phase_kind=phase.kind, criteria=(60, 40))


def reviewed_dossier(grid, *levels_per_review):
    dossier = DossierFactory(phase=grid.phase, state=DossierState.ELIGIBLE, submitted=True)
    reviews = [make_review(AssignmentFactory(dossier=dossier, confirmed=True), levels) for levels in levels_per_review]
    return dossier, reviews


@pytest.mark.parametrize(
    ("aggregation", "levels", "value", "spread", "discordant"),
    [
        # totals 100, 60, 40: mean 66.67, median 60, spread 60 > 25.
        (Aggregation.MEAN, [(4, 4), (4, 0), (0, 4)], "66.67", "60.00", True),
        (Aggregation.MEDIAN, [(4, 4), (4, 0), (0, 4)], "60.00", "60.00", True),
        # totals 75 and 60 (levels 3,3 → 75; 2,3 → 60): spread 15, not discordant.
        (Aggregation.MEAN, [(3, 3), (2, 3)], "67.50", "15.00", False),
        # A single review is never discordant.
        (Aggregation.MEAN, [(4, 4)], "100.00", "0.00", False),
    ],
)
def test_refresh_dossier_score_follows_the_grid_setting(grid, aggregation, levels, value, spread, discordant):
    grid.aggregation = aggregation
    grid.save()
    dossier, _reviews = reviewed_dossier(grid, *levels)

    score = refresh_dossier_score(dossier)

    assert (score.value, score.spread, score.review_count, score.discordant) == (
        Decimal(value),
        Decimal(spread),
        len(levels),
        discordant,
    )


def test_discordance_uses_the_grid_threshold(grid):
    dossier, _reviews = reviewed_dossier(grid, (3, 3), (2, 3))  # spread 15
    grid.discordance_threshold = 10
    grid.save()

    assert refresh_dossier_score(dossier).discordant is True


def test_a_declared_conflict_removes_the_review_from_the_score(grid):
    dossier, (kept, removed) = reviewed_dossier(grid, (4, 4), (0, 0))
    assert refresh_dossier_score(dossier).value == Decimal("50.00")

    removed.assignment.status = AssignmentStatus.CONFLICT
    removed.assignment.save()
    score = refresh_dossier_score(dossier)

    assert (score.value, score.spread, score.review_count, score.discordant) == (
        Decimal("100.00"),
        Decimal("0.00"),
        1,
        False,
    )
    assert DossierScore.objects.get(dossier=dossier) == score


def test_draft_reviews_do_not_count(grid):
    dossier, _reviews = reviewed_dossier(grid, (4, 4))
    make_review(AssignmentFactory(dossier=dossier, confirmed=True), (0, 0), submitted=False)

    score = refresh_dossier_score(dossier)

    assert (score.value, score.review_count) == (Decimal("100.00"), 1)


def test_a_dossier_without_review_has_no_score(grid):
    dossier = DossierFactory(phase=grid.phase, submitted=True)

    score = refresh_dossier_score(dossier)

    assert (score.value, score.spread, score.review_count, score.discordant) == (None, None, 0, False)


def test_grids_by_phase_prefers_the_phase_grid_and_falls_back_to_the_default(grid, django_assert_num_queries):
    other_phase = PhaseFactory(edition=grid.phase.edition)

    with django_assert_num_queries(2):
        grids = grids_by_phase([grid.phase, other_phase])
        names = {pk: (found.name, len(found.criteria.all())) for pk, found in grids.items()}

    assert grids[grid.phase.pk] == grid
    assert grids[other_phase.pk].phase is None and grids[other_phase.pk].phase_kind == other_phase.kind
    assert names[other_phase.pk][1] == 6  # the default grid of DESIGN §7


@pytest.mark.parametrize(
    ("territory_type", "includes_qpv", "region", "expected"),
    [
        ("urbain", False, ("84", "Auvergne-Rhône-Alpes", "metro"), []),
        ("rural", False, ("84", "Auvergne-Rhône-Alpes", "metro"), ["Territoire rural"]),
        ("urbain", True, ("84", "Auvergne-Rhône-Alpes", "metro"), ["Quartier prioritaire de la ville"]),
        ("mixte", False, ("04", "La Réunion", "drom"), ["Outre-mer"]),
        (
            "rural",
            True,
            ("06", "Mayotte", "drom"),
            ["Territoire rural", "Quartier prioritaire de la ville", "Outre-mer"],
        ),
    ],
)
def test_priority_flags(db, territory_type, includes_qpv, region, expected):
    code, name, zone = region
    dossier = DossierFactory(
        territory_type=territory_type, includes_qpv=includes_qpv, region=RegionFactory(code=code, name=name, zone=zone)
    )

    assert [str(flag) for flag in priority_flags(dossier)] == expected


def test_the_priority_flag_never_changes_the_score(grid):
    dossier, _reviews = reviewed_dossier(grid, (3, 3))
    before = refresh_dossier_score(dossier).value
    dossier.territory_type, dossier.includes_qpv = "rural", True
    dossier.save()

    assert refresh_dossier_score(dossier).value == before == Decimal("75.00")
