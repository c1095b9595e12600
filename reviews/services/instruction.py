"""Instruction: batch actions on the staff list, private annotations, labels, and the dossier's zip of files.

State changes go through ``applications.services.workflow.transition`` only (DESIGN §5).
"""

import posixpath
import zipfile
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from applications.models import Annotation, Label, MessageAttachment
from applications.services.workflow import transition
from applications.workflow import InvalidTransition
from ptce_ami.accounts import permissions

CHUNK_SIZE = 64 * 1024


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


def safe_name(name, default="fichier"):
    """A file name that cannot escape its folder of the archive nor surprise a file manager."""
    base = posixpath.basename(str(name).replace("\\", "/"))
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = slugify(stem)[:80] or default
    extension = get_valid_filename(extension)[:8].lower() if extension else ""
    return f"{stem}.{extension}" if extension else stem


def unique(name, used):
    candidate, number = name, 1
    stem, dot, extension = name.rpartition(".")
    while candidate in used:
        number += 1
        candidate = f"{stem}-{number}.{extension}" if dot else f"{name}-{number}"
    used.add(candidate)
    return candidate


def zip_entries(dossier):
    """(name in the archive, FieldFile) of the dossier's current attachments and of its messages' attachments."""
    used = set()
    entries = []
    for attachment in dossier.attachments.current().order_by("kind", "uploaded_at", "pk"):
        name = f"{attachment.kind}-{safe_name(attachment.original_name)}"
        entries.append((unique(f"pieces/{name}", used), attachment.file))
    message_files = MessageAttachment.objects.filter(message__dossier=dossier).select_related("message")
    for attachment in message_files.order_by("message__created_at", "pk"):
        stamp = timezone.localtime(attachment.message.created_at).strftime("%Y-%m-%d")
        name = f"{stamp}-{safe_name(attachment.original_name)}"
        entries.append((unique(f"messages/{name}", used), attachment.file))
    return entries


class _Sink:
    """A write-only, unseekable file for ZipFile: what is written waits in ``chunks`` until taken."""

    def __init__(self):
        self.chunks = []
        self.position = 0

    def write(self, data):
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self):
        data, self.chunks = b"".join(self.chunks), []
        return data


def stream_zip(entries):
    """Yield the bytes of a zip archive of ``entries`` as it is written, a chunk at a time (nothing in memory)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, file in entries:
            try:
                source = file.open("rb")
            except OSError:  # a file lost from the storage: the archive holds the others
                continue
            with source, archive.open(name, mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK_SIZE):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
