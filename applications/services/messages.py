"""The message thread between the porteur's side (owner and co-editors) and the staff who follow a dossier
(instructeurs, regional partners of its region); reviewers are not part of it (rules ``view_messages``).

A staff message may ask for a reply ("réponse attendue"): the flag stays until the porteur's side writes back.
Each user's ``MessageRead`` row says up to when they read the thread: the messages of the other side written
after it are unread. Staff messages are e-mailed to the porteurs; the porteur's messages notify the staff
(``notifications.notify_message``: at once or in the daily digest, as each one chose).
"""

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from applications.models import Message, MessageAttachment, MessageRead
from applications.services import notifications
from applications.services.attachments import check_file, clean_name
from ptce_ami.accounts.enums import STAFF_ROLES, Role

STAFF_SIDE_ROLES = (*STAFF_ROLES, Role.PARTENAIRE)


def is_staff_side(user):
    """Whether ``user`` writes for the administration (instructeurs, administrateurs, regional partners)."""
    return getattr(user, "role", None) in STAFF_SIDE_ROLES


@transaction.atomic
def post_message(dossier, *, author, body, uploads=(), awaiting_reply=False, notify=True):
    """Add a message to the dossier's thread; returns it.

    Files are checked by content and size first (AttachmentRefused). A staff message may ask for a reply; a
    message of the porteur's side answers every pending request. The author has read the thread up to their
    message. With ``notify``, the other side is told after commit (e-mails through the outbox, once per key).
    """
    inspections = [check_file(upload) for upload in uploads]
    from_staff = is_staff_side(author)
    message = Message.objects.create(
        dossier=dossier,
        author=author,
        from_staff=from_staff,
        body=body,
        awaiting_reply=from_staff and awaiting_reply,
    )
    for upload, inspection in zip(uploads, inspections, strict=True):
        store_attachment(message, upload, inspection)
    if not from_staff:
        Message.objects.filter(dossier=dossier, awaiting_reply=True).update(awaiting_reply=False)
    mark_read(dossier, author, at=message.created_at)
    if notify and from_staff:
        notifications.notify_porteurs(message)
    elif notify:
        notifications.notify_message(message)
    return message


def store_attachment(message, upload, inspection):
    attachment = MessageAttachment(
        message=message,
        original_name=clean_name(upload.name, inspection.file_type),
        extension=inspection.file_type.extension,
        content_type=inspection.file_type.content_type,
        size=inspection.size,
        sha256=inspection.sha256,
    )
    attachment.file.save(f"piece{attachment.extension}", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def mark_read(dossier, user, *, at=None):
    """``user`` has read the thread of ``dossier`` up to ``at`` (now): one upsert."""
    MessageRead.objects.bulk_create(
        [MessageRead(dossier=dossier, user=user, read_at=at or timezone.now())],
        update_conflicts=True,
        unique_fields=["dossier", "user"],
        update_fields=["read_at"],
    )


def thread_messages(dossier, user):
    """The thread, each message with ``last_read``: when ``user`` last read the thread (None if never)."""
    last_read = MessageRead.objects.filter(dossier=dossier, user=user).values("read_at")[:1]
    messages = dossier.messages.select_related("author").prefetch_related("attachments")
    return list(messages.annotate(last_read=Subquery(last_read)))


def unread_counts(user, dossier_ids):
    """{dossier id: number of messages ``user`` has not read}, in one query.

    Unread: written by the other side (the porteur's side for staff, staff for porteurs) after the user last
    read the thread, or ever if they never did. Dossiers without unread messages are absent.
    """
    if not dossier_ids:
        return {}
    read_later = MessageRead.objects.filter(
        dossier=OuterRef("dossier_id"), user=user, read_at__gte=OuterRef("created_at")
    )
    rows = (
        Message.objects.filter(dossier_id__in=dossier_ids, from_staff=not is_staff_side(user))
        .exclude(Exists(read_later))
        .values("dossier_id")
        .annotate(unread=Count("pk"))
        .order_by()
    )
    return {row["dossier_id"]: row["unread"] for row in rows}


def with_awaiting_reply(queryset):
    """Dossiers annotated with ``awaiting_reply``: staff asked a question the porteur has not answered yet."""
    return queryset.annotate(
        awaiting_reply=Exists(Message.objects.filter(dossier=OuterRef("pk"), awaiting_reply=True))
    )
