"""Every e-mail of the applications app, through the outbox (ptce_ami.core.outbox), one template set each
(templates/applications/email/<name>_*): the porteurs' (co-editor invitation, receipt, notices, staff messages,
correction requests) and the staff's (new submissions and messages, at once or in a daily digest).

Staff notifications and the daily digest (DESIGN §8; DS #2172, notification fatigue).

When a dossier is submitted, or submitted again after corrections, every State staff member (instructeurs,
administrateurs) and every regional partner of its region gets a ``StaffNotification``, once per event. Those who
chose "à chaque événement" get an e-mail at once: the submission's transaction records one task for the event
(``applications.email_staff_notifications``), so that nothing leaves unless it commits, and a worker builds the
e-mails through the outbox (each keyed by its notification: a task run twice queues each once). Those who chose
"un récapitulatif quotidien" get one e-mail a day (``applications.send_daily_digests``, beat) listing every
notification not yet e-mailed. A message written by the porteur's side in the dossier's thread is an event too
(``notify_message``), with its own e-mail.
Higher floors notify staff of their own events the same way: they declare the kind (``register_kind``: its label,
its immediate e-mail, the page it leads to) and call ``notify_staff`` (reviews: a new request for a service of the
bouquet).

A notification is e-mailed once: ``emailed_at`` is set in the transaction that queues its e-mail, the rows
locked (SKIP LOCKED) and claimed with ``UPDATE … WHERE emailed_at IS NULL``; the outbox key of a digest names
its last notification, so running the sweep twice, or two sweeps at once, sends nothing twice.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications.enums import NoticeKind, NoticeStatus
from applications.models import Dossier, StaffNotification
from applications.signals import dossier_transitioned
from ptce_ami.accounts.enums import STAFF_ROLES, NotificationFrequency, Role
from ptce_ami.accounts.models import User
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.outbox import queue_email
from ptce_ami.core.queue import enqueue

logger = logging.getLogger(__name__)

RECEIPT_EMAIL = "applications/email/dossier_submitted"
NOTICE_EMAIL = "applications/email/notice_available"
MESSAGE_EMAIL = "applications/email/message_received"
CORRECTION_EMAIL = "applications/email/correction_requested"


# The porteurs' e-mails -------------------------------------------------------------------------------------------


def porteur_recipients(dossier):
    """The owner (an active account), then the co-editors by their invited address in the order they were invited,
    without duplicates."""
    recipients = [dossier.owner.email] if dossier.owner.is_active else []
    invitations = sorted(dossier.invitations.all(), key=lambda invitation: (invitation.created_at, invitation.pk))
    for invitation in invitations:
        if invitation.email.lower() not in {address.lower() for address in recipients}:
            recipients.append(invitation.email)
    return recipients


def send_coeditor_invitation(invitation):
    """Queue the invitation to co-edit a dossier: once per invitation (inviting again the same address is a no-op)."""
    dossier = invitation.dossier
    context = {
        "dossier": dossier,
        "invited_by": invitation.invited_by,
        "dossier_url": absolute_url(dossier.get_absolute_url()),
        "signup_url": absolute_url(reverse("accounts:signup")),
    }
    return queue_email(
        "applications/email/coeditor_invitation",
        invitation.email,
        context,
        key=f"coeditor:{invitation.pk}",
        related=dossier,
    )


def send_claim_link(record, user, url, *, key):
    """The one-time link with which a porteur claims a phase-1 laureate of the history, to the record's contact
    address (not to the account that asked: the address staff imported proves the claim)."""
    context = {"record": record, "user": user, "claim_url": url}
    with translation.override(settings.LANGUAGE_CODE):
        return queue_email("applications/email/laureate_claim", record.contact_email, context, key=key)


def notify_porteurs(message):
    """One e-mail per porteur (owner, co-editors) about a staff message: the reference and the link, not the
    text (it may hold personal data; the porteur reads it once signed in)."""
    dossier = message.dossier
    url = absolute_url(dossier.get_absolute_url()) + "#messages"
    with translation.override(settings.LANGUAGE_CODE):
        for recipient in porteur_recipients(dossier):
            context = {"dossier": dossier, "message": message, "dossier_url": url, "recipient": recipient}
            queue_email(MESSAGE_EMAIL, recipient, context, key=f"message:{message.pk}:{recipient}", related=dossier)


def send_correction_request(correction, context):
    """One e-mail per porteur about a correction request (``context``: the request's, shared with the thread)."""
    for recipient in porteur_recipients(correction.dossier):
        queue_email(
            CORRECTION_EMAIL,
            recipient,
            {**context, "recipient": recipient},
            key=f"correction:{correction.pk}:{recipient}",
            related=correction.dossier,
        )


def notice_filename(notice):
    """The PDF's name in e-mails: "accuse-de-reception-PTCE-2026-P1-0042.pdf", "lettre-de-decision-…-2.pdf"."""
    stem = {
        NoticeKind.RECEIPT: "accuse-de-reception",
        NoticeKind.LAUREATE_LETTER: "lettre-de-decision",
        NoticeKind.NOT_RETAINED_LETTER: "lettre-de-decision",
        NoticeKind.GRANT_NOTIFICATION: "notification-de-l-aide",
    }[notice.kind]
    suffix = f"-{notice.number}" if notice.number > 1 and notice.kind != NoticeKind.RECEIPT else ""
    return f"{stem}-{notice.dossier.reference}{suffix}.pdf"


def email_notice(notice, template, key, context):
    """Queue ``template`` to each porteur of the notice's dossier, its PDF attached: one message each, once (``key``
    names the kind of e-mail)."""
    dossier = notice.dossier
    attachment = {"path": notice.file.name, "filename": notice_filename(notice), "mimetype": "application/pdf"}
    context = {"dossier": dossier, "dossier_url": absolute_url(dossier.get_absolute_url()), **context}
    return [
        queue_email(
            template,
            recipient,
            context,
            key=f"{key}:{notice.pk}:{recipient}",
            related=dossier,
            attachments=[attachment],
        )
        for recipient in porteur_recipients(dossier)
    ]


def send_receipt_email(notice):
    """Queue the receipt's e-mail to the owner and to each co-editor, the PDF attached: one message each, once."""
    context = {"version": notice.version, "submitted_at": notice.version.submitted_at}
    return email_notice(notice, RECEIPT_EMAIL, "receipt", context)


def send_notice_email(notice, by):
    """Tell the porteurs that a notice is available on their space, the PDF attached; once per recipient.

    For letters, when decisions are published: nothing sends them automatically. ``by`` is the staff member
    who publishes (logged).
    """
    if notice.status != NoticeStatus.READY:
        raise ValueError(f"notice {notice.pk} is not ready")
    emails = email_notice(notice, NOTICE_EMAIL, "notice", {"notice": notice, "document": notice.get_kind_display()})
    logger.info(
        "Notice %s of %s e-mailed to %d recipient(s) by %s", notice.pk, notice.dossier.reference, len(emails), by
    )
    return emails


# The staff's e-mails ---------------------------------------------------------------------------------------------


SUBMITTED = "dossier_submitted"
RESUBMITTED = "dossier_resubmitted"
KIND_BY_ACTION = {"submit": SUBMITTED, "resubmit": RESUBMITTED}
MESSAGE = "message_received"
KIND_LABELS = {
    SUBMITTED: _("Nouveau dépôt"),
    RESUBMITTED: _("Nouveau dépôt après corrections"),
    MESSAGE: _("Nouveau message du porteur"),
}
IMMEDIATE_EMAIL = "applications/email/staff_dossier_submitted"
IMMEDIATE_EMAILS = {MESSAGE: "applications/email/message_staff"}
# Where the notification leads on the dossier's page.
KIND_ANCHORS = {MESSAGE: "#messages"}
# Kinds registered by higher floors: kind → link(dossier), the path their notification leads to.
KIND_LINKS = {}
DIGEST_EMAIL = "applications/email/daily_digest"


def connect():
    """Called by ApplicationsConfig.ready()."""
    dossier_transitioned.connect(on_dossier_transitioned, dispatch_uid="applications.services.notifications")


def on_dossier_transitioned(sender, *, dossier, action, **kwargs):
    if action in KIND_BY_ACTION:
        notify_submission(dossier, action)


def dossier_staff(dossier):
    """Who follows a dossier: State staff, and the regional partners of its region (active accounts only)."""
    condition = Q(role__in=STAFF_ROLES)
    if dossier.region_id:
        condition |= Q(role=Role.PARTENAIRE, regions=dossier.region_id)
    return User.objects.filter(condition, is_active=True).distinct()


def register_kind(kind, *, label, email, link):
    """Declare a kind of staff notification of a higher floor: its ``label`` in the digest, the templates of its
    immediate ``email`` (given ``recipient`` and ``item``), and ``link(dossier)``, the path it leads to."""
    KIND_LABELS[kind] = label
    IMMEDIATE_EMAILS[kind] = email
    KIND_LINKS[kind] = link


def notify_staff(dossier, kind, event_key, at):
    """Notify the dossier's staff of an event (``event_key``, unique for the kind); call it inside the event's
    transaction. One notification per (recipient, event), dated ``at``, e-mailed at once or in the digest as each
    recipient chose. Returns how many people were notified."""
    notifications = [
        StaffNotification(recipient=user, kind=kind, dossier=dossier, event_key=event_key, created_at=at)
        for user in dossier_staff(dossier)
    ]
    StaffNotification.objects.bulk_create(notifications, ignore_conflicts=True)
    if notifications:
        # The e-mails are built by a worker (one task for the event), not here: rendering and recording one per
        # recipient took the submission's request about 20 ms and 8 queries per staff member, its dossier locked
        # (issue 15's deadline rush: 0.9 s per submission with 41 instructeurs, 3 s and more under load).
        enqueue("applications.email_staff_notifications", kind=kind, event_key=event_key)
    return len(notifications)


def notify_submission(dossier, action):
    """Notify the dossier's staff of its (re)submission; call it inside the transaction of the transition.

    The event is the transition's audit row, written just before. Returns how many people were notified.
    """
    transition = dossier.transitions.order_by("-pk").first()
    return notify_staff(dossier, KIND_BY_ACTION[action], f"submit:{dossier.pk}:{transition.pk}", transition.at)


def notify_message(message):
    """Notify the dossier's staff of a message from the porteur's side; call it inside the message's transaction."""
    return notify_staff(message.dossier, MESSAGE, f"message:{message.pk}", message.created_at)


def notification_path(notification):
    dossier = notification.dossier
    link = KIND_LINKS.get(notification.kind)
    return link(dossier) if link else dossier.get_absolute_url() + KIND_ANCHORS.get(notification.kind, "")


def notification_item(notification):
    dossier = notification.dossier
    return {
        "reference": dossier.reference,
        "pole": dossier.display_name,
        "region": dossier.region.name if dossier.region else "—",
        "kind": KIND_LABELS.get(notification.kind, notification.kind),
        "at": notification.created_at,
        "url": absolute_url(notification_path(notification)),
    }


def email_immediately(kind, event_key, *, now):
    """Queue one e-mail per notification of the event whose recipient wants them at once, and stamp them."""
    pending = StaffNotification.objects.filter(
        kind=kind,
        event_key=event_key,
        emailed_at__isnull=True,
        recipient__notification_frequency=NotificationFrequency.IMMEDIATE,
    ).select_related("recipient", "dossier__region")
    notifications = list(pending)
    for notification in notifications:
        with translation.override(notification.recipient.preferred_language):  # the item's labels are built here
            context = {"recipient": notification.recipient, "item": notification_item(notification)}
            context["resubmission"] = notification.kind == RESUBMITTED
            queue_email(
                IMMEDIATE_EMAILS.get(notification.kind, IMMEDIATE_EMAIL),
                notification.recipient.email,
                context,
                key=f"staff:{notification.pk}",
                related=notification.dossier,
            )
    StaffNotification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=now)


# The daily digest --------------------------------------------------------------------------------------------


def send_daily_digests(now=None):
    """One e-mail per recipient listing their notifications not yet e-mailed. Returns how many were queued.

    Each recipient in a transaction of their own: a failure for one leaves the others sent and theirs for the
    next run. Notifications of a dossier the recipient can no longer see (a partner moved to another region)
    are left out.
    """
    now = now or timezone.now()
    waiting = StaffNotification.objects.filter(emailed_at__isnull=True).values("recipient_id")
    recipients = User.objects.filter(pk__in=waiting, is_active=True).order_by("pk")
    return sum(send_digest(recipient, now) for recipient in recipients)


def send_digest(recipient, now):
    """Claim the recipient's notifications not yet e-mailed and queue their digest; 1 if one was queued, else 0."""
    with transaction.atomic():
        notifications = list(
            StaffNotification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(recipient=recipient, emailed_at__isnull=True, dossier__in=Dossier.objects.visible_to(recipient))
            .select_related("dossier__region")
            .order_by("created_at", "pk")
        )
        if not notifications:
            return 0
        ids = [notification.pk for notification in notifications]
        claimed = StaffNotification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
        if claimed != len(ids):  # another run took some of them (databases without row locks): it sends them
            transaction.set_rollback(True)
            return 0
        with translation.override(recipient.preferred_language):  # the items' labels are built here
            context = {"recipient": recipient, "items": [notification_item(n) for n in notifications]}
            context["day"] = timezone.localdate(now)
            queue_email(
                DIGEST_EMAIL,
                recipient.email,
                context,
                key=f"digest:{recipient.pk}:{timezone.localdate(now).isoformat()}:{max(ids)}",
            )
    logger.info("daily digest of %d notification(s) queued for user %s", len(ids), recipient.pk)
    return 1


def queue_retention_warning(dossier, recipient, context, *, key):
    """The warning that an untouched draft will be deleted (applications.services.retention), in the recipient's
    language (ptce_ami.core.emails)."""
    return queue_email("applications/email/retention_warning", recipient, context, key=key, related=dossier)
