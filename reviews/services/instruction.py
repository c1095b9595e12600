"""Instruction: batch actions on the staff list, private annotations, labels, and the dossier's zip of files.

State changes go through ``applications.services.workflow.transition`` only (DESIGN §5).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.enums import AttachmentKind
from applications.models import Annotation, Label, MessageAttachment
from applications.services.workflow import transition
from applications.workflow import InvalidTransition
from ptce_ami.accounts import permissions
from ptce_ami.core.zips import ZipEntry, entry_name, readable, same_words, stem_of


@dataclass
class BatchOutcome:
    moved: list = field(default_factory=list)  # references
    skipped: list = field(default_factory=list)  # (reference, reason)


def batch_start_review(dossiers, *, by):
    """Start the review of each dossier ``by`` may instruct; say which were skipped and why.

    Each dossier moves in its own transaction: one that someone else moved meanwhile does not undo the others.
    """
    outcome = BatchOutcome()
    for dossier in dossiers:
        check = permissions.check_action(by, "reviews.start_review", dossier)
        if check is permissions.Outcome.REFUSED:
            outcome.skipped.append((dossier.reference, _("vous ne pouvez pas instruire ce dossier")))
            continue
        if check is permissions.Outcome.NOT_NOW:
            reason = _("son état est « %(state)s »") % {"state": dossier.get_state_display()}
            outcome.skipped.append((dossier.reference, reason))
            continue
        try:
            transition(dossier, "start_review", by=by)
        except InvalidTransition:
            outcome.skipped.append((dossier.reference, _("un autre agent a changé son état entre-temps")))
        else:
            outcome.moved.append(dossier.reference)
    return outcome


def add_annotation(dossier, *, by, body):
    return Annotation.objects.create(dossier=dossier, author=by, body=body.strip())


@transaction.atomic
def set_labels(dossier, labels, *, new_label=""):
    """Put exactly ``labels`` (plus ``new_label``, created if no label has that name yet) on ``dossier``."""
    labels = list(labels)
    new_label = " ".join(new_label.split())
    if new_label:
        label = Label.objects.filter(name__iexact=new_label).first()
        if label is None:
            try:
                with transaction.atomic():
                    label = Label.objects.create(name=new_label)
            except IntegrityError:  # created by someone else meanwhile
                label = Label.objects.get(name__iexact=new_label)
        labels.append(label)
    dossier.labels.set(labels)
    return labels


# The zip of a dossier's files -----------------------------------------------------------------------------------


def attachment_parts(attachment):
    """The kind's label, the member's name for a member's piece, and the uploaded name unless it only repeats
    them ("attestation_honneur.pdf" uploaded as the Attestation sur l'honneur)."""
    kind = AttachmentKind(attachment.kind)
    member = attachment.member.name if attachment.member_id else ""
    stem = stem_of(attachment.original_name)
    if same_words(stem, kind.value) or same_words(stem, kind.label):
        stem = ""
    return [readable(kind.label), readable(member), stem]


def zip_entries(dossier):
    """The dossier's current attachments and its messages' attachments, as ZipEntry, dated when uploaded."""
    used = set()
    entries = []
    pieces, exchanged = readable(_("Pièces du dossier")), readable(_("Pièces jointes aux messages"))
    attachments = dossier.attachments.current().select_related("member").order_by("kind", "uploaded_at", "pk")
    for attachment in attachments:
        name = entry_name(pieces, attachment_parts(attachment), attachment.extension, used)
        entries.append(ZipEntry(name, attachment.file, attachment.uploaded_at))
    message_files = MessageAttachment.objects.filter(message__dossier=dossier).select_related("message")
    for attachment in message_files.order_by("message__created_at", "pk"):
        sent = attachment.message.created_at
        parts = [timezone.localtime(sent, timezone.get_default_timezone()).strftime("%Y-%m-%d")]
        name = entry_name(exchanged, [*parts, stem_of(attachment.original_name)], attachment.extension, used)
        entries.append(ZipEntry(name, attachment.file, sent))
    return entries
