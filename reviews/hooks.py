"""What the reviews app registers with the lower floors (called by ReviewsConfig.ready(), once the models are
loaded): how a reviewer reaches the dossiers assigned to them, the reviewers' deadline reminders, the staff
notifications of new requests to the bouquet de services and of progress reports, and the opening of a grant when a
phase-2 laureate decision is published."""

from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save

from applications.models import register_role_scope
from applications.services import statistics
from ptce_ami.accounts.enums import Role
from reviews.models import Assignment, AssignmentStatus, Decision
from reviews.services import (
    grants,
    notifications,
    reminders,  # noqa: F401 -- registers the reviewers' and the laureates' reminder sources
)
from reviews.services import statistics as reviews_statistics
from reviews.signals import decision_published


def reviewer_scope(user):
    """The dossiers an évaluateur reaches: those of their assignments in progress or submitted (not one still to
    confirm, nor one they declared or the system detected a conflict on)."""
    assigned = Assignment.objects.filter(
        dossier=OuterRef("pk"), reviewer=user, status__in=AssignmentStatus.reaching_the_dossier()
    )
    return Q(Exists(assigned))


def connect():
    register_role_scope(Role.EVALUATEUR, reviewer_scope)
    notifications.connect()
    decision_published.connect(grants.on_decision_published, dispatch_uid="reviews.grants.open_grant")
    decision_published.connect(statistics.invalidate, dispatch_uid="reviews.statistics.invalidate")
    statistics.register_figures("reviews", reviews_statistics.figures)
    # The committee view's cached figures (committee.view_figures) follow every decision saved or withdrawn.
    post_save.connect(statistics.invalidate, sender=Decision, dispatch_uid="reviews.decision.saved")
    post_delete.connect(statistics.invalidate, sender=Decision, dispatch_uid="reviews.decision.deleted")
