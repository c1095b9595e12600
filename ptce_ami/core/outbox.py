"""The e-mail outbox: every message is rendered and recorded in the database, then sent by a task.

``queue_email`` writes the message inside the caller's transaction and queues the sending task with
``enqueue`` (which records the task too): if the transaction rolls back, nothing is sent; if the broker is down,
the task's sweep (``ptce_ami.core.queue``) sends it later. ``deliver`` claims a pending row atomically before
sending, so that two deliveries of the same task (a duplicate, a worker killed and restarted) send it once.

``claimed_at`` is the last time something took a row in charge: the admin when it queued it again, a worker
when it started sending it. A row SENDING for long was interrupted in the middle of the SMTP exchange: it may
have left, so ``mark_interrupted`` (task ``core.mark_interrupted_emails``) marks it FAILED for staff to check
and retry from the admin; a delivery of the task never sends it again.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ptce_ami.core.emails import build_email
from ptce_ami.core.models import EmailStatus, OutboundEmail
from ptce_ami.core.queue import enqueue

logger = logging.getLogger(__name__)

# A message SENDING this long was interrupted (the worker died): it may or may not have left.
INTERRUPTED_AFTER = datetime.timedelta(minutes=15)
INTERRUPTED_ERROR = "Envoi interrompu : vérifier avant de renvoyer"
SWEEP_BATCH = 200
# At most this many batches per sweep run, so that a run stays short; the next run takes the rest.
SWEEP_MAX_BATCHES = 25


def queue_email(prefix, recipient, context, *, key, related=None, cc=(), attachments=()):
    """Record the message built from the ``prefix`` templates and queue its sending; idempotent on ``key``.

    ``attachments``: dicts with ``path`` (a name in the default storage), ``filename`` and ``mimetype``,
    read when the message is sent. ``related``: the object the message is about (the dossier), listed with it.
    """
    existing = OutboundEmail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    message = build_email(prefix, recipient, context)
    email, created = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "template": prefix,
            "recipient": recipient,
            "cc": list(cc),
            "subject": message.subject,
            "body_text": message.body,
            "body_html": next((content for content, mime in message.alternatives if mime == "text/html"), ""),
            "attachments": list(attachments),
            **related_fields(related),
        },
    )
    if created:
        enqueue("core.send_email", email_id=email.pk)
    return email


def related_fields(obj):
    if obj is None:
        return {}
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": str(obj.pk)}


def claim(email_id):
    """Take a pending or failed message for sending; None if another delivery took it, or it is sent, or it was
    interrupted while sending (it may have left: only staff send it again)."""
    claimable = OutboundEmail.objects.filter(pk=email_id, status__in=[EmailStatus.PENDING, EmailStatus.FAILED])
    claimed = claimable.exclude(status=EmailStatus.FAILED, last_error=INTERRUPTED_ERROR).update(
        status=EmailStatus.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
    )
    return OutboundEmail.objects.get(pk=email_id) if claimed else None


def to_message(email):
    message = build_message(email)
    for attachment in email.attachments:
        with default_storage.open(attachment["path"], "rb") as handle:
            message.attach(attachment["filename"], handle.read(), attachment["mimetype"])
    return message


def build_message(email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.recipient],
        cc=email.cc,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def deliver(email_id):
    """Send one recorded message once. Returns the row, or None when there was nothing to send.

    On an error the row goes to FAILED with the error and the exception is raised again, so that the task's
    retries (with backoff, on transient errors) try later; staff can also retry failed messages from the admin.
    """
    email = claim(email_id)
    if email is None:
        return None
    try:
        to_message(email).send()
    except Exception as error:
        email.status, email.last_error = EmailStatus.FAILED, f"{error.__class__.__name__}: {error}"
        email.save(update_fields=["status", "last_error"])
        logger.warning("e-mail %s to %s failed: %s", email.pk, email.recipient, email.last_error)
        raise
    email.status, email.sent_at, email.last_error = EmailStatus.SENT, timezone.now(), ""
    email.save(update_fields=["status", "sent_at", "last_error"])
    return email


def requeue(email):
    """Queue a FAILED (or PENDING) message again: the admin's "Renvoyer". False for a message sent or being sent.

    A message being sent is left alone: queuing it again could send it twice.
    """
    with transaction.atomic():
        updated = OutboundEmail.objects.filter(
            pk=email.pk, status__in=[EmailStatus.FAILED, EmailStatus.PENDING]
        ).update(status=EmailStatus.PENDING, claimed_at=timezone.now())
        if updated:
            enqueue("core.send_email", email_id=email.pk)
    return bool(updated)


# The sweep ---------------------------------------------------------------------------------------------------


def mark_interrupted(now=None, *, batch=SWEEP_BATCH, max_batches=SWEEP_MAX_BATCHES):
    """Mark FAILED the messages SENDING for longer than INTERRUPTED_AFTER (their worker died while sending).

    Returns how many rows were marked. Works in batches, each in its own transaction, the rows locked with SKIP
    LOCKED on PostgreSQL so that concurrent runs share the work. Pending messages need no sweep here: their
    sending task is recorded and sent again by the task sweep (``ptce_ami.core.queue.requeue_due``).
    """
    now = now or timezone.now()
    processed = 0
    for _batch in range(max_batches):
        count = _interrupt_batch(now, batch)
        processed += count
        if count == 0:
            break
    return processed


def _locked_ids(queryset, batch):
    return list(queryset.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:batch])


def _interrupt_batch(now, batch):
    stale = OutboundEmail.objects.filter(status=EmailStatus.SENDING, claimed_at__lt=now - INTERRUPTED_AFTER)
    with transaction.atomic():
        ids = _locked_ids(stale, batch)
        OutboundEmail.objects.filter(pk__in=ids, status=EmailStatus.SENDING).update(
            status=EmailStatus.FAILED, last_error=INTERRUPTED_ERROR
        )
    if ids:
        logger.warning("outbox sweep: %d e-mail(s) interrupted while sending, marked failed", len(ids))
    return len(ids)
