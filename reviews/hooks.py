"""What the reviews app registers with the lower floors (called by ReviewsConfig.ready(), once the models are
loaded): how a reviewer reaches the dossiers assigned to them, the reviewers' deadline reminders, and the staff
notifications of new requests to the bouquet de services."""

from django.db.models import Exists, OuterRef, Q

from applications.models import register_role_scope
from ptce_ami.accounts.enums import Role
from reviews.models import Assignment, AssignmentStatus
from reviews.services import (
    notifications,
    reminders,  # noqa: F401 -- registers the reviewers' reminder source
)


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
