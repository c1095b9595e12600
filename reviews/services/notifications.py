"""Every e-mail of the reviews app, through the outbox (ptce_ami.core.outbox), one template set each
(templates/reviews/email/<name>_*): the reviewers' assignment notices, the staff's "export ready", the porteurs'
news of their requests to the bouquet de services. The reviewers' deadline reminders are sent by the reminders'
engine (reviews/services/reminders.py declares them).

Staff hear of a new request to the bouquet through the staff notifications of the applications app (at once or in
the daily digest, as each one chose), as of a new submission: ``connect`` declares the kind.
"""

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from applications.services import notifications as staff_notifications
from applications.services.notifications import porteur_recipients
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.outbox import queue_email

BOUQUET_REQUESTED = "bouquet_requested"
BOUQUET_CHANGE_EMAIL = "reviews/email/bouquet_request_update"
REPORT_SUBMITTED = "grant_report_submitted"
GRANT_NOTIFICATION_EMAIL = "reviews/email/grant_opened"
GRANT_CHANGE_EMAIL = "reviews/email/grant_status"
REPORT_REVIEWED_EMAIL = "reviews/email/report_reviewed"


def connect():
    """Called by ReviewsConfig.ready() (reviews/hooks.py)."""
    staff_notifications.register_kind(
        BOUQUET_REQUESTED,
        label=_("Nouvelle demande au bouquet de services"),
        email="reviews/email/staff_bouquet_request",
        link=lambda dossier: reverse("reviews:dossier", kwargs={"reference": dossier.reference}) + "#bouquet",
    )
    staff_notifications.register_kind(
        REPORT_SUBMITTED,
        label=_("Rapport d'exécution déposé"),
        email="reviews/email/staff_report_submitted",
        link=lambda dossier: reverse("reviews:grant", kwargs={"reference": dossier.reference}) + "#rapports",
    )


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


# The bouquet de services -----------------------------------------------------------------------------------------


def notify_new_bouquet_request(request):
    """Notify the dossier's staff of a new request (inside the request's transaction)."""
    return staff_notifications.notify_staff(
        request.dossier, BOUQUET_REQUESTED, f"bouquet:{request.pk}", request.requested_at
    )


def notify_bouquet_change(change):
    """One e-mail per porteur (owner, co-editors) about a change of status or compagnon of their request: once per
    change. Staff's notes are not in it (they stay with staff)."""
    request = change.request
    dossier = request.dossier
    context = {
        "dossier": dossier,
        "bouquet_request": request,
        "change": change,
        "bouquet_url": absolute_url(reverse("bouquet:services", kwargs={"reference": dossier.reference})),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return [
            queue_email(
                BOUQUET_CHANGE_EMAIL,
                recipient,
                {**context, "recipient": recipient},
                key=f"bouquet-change:{change.pk}:{recipient}",
                related=dossier,
            )
            for recipient in porteur_recipients(dossier)
        ]


DECISION_REOPENED_EMAIL = "reviews/email/decision_reopened"


def send_decision_reopened(decision, dossier):
    """One e-mail per porteur: the published decision on their dossier is reopened, with the motivation; once each."""
    context = {
        "dossier": dossier,
        "decision": decision,
        "motivation": decision.revoke_motivation,
        "dossier_url": absolute_url(dossier.get_absolute_url()),
    }
    with translation.override(settings.LANGUAGE_CODE):
        return [
            queue_email(
                DECISION_REOPENED_EMAIL,
                recipient,
                {**context, "recipient": recipient},
                key=f"decision-reopened:{decision.pk}:{recipient}",
                related=dossier,
            )
            for recipient in porteur_recipients(dossier)
        ]


# Grants of phase-2 laureates ---------------------------------------------------------------------------------------


def grant_context(grant):
    dossier = grant.dossier
    return {
        "dossier": dossier,
        "grant": grant,
        "grant_url": absolute_url(dossier.get_absolute_url()) + "#mon-aide",
    }


def send_grant_notification(grant, notice):
    """The grant notification PDF, attached, to each porteur (owner, co-editors): once per notice and recipient."""
    with translation.override(settings.LANGUAGE_CODE):
        return staff_notifications.email_notice(
            notice, GRANT_NOTIFICATION_EMAIL, "grant-notification", grant_context(grant)
        )


def email_porteurs(template, dossier, context, key):
    with translation.override(settings.LANGUAGE_CODE):
        return [
            queue_email(
                template, recipient, {**context, "recipient": recipient}, key=f"{key}:{recipient}", related=dossier
            )
            for recipient in porteur_recipients(dossier)
        ]


def notify_grant_change(grant, event):
    """The porteurs are told of a suspension (with its motivation) or a resumption of their grant, once per event."""
    context = {**grant_context(grant), "event": event}
    return email_porteurs(GRANT_CHANGE_EMAIL, grant.dossier, context, f"grant-event:{event.pk}")


def notify_report_submitted(report, event):
    """The dossier's staff hear of a report to review (inside the submission's transaction)."""
    return staff_notifications.notify_staff(report.grant.dossier, REPORT_SUBMITTED, f"report:{event.pk}", event.at)


def notify_report_reviewed(report, event):
    """The porteurs learn that their report is approved, or what to complete, once per review."""
    context = {**grant_context(report.grant), "report": report, "event": event}
    return email_porteurs(REPORT_REVIEWED_EMAIL, report.grant.dossier, context, f"report-review:{event.pk}")
