"""Factories of the reviews app. Helpers may add more below; keep the existing ones' behaviour."""

import factory
from django.utils import timezone

from applications.enums import BouquetNeed, DossierState
from applications.services.workflow import transition
from reviews.enums import DecisionOutcome
from reviews.models import (
    Assignment,
    AssignmentStatus,
    BouquetRequest,
    Compagnon,
    Criterion,
    Decision,
    DeclaredOrganisation,
    Grid,
    Recommendation,
    RegionalOpinion,
    Review,
    ReviewerDeclaration,
    ReviewStatus,
    Score,
)
from reviews.services.scoring import review_total
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory


class GridFactory(factory.django.DjangoModelFactory):
    """A grid of its own for ``phase`` (the default grids of the migration exist for phases without one)."""

    class Meta:
        model = Grid
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Grille {n}")
    phase_kind = "phase1"

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        for position, weight in enumerate(extracted or (60, 40), start=1):
            Criterion.objects.create(grid=self, position=position, label=f"Critère {position}", weight=weight)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    dossier = factory.SubFactory(
        DossierFactory, state=DossierState.IN_REVIEW, submitted_at=factory.LazyFunction(timezone.now)
    )
    reviewer = factory.SubFactory(UserFactory, evaluateur=True)
    assigned_by = factory.SubFactory(UserFactory, instructeur=True)
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=21))

    class Params:
        confirmed = factory.Trait(
            status=AssignmentStatus.IN_PROGRESS, no_conflict_confirmed_at=factory.LazyFunction(timezone.now)
        )


def make_review(assignment, levels=None, *, submitted=True, recommendation=Recommendation.FAVOURABLE, grid=None):
    """A review of ``assignment`` with one score per criterion of the grid (levels in order; default all 3)."""
    grid = grid or Grid.objects.for_phase(assignment.dossier.phase)
    criteria = list(grid.criteria.all())
    levels = list(levels) if levels is not None else [3] * len(criteria)
    review = Review.objects.create(
        assignment=assignment,
        dossier=assignment.dossier,
        grid=grid,
        recommendation=recommendation,
        comment="Un projet solide.",
    )
    Score.objects.bulk_create(
        Score(review=review, criterion=criterion, value=level, comment="")
        for criterion, level in zip(criteria, levels, strict=True)
    )
    if submitted:
        review.total = review_total((c.weight, level) for c, level in zip(criteria, levels, strict=True))
        review.status, review.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
        review.save()
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.save(update_fields=["status"])
    return review


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerDeclaration
        skip_postgeneration_save = True

    reviewer = factory.SubFactory(UserFactory, evaluateur=True)

    @factory.post_generation
    def sirets(self, create, extracted, **kwargs):
        for siret in extracted or ():
            DeclaredOrganisation.objects.create(declaration=self, name=f"Organisation {siret}", siret=siret)


class RegionalOpinionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionalOpinion

    dossier = factory.SubFactory(
        DossierFactory, state=DossierState.ELIGIBLE, submitted_at=factory.LazyFunction(timezone.now)
    )
    region = factory.LazyAttribute(lambda o: o.dossier.region)
    opinion = "favourable"
    text = "Le pôle est bien connu de la CRESS et de la région."
    rank = 1
    author = factory.SubFactory(UserFactory, partenaire=True)


class CompagnonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compagnon

    name = factory.Sequence(lambda n: f"PTCE compagnon n° {n + 1}")
    contact_email = factory.Sequence(lambda n: f"compagnon{n + 1}@example.org")


class BouquetRequestFactory(factory.django.DjangoModelFactory):
    """A request of a dossier (by default a draft: make it a PTCE émergent with tests.reviews.bouquet helpers)."""

    class Meta:
        model = BouquetRequest

    dossier = factory.SubFactory(DossierFactory)
    service = BouquetNeed.TSF
    porteur_note = "Nous cherchons un pôle qui a structuré son animation."
    requested_by = factory.LazyAttribute(lambda request: request.dossier.owner)


def decide(dossier, *, outcome=DecisionOutcome.LAUREATE, amount=None, published=True, by=None):
    """A committee decision on ``dossier`` (submitted), as the committee and the publication make it (their pages are
    another part): the dossier is instructed and declared eligible; a published decision moves it to its outcome
    through the workflow, a provisional one leaves it eligible. Returns the Decision."""
    by = by or UserFactory(instructeur=True)
    for action in ("start_review", "declare_eligible"):
        transition(dossier, action, by=by)
    decision = Decision.objects.create(
        dossier=dossier,
        outcome=outcome,
        amount=amount,
        motivation="Une coopération solide et un territoire engagé.",
        decided_by=by,
        published_at=timezone.now() if published else None,
        published_by=by if published else None,
    )
    if published:
        action = "select_laureate" if outcome == DecisionOutcome.LAUREATE else "not_retain"
        transition(dossier, action, by=by)
    return decision
