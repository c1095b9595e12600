"""Evaluation (DESIGN §2, §7): the reviewer's queue, reviews saved as drafts and submitted, the staff panel of a
dossier's reviews and score, and the regional partners' opinions and ranks.

Who sees what:
- a reviewer sees their own review; the other reviews of the dossier (totals, recommendations, comments, without
  the reviewers' names) only once theirs is submitted;
- instructeurs see every review (reviewer, status, scores per criterion, comments) and the regional opinion;
- regional partners of the dossier's region see the dossier's score, the regional opinion, and for each counted
  review its total and recommendation only: the reviewers' names, comments and per-criterion scores belong to
  the national cell, which runs the expert review (a partner's opinion is their own, not a digest of the experts').
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from applications.enums import DossierState
from applications.models import Dossier
from ptce_ami.accounts import permissions
from reviews.models import (
    DEFAULT_DISCORDANCE_THRESHOLD,
    Aggregation,
    Assignment,
    AssignmentStatus,
    DossierScore,
    Grid,
    RegionalOpinion,
    Review,
    ReviewStatus,
    Score,
    late_q,
)
from reviews.services.scoring import grid_for, grids_by_phase, priority_flags, refresh_dossier_score, review_total
from reviews.services.selection import paginator_of

# The dossiers a regional opinion is given on (the perm reviews.give_regional_opinion says the same).
OPINION_STATES = DossierState.eligible_or_decided()


# The reviewer's queue -------------------------------------------------------------------------------------------


def confirm_url(assignment):
    """The page where the reviewer confirms the absence of conflict (assignments part of the app)."""
    return reverse("reviews:assignment_confirm", args=[assignment.pk])


# The queue's page size: the reviewer pages through their assignments, whatever their number.
QUEUE_PAGE_SIZE = 50

# The queue's tabs, each with its label and the assignments it shows (``late`` reads the day: see late_q); the first
# is the default, what the reviewer has to do now. Every filter is served by an index of Assignment (reviewer,
# status, due_at, dossier) or its partial twin on the pending ones, and so is the order (due date, then dossier:
# references are numbered in the order dossiers are created), so a page costs the same at any size.
QUEUE_TABS = {
    "todo": gettext_lazy("À faire"),
    "to_confirm": gettext_lazy("À confirmer"),
    "in_progress": pgettext_lazy("reviewer queue", "En cours"),
    "late": gettext_lazy("En retard"),
    "submitted": gettext_lazy("Rendues"),
}
DEFAULT_QUEUE_TAB = "todo"
QUEUE_ORDER = ("due_at", "dossier_id")


def queue_conditions(now=None):
    """{tab: the Q of its assignments}."""
    return {
        "todo": Q(status__in=AssignmentStatus.pending()),
        "to_confirm": Q(status=AssignmentStatus.TO_CONFIRM),
        "in_progress": Q(status=AssignmentStatus.IN_PROGRESS),
        "late": late_q(now=now),
        "submitted": Q(status=AssignmentStatus.SUBMITTED),
    }


def queue_tab(value):
    """The tab a query string asks for, or the default one."""
    return value if value in QUEUE_TABS else DEFAULT_QUEUE_TAB


def queue_counts(user, now=None):
    """{tab: number of the reviewer's assignments it shows}, in one query (an index-only scan of the reviewer's
    entries in the (reviewer, status, due_at, dossier) index)."""
    conditions = queue_conditions(now)
    return (
        Assignment.objects.filter(reviewer=user)
        .order_by()
        .aggregate(**{key: Count("dossier", filter=condition) for key, condition in conditions.items()})
    )


@dataclass
class QueueRow:
    assignment: object
    review: object  # the reviewer's Review (its id only), or None before their first save
    scored: int
    criteria_count: int

    @property
    def dossier(self):
        return self.assignment.dossier

    @property
    def late(self):
        return self.assignment.is_late

    @property
    def action(self):
        """(label, url) of what the reviewer does next on this assignment."""
        assignment = self.assignment
        if assignment.status == AssignmentStatus.TO_CONFIRM:
            return _("Confirmer l'absence de conflit"), confirm_url(assignment)
        url = reverse("reviews:review", args=[assignment.pk])
        if assignment.status == AssignmentStatus.SUBMITTED:
            return _("Voir mon évaluation"), url
        if self.review is None:
            return _("Évaluer"), url
        return _("Reprendre"), url


def _loaded_one_to_one(instance, name, model):
    """A reverse one-to-one loaded by select_related, or None when there is no row."""
    try:
        return getattr(instance, name)
    except model.DoesNotExist:
        return None


# What a row of the queue reads, and nothing else (no narrative of the dossier, no comment of the review).
QUEUE_FIELDS = (
    "status",
    "due_at",
    "dossier__reference",
    "dossier__name",
    "dossier__phase__kind",
    "dossier__region__name",
    "review__id",
)


def reviewer_queue(user, tab=DEFAULT_QUEUE_TAB, page_number=None, count=None):
    """(page, rows) of one tab of the reviewer's queue, with each row's progress, in a constant number of queries
    whatever the number of assignments; ``count`` (from ``queue_counts``) spares the paginator its own COUNT.

    The page is chosen on the index alone (the dossiers of the page: an index-only scan, however deep the page),
    then only its rows are read with their dossier (an assignment is the reviewer's once per dossier).
    """
    mine = Assignment.objects.filter(reviewer=user)
    chosen = mine.filter(queue_conditions()[tab]).order_by(*QUEUE_ORDER).values_list("dossier_id", flat=True)
    page = paginator_of(chosen, QUEUE_PAGE_SIZE, count).get_page(page_number)
    dossier_ids = list(page.object_list)
    scored = (
        Score.objects.filter(review__assignment=OuterRef("pk"), value__isnull=False)
        .order_by()
        .values("review")
        .annotate(count=Count("pk"))
        .values("count")
    )
    listed = list(
        mine.filter(dossier_id__in=dossier_ids)
        .select_related("dossier__region", "dossier__phase", "review")
        .only(*QUEUE_FIELDS)
        .annotate(scored=Coalesce(Subquery(scored), 0))
        .order_by(*QUEUE_ORDER)
    )
    grids = grids_by_phase({assignment.dossier.phase for assignment in listed})
    rows = []
    for assignment in listed:
        grid = grids.get(assignment.dossier.phase_id)
        rows.append(
            QueueRow(
                assignment=assignment,
                review=_loaded_one_to_one(assignment, "review", Review),
                scored=assignment.scored,
                criteria_count=len(grid.criteria.all()) if grid else 0,
            )
        )
    return page, rows


# A review: draft and submission -----------------------------------------------------------------------------------


class ReviewLocked(Exception):
    """The assignment is not open for scoring (not confirmed, submitted already, or removed by a conflict)."""


class ReviewIncomplete(Exception):
    """A review cannot be submitted without a level for every criterion and a recommendation."""

    def __init__(self, missing_criteria, missing_recommendation):
        super().__init__("incomplete review")
        self.missing_criteria = missing_criteria
        self.missing_recommendation = missing_recommendation


@dataclass
class ReviewInput:
    levels: dict  # criterion id -> 0..4 or None
    comments: dict  # criterion id -> text
    recommendation: str = ""
    comment: str = ""


def review_of(assignment):
    """The assignment's review with its scores (None before the first save)."""
    return Review.objects.filter(assignment=assignment).select_related("grid").prefetch_related("scores").first()


def grid_of(assignment, review=None):
    """The grid a review is made on: the one it started with, or the dossier's phase's grid."""
    if review is not None:
        return Grid.objects.prefetch_related("criteria").get(pk=review.grid_id)
    return grid_for(assignment.dossier)


@transaction.atomic
def save_review(assignment, data, *, submit=False):
    """Save the reviewer's levels and comments (a draft may be partial); with ``submit``, submit the review.

    Submitting needs every criterion scored and a recommendation (ReviewIncomplete otherwise, nothing saved),
    computes the total on 100, closes the assignment (status submitted) and refreshes the dossier's score.
    The assignment row is locked: a double click or a concurrent conflict declaration cannot slip through.
    """
    locked = type(assignment).objects.select_for_update().select_related("dossier__phase").get(pk=assignment.pk)
    if locked.status != AssignmentStatus.IN_PROGRESS:
        raise ReviewLocked(locked.status)
    review = review_of(locked)
    grid = grid_of(locked, review)
    criteria = list(grid.criteria.all())
    if submit:
        missing = [criterion for criterion in criteria if data.levels.get(criterion.pk) is None]
        if missing or not data.recommendation:
            raise ReviewIncomplete(missing, not data.recommendation)
    if review is None:
        review = Review.objects.create(assignment=locked, dossier=locked.dossier, grid=grid)
    _save_scores(review, criteria, data)
    review.recommendation, review.comment = data.recommendation, data.comment
    if submit:
        review.total = review_total((criterion.weight, data.levels[criterion.pk]) for criterion in criteria)
        review.status, review.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
        locked.status = AssignmentStatus.SUBMITTED
        locked.save(update_fields=["status"])
        assignment.status = locked.status
    review.save()
    if submit:
        refresh_dossier_score(locked.dossier)
    return review


def _save_scores(review, criteria, data):
    existing = {score.criterion_id: score for score in review.scores.all()}
    created, updated = [], []
    for criterion in criteria:
        value, comment = data.levels.get(criterion.pk), data.comments.get(criterion.pk, "")
        score = existing.get(criterion.pk)
        if score is None:
            created.append(Score(review=review, criterion=criterion, value=value, comment=comment))
        elif (score.value, score.comment) != (value, comment):
            score.value, score.comment = value, comment
            updated.append(score)
    Score.objects.bulk_create(created)
    Score.objects.bulk_update(updated, ["value", "comment"])


# What a review shows -------------------------------------------------------------------------------------------


@dataclass
class ScoreRow:
    criterion: object
    value: object  # 0..4 or None
    level_label: str
    comment: str


@dataclass
class ReviewView:
    """A review as a page shows it; ``reviewer`` is None where reviewers stay anonymous."""

    review: object
    number: int
    reviewer: object = None
    scores: list = field(default_factory=list)
    counted: bool = True

    @property
    def title(self):
        if self.reviewer is not None:
            return self.reviewer.display_name
        return _("Évaluation n° %(number)s") % {"number": self.number}


def level_label(grid, value):
    if value is None:
        return ""
    levels = grid.levels or []
    label = levels[value] if value < len(levels) else ""
    return f"{value} — {label}" if label else str(value)


def score_rows(review):
    """One row per criterion of the review's grid (criteria and grid loaded by the caller's prefetch)."""
    grid = review.grid
    by_criterion = {score.criterion_id: score for score in review.scores.all()}
    rows = []
    for criterion in grid.criteria.all():
        score = by_criterion.get(criterion.pk)
        value = score.value if score else None
        rows.append(ScoreRow(criterion, value, level_label(grid, value), score.comment if score else ""))
    return rows


def total_of(rows):
    """The total on 100 of a review's score rows (None while a level is missing): what submitting records."""
    return review_total((row.criterion.weight, row.value) for row in rows)


def reviews_with_scores():
    grids = Grid.objects.prefetch_related("criteria")
    return Review.objects.select_related("assignment__reviewer").prefetch_related(
        Prefetch("grid", queryset=grids), "scores"
    )


def other_reviews(review):
    """The dossier's other counted reviews, shown to a reviewer once theirs is submitted (anonymous)."""
    if review is None or review.status != ReviewStatus.SUBMITTED:
        return []
    others = reviews_with_scores().counted().filter(dossier_id=review.dossier_id).exclude(pk=review.pk)
    return [ReviewView(other, number, scores=score_rows(other)) for number, other in enumerate(others, start=1)]


# The staff panel of a dossier ------------------------------------------------------------------------------------


@dataclass
class EvaluationPanel:
    reference: str
    full: bool  # instructeurs: reviewers, comments and scores per criterion; partners: totals and recommendations
    reviews: list
    score: object  # DossierScore or None
    priority_flags: list
    opinion: object  # RegionalOpinion or None
    aggregation_label: str
    threshold: int
    can_give_opinion: bool = False


def evaluation_panel(dossier, user):
    """The reviews' panel of the staff dossier page (templates/reviews/evaluation/_dossier_panel.html), or None.

    Instructeurs see everything; partners of the dossier's region see the score, the regional opinion and the
    counted reviews' totals and recommendations (see the module's docstring); anyone else gets no panel.
    Constant number of queries whatever the number of reviews.
    """
    full = permissions.has_perm(user, "reviews.view_reviews_in_full", dossier)
    if not (full or permissions.has_perm(user, "reviews.view_reviews_summary", dossier)):
        return None
    reviews = reviews_with_scores().filter(dossier=dossier).order_by("submitted_at", "pk")
    if not full:
        reviews = reviews.counted()
    views = []
    for number, review in enumerate(reviews, start=1):
        counted = review.status == ReviewStatus.SUBMITTED and review.assignment.status != AssignmentStatus.CONFLICT
        views.append(
            ReviewView(
                review,
                number,
                reviewer=review.assignment.reviewer if full else None,
                scores=score_rows(review) if full else [],
                counted=counted,
            )
        )
    grid = grid_for(dossier)
    return EvaluationPanel(
        reference=dossier.reference,
        full=full,
        reviews=views,
        score=DossierScore.objects.filter(dossier=dossier).first(),
        priority_flags=priority_flags(dossier),
        opinion=RegionalOpinion.objects.filter(dossier=dossier).select_related("author").first(),
        aggregation_label=_("Médiane") if grid and grid.aggregation == Aggregation.MEDIAN else _("Moyenne"),
        threshold=grid.discordance_threshold if grid else DEFAULT_DISCORDANCE_THRESHOLD,
        can_give_opinion=not full and dossier.state in OPINION_STATES,
    )


# Regional opinions ------------------------------------------------------------------------------------------------


class RankTaken(Exception):
    """Another dossier of the region and phase has this rank (and shifting was not asked for)."""

    def __init__(self, holder):
        super().__init__(f"rank held by {holder.dossier_id}")
        self.holder = holder


def opinion_dossiers(user):
    """The dossiers a regional opinion is given on that ``user`` may see (partners: their regions only)."""
    return Dossier.objects.visible_to(user).filter(state__in=OPINION_STATES)


OPINIONS_PAGE_SIZE = 50

# The tabs of the regional opinions page; the first is the default.
OPINION_TABS = {
    "all": gettext_lazy("Tous"),
    "to_give": gettext_lazy("Sans avis"),
    "given": gettext_lazy("Avis donnés"),
}
DEFAULT_OPINION_TAB = "all"
OPINION_CONDITIONS = {
    "all": Q(),
    "to_give": Q(regional_opinion__isnull=True),
    "given": Q(regional_opinion__isnull=False),
}
# Per region, the current edition first, per phase: the ranked dossiers by rank, then the others by reference.
OPINION_ORDER = (
    "region__name",
    "-phase__edition__year",
    "phase__kind",
    "phase__wave",
    F("regional_opinion__rank").asc(nulls_last=True),
    "reference",
)
# What a row of the page reads of the dossier, and nothing else (no narrative).
OPINION_FIELDS = ("reference", "name", "region__name", "phase__kind")


def opinion_tab(value):
    """The tab a query string asks for, or the default one."""
    return value if value in OPINION_TABS else DEFAULT_OPINION_TAB


def opinion_counts(user):
    """{tab: number of dossiers it shows}, in one query."""
    return (
        opinion_dossiers(user)
        .order_by()
        .aggregate(**{key: Count("pk", filter=condition) for key, condition in OPINION_CONDITIONS.items()})
    )


@dataclass
class OpinionRow:
    dossier: object
    opinion: object  # RegionalOpinion or None
    score: object  # DossierScore or None


def opinion_rows(user, tab=DEFAULT_OPINION_TAB, page_number=None, count=None):
    """(page, rows) of one tab of the regional opinions page: per region, the current edition first, per phase,
    ranked dossiers first, by rank. The page's dossiers are chosen by their ids alone, then only its rows are
    read; ``count`` (from ``opinion_counts``) spares the paginator its own COUNT."""
    chosen = (
        opinion_dossiers(user).filter(OPINION_CONDITIONS[tab]).order_by(*OPINION_ORDER).values_list("pk", flat=True)
    )
    page = paginator_of(chosen, OPINIONS_PAGE_SIZE, count).get_page(page_number)
    ids = list(page.object_list)
    # The page's opinions and scores by their unique dossier index (joined, the planner may scan their tables).
    opinions = {
        opinion.dossier_id: opinion
        for opinion in RegionalOpinion.objects.filter(dossier__in=ids).only("dossier", "opinion", "rank").order_by()
    }
    scores = {
        score.dossier_id: score for score in DossierScore.objects.filter(dossier__in=ids).only("dossier", "value")
    }
    dossiers = Dossier.objects.filter(pk__in=ids).select_related("region", "phase").only(*OPINION_FIELDS).order_by()
    by_id = {dossier.pk: dossier for dossier in dossiers}
    rows = [OpinionRow(by_id[pk], opinions.get(pk), scores.get(pk)) for pk in ids]
    return page, rows


def opinion_of(dossier):
    return RegionalOpinion.objects.filter(dossier=dossier).select_related("author").first()


def region_ranking(dossier):
    """The ranked opinions of the dossier's region and phase, by rank (what the rank field is chosen against)."""
    return (
        RegionalOpinion.objects.filter(
            region_id=dossier.region_id, dossier__phase_id=dossier.phase_id, rank__isnull=False
        )
        .select_related("dossier")
        .order_by("rank")
    )


def rank_holder(dossier, rank):
    """The opinion of another dossier of the same region and phase that has ``rank``, or None."""
    if rank is None:
        return None
    return (
        RegionalOpinion.objects.filter(region_id=dossier.region_id, dossier__phase_id=dossier.phase_id, rank=rank)
        .exclude(dossier=dossier)
        .select_related("dossier")
        .first()
    )


@transaction.atomic
def save_regional_opinion(dossier, *, opinion, text, rank, by, shift=False):
    """Give or change the regional opinion of ``dossier`` with its rank in the region (per phase).

    A rank held by another dossier raises RankTaken, unless ``shift``: then that dossier and the ones ranked
    right after it (a contiguous run) move down by one, so that ranks stay unique.
    """
    siblings = RegionalOpinion.objects.select_for_update().filter(
        region_id=dossier.region_id, dossier__phase_id=dossier.phase_id
    )
    ranked = {other.rank: other for other in siblings.exclude(dossier=dossier) if other.rank is not None}
    if rank in ranked:
        if not shift:
            raise RankTaken(ranked[rank])
        _shift_from(ranked, rank)
    record, _created = RegionalOpinion.objects.update_or_create(
        dossier=dossier,
        defaults={
            "region_id": dossier.region_id,
            "opinion": opinion,
            "text": text,
            "rank": rank,
            "author": by,
            "updated_at": timezone.now(),
        },
    )
    return record


def _shift_from(ranked, rank):
    run = []
    while rank in ranked:
        run.append(ranked[rank])
        rank += 1
    for other in reversed(run):
        other.rank += 1
    RegionalOpinion.objects.bulk_update(run, ["rank"])
