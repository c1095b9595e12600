"""Every e-mail of the reviews app, through the outbox (ptce_ami.core.outbox), one template set each
(templates/reviews/email/<name>_*): the reviewers' assignment notices and the staff's "export ready". The reviewers'
deadline reminders are sent by the reminders' engine (reviews/services/reminders.py declares them)."""

from collections import defaultdict

from django.db import transaction
from django.urls import reverse

from ptce_ami.core.emails import absolute_url
from ptce_ami.core.outbox import queue_email


def notify_reviewers(assignments):
    """One e-mail per reviewer listing the dossiers just assigned to them (after commit, through the outbox)."""
    by_reviewer = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer].append(assignment)
    for reviewer, theirs in by_reviewer.items():
        transaction.on_commit(lambda reviewer=reviewer, theirs=theirs: send_assignment_notice(reviewer, theirs))


def send_assignment_notice(reviewer, assignments):
    pks = sorted(assignment.pk for assignment in assignments)
    context = {
        "reviewer_name": reviewer.display_name,
        "assignments": sorted(assignments, key=lambda assignment: (assignment.due_at is None, assignment.due_at)),
        "queue_url": absolute_url(reverse("reviews:queue")),
        "declaration_url": absolute_url(reverse("reviews:declaration")),
    }
    key = f"reviews.assigned:{reviewer.pk}:{pks[0]}-{pks[-1]}:{len(pks)}"
    queue_email("reviews/email/assignment_notice", reviewer.email, context, key=key, related=assignments[0].dossier)


def notify_export_ready(export):
    url = absolute_url(reverse("reviews:export_detail", kwargs={"pk": export.pk}))
    return queue_email(
        "reviews/email/export_ready",
        export.requested_by.email,
        {"export": export, "export_url": url},
        key=f"export-ready:{export.pk}",
    )
