"""The deadline reminders of the reviews app (DESIGN §8): the reviewers' pending assignments at D-7 and D-1 before
their due date; the laureates' progress reports at D-30 and D-7 before they are due. The engine is
ptce_ami.core.reminders; these sources are registered when the app is ready (reviews/hooks.py)."""

import datetime

from django.db.models import DateTimeField, F
from django.db.models.functions import Cast
from django.urls import reverse

from applications.enums import DossierState
from applications.services.notifications import porteur_recipients
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.reminders import ReminderSource, Window, register
from reviews.models import Assignment, AssignmentStatus
from reviews.services.grants import reports_due_for_reminder

ASSIGNMENT_REMINDERS = "reviews.remind_assignments"
REPORT_REMINDERS = "reviews.remind_reports"


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


def reports_to_file(now):
    """Reports still to file; their deadline is the start of their due date (``due_on`` at midnight UTC)."""
    return reports_due_for_reminder(now).annotate(due_at=Cast(F("due_on"), DateTimeField()))


def report_context(report, due):
    dossier = report.grant.dossier
    return {
        "report": report,
        "dossier": dossier,
        "report_url": absolute_url(
            reverse("grants:report", kwargs={"reference": dossier.reference, "kind": report.kind})
        ),
        **due.context(),
    }


REPORTS = register(
    ReminderSource(
        name=REPORT_REMINDERS,
        queryset=reports_to_file,
        deadline_field="due_at",
        windows=(
            Window("report_d30", datetime.timedelta(days=30)),
            Window("report_d7", datetime.timedelta(days=7)),
        ),
        recipients=lambda report: porteur_recipients(report.grant.dossier),
        template="reviews/email/reminder_report",
        context=report_context,
    )
)
