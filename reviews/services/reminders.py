"""The reviewers' deadline reminders (DESIGN §8): pending assignments at D-7 and D-1 before their due date. The
engine is ptce_ami.core.reminders; this source is registered when the app is ready (reviews/hooks.py)."""

import datetime

from django.urls import reverse

from applications.enums import DossierState
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.reminders import ReminderSource, Window, register
from reviews.models import Assignment, AssignmentStatus

ASSIGNMENT_REMINDERS = "reviews.remind_assignments"


def pending_assignments(now):
    return (
        Assignment.objects.pending()
        .filter(
            reviewer__is_active=True,
            dossier__submitted_at__isnull=False,
            dossier__state__in=DossierState.open_to_reviews(),
        )
        .select_related("reviewer", "dossier__phase__edition")
    )


def assignment_context(assignment, due):
    to_confirm = assignment.status == AssignmentStatus.TO_CONFIRM
    target = reverse("reviews:assignment_confirm", args=[assignment.pk]) if to_confirm else reverse("reviews:queue")
    return {
        "assignment": assignment,
        "dossier": assignment.dossier,
        "reviewer_name": assignment.reviewer.display_name,
        "to_confirm": to_confirm,
        "action_url": absolute_url(target),
        **due.context(),
    }


ASSIGNMENTS = register(
    ReminderSource(
        name=ASSIGNMENT_REMINDERS,
        queryset=pending_assignments,
        deadline_field="due_at",
        windows=(
            Window("assignment_d7", datetime.timedelta(days=7)),
            Window("assignment_d1", datetime.timedelta(days=1)),
        ),
        recipients=lambda assignment: [assignment.reviewer.email],
        template="reviews/email/reminder_assignment",
        context=assignment_context,
    )
)
