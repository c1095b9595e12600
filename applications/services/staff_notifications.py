"""Staff notifications and the daily digest (DESIGN §8; DS #2172, notification fatigue).

When a dossier is submitted, or submitted again after corrections, every State staff member (instructeurs,
administrateurs) and every regional partner of its region gets a ``StaffNotification``, once per event. Those who
chose "à chaque événement" get an e-mail at once: it is queued through the outbox in the transaction of the
submission, so that it leaves only if the submission commits. Those who chose "un récapitulatif quotidien" get one
e-mail a day (``applications.send_daily_digests``, beat) listing every notification not yet e-mailed. A message
written by the porteur's side in the dossier's thread is an event too (``notify_message``), with its own e-mail.

A notification is e-mailed once: ``emailed_at`` is set in the transaction that queues its e-mail, the rows
locked (SKIP LOCKED) and claimed with ``UPDATE … WHERE emailed_at IS NULL``; the outbox key of a digest names
its last notification, so running the sweep twice, or two sweeps at once, sends nothing twice.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications.models import Dossier, StaffNotification
from applications.signals import dossier_transitioned
from ptce_ami.accounts.enums import STAFF_ROLES, NotificationFrequency, Role
from ptce_ami.accounts.models import User
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.outbox import queue_email

logger = logging.getLogger(__name__)

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
DIGEST_EMAIL = "applications/email/daily_digest"


def connect():
    """Called by ApplicationsConfig.ready()."""
    dossier_transitioned.connect(on_dossier_transitioned, dispatch_uid="applications.services.staff_notifications")


def on_dossier_transitioned(sender, *, dossier, action, **kwargs):
    if action in KIND_BY_ACTION:
        notify_submission(dossier, action)


def dossier_staff(dossier):
    """Who follows a dossier: State staff, and the regional partners of its region (active accounts only)."""
    condition = Q(role__in=STAFF_ROLES)
    if dossier.region_id:
        condition |= Q(role=Role.PARTENAIRE, regions=dossier.region_id)
    return User.objects.filter(condition, is_active=True).distinct()


def notify_submission(dossier, action):
    """Notify the dossier's staff of its (re)submission; call it inside the transaction of the transition.

    The event is the transition's audit row, written just before: one notification per (recipient, event), dated
    with the transition. Returns how many people were notified.
    """
    transition = dossier.transitions.order_by("-pk").first()
    kind = KIND_BY_ACTION[action]
    event_key = f"submit:{dossier.pk}:{transition.pk}"
    notifications = [
        StaffNotification(recipient=user, kind=kind, dossier=dossier, event_key=event_key, created_at=transition.at)
        for user in dossier_staff(dossier)
    ]
    StaffNotification.objects.bulk_create(notifications, ignore_conflicts=True)
    email_immediately(kind, event_key, now=timezone.now())
    return len(notifications)


def notify_message(message):
    """Notify the dossier's staff of a message from the porteur's side; call it inside the message's transaction.

    One notification per (recipient, message), e-mailed at once or in the digest as each recipient chose.
    """
    dossier = message.dossier
    event_key = f"message:{message.pk}"
    notifications = [
        StaffNotification(
            recipient=user, kind=MESSAGE, dossier=dossier, event_key=event_key, created_at=message.created_at
        )
        for user in dossier_staff(dossier)
    ]
    StaffNotification.objects.bulk_create(notifications, ignore_conflicts=True)
    email_immediately(MESSAGE, event_key, now=timezone.now())
    return len(notifications)


def notification_item(notification):
    dossier = notification.dossier
    return {
        "reference": dossier.reference,
        "pole": dossier.display_name,
        "region": dossier.region.name if dossier.region else "—",
        "kind": KIND_LABELS.get(notification.kind, notification.kind),
        "at": notification.created_at,
        "url": absolute_url(dossier.get_absolute_url()) + KIND_ANCHORS.get(notification.kind, ""),
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
    with translation.override(settings.LANGUAGE_CODE):
        for notification in notifications:
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
        with translation.override(settings.LANGUAGE_CODE):
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
