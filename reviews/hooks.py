"""What the reviews app registers with the lower floors (called by ReviewsConfig.ready()):
how a reviewer reaches the dossiers assigned to them, the reviewers' deadline reminders, signal listeners.
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from applications import reminders, visibility
from applications.enums import DossierState
from ptce_ami.accounts.enums import Role
from ptce_ami.core.emails import absolute_url

ASSIGNMENT_REMINDERS = "reviews.remind_assignments"
# A reviewer reaches a dossier once they confirmed having no conflict of interest, and keeps it after submitting.
VISIBLE_STATUSES = ("in_progress", "submitted")


def reviewer_scope(user):
    """The dossiers an évaluateur reaches: those of their assignments in progress or submitted (not one still to
    confirm, nor one they declared or the system detected a conflict on)."""
    from reviews.models import Assignment  # noqa: PLC0415 -- called once the apps are loaded

    assigned = Assignment.objects.filter(dossier=OuterRef("pk"), reviewer=user, status__in=VISIBLE_STATUSES)
    return Q(Exists(assigned))


def pending_assignments(now):
    from reviews.models import Assignment  # noqa: PLC0415 -- called once the apps are loaded

    return (
        Assignment.objects.pending()
        .filter(
            reviewer__is_active=True,
            dossier__submitted_at__isnull=False,
            dossier__state__in=(DossierState.SUBMITTED, DossierState.IN_REVIEW, DossierState.ELIGIBLE),
        )
        .select_related("reviewer", "dossier__phase__edition")
    )


def assignment_context(assignment, due):
    to_confirm = assignment.status == "to_confirm"
    target = reverse("reviews:assignment_confirm", args=[assignment.pk]) if to_confirm else reverse("reviews:queue")
    return {
        "assignment": assignment,
        "dossier": assignment.dossier,
        "reviewer_name": assignment.reviewer.get_full_name() or assignment.reviewer.email,
        "to_confirm": to_confirm,
        "action_url": absolute_url(target),
        **due.context(),
    }


def connect():
    visibility.register_role_scope(Role.EVALUATEUR, reviewer_scope)
    reminders.register(
        reminders.ReminderSource(
            name=ASSIGNMENT_REMINDERS,
            queryset=pending_assignments,
            deadline_field="due_at",
            windows=(
                reminders.Window("assignment_d7", datetime.timedelta(days=7)),
                reminders.Window("assignment_d1", datetime.timedelta(days=1)),
            ),
            recipients=lambda assignment: [assignment.reviewer.email],
            template="reviews/email/reminder_assignment",
            context=assignment_context,
        )
    )
    # The sweep's Celery task lives outside reviews/tasks.py: import it so that workers register it.
    from reviews import tasks_reminders  # noqa: F401, PLC0415 -- registers the task
