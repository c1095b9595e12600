"""Instruction: batch actions on the staff list, private annotations, labels, and the dossier's zip of files.

State changes go through ``applications.services.workflow.transition`` only (DESIGN §5).
"""

import datetime
import posixpath
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from applications.enums import AttachmentKind
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

# Characters no file manager accepts in a name (Windows' reserved ones, separators, controls).
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
NAME_LIMIT = 80


@dataclass(frozen=True)
class ZipEntry:
    name: str  # path in the archive
    file: object  # FieldFile
    modified: datetime.datetime  # aware: when the file was uploaded


def readable(text, limit=NAME_LIMIT):
    """``text`` as part of a file name: accents and spaces kept, what a file system refuses dropped."""
    text = UNSAFE_IN_NAME.sub(" ", unicodedata.normalize("NFC", str(text)))
    return " ".join(text.split()).strip(" .")[:limit].rstrip(" .")


def stem_of(original_name):
    """The uploaded file's name without its folders (as sent by the browser) nor its extension."""
    base = posixpath.basename(str(original_name).replace("\\", "/"))
    stem, dot, _extension = base.rpartition(".")
    return readable(stem if dot and stem else base)


def same_words(first, second):
    return slugify(str(first).replace("_", " ")) == slugify(str(second).replace("_", " "))


def entry_name(folder, parts, extension, used):
    """``folder/part1 - part2.ext``, each part once, made unique in the archive (" (2)", whatever the case)."""
    kept = []
    for part in parts:
        if part and not any(same_words(part, other) for other in kept):
            kept.append(part)
    stem = " - ".join(kept)
    extension = extension.lower() if extension.startswith(".") and extension[1:].isalnum() else ""
    candidate, number = f"{stem}{extension}", 1
    while f"{folder}/{candidate}".casefold() in used:
        number += 1
        candidate = f"{stem} ({number}){extension}"
    name = f"{folder}/{candidate}"
    used.add(name.casefold())
    return name


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


def zip_info(entry):
    """The archive's header of ``entry``: its name, its upload time in Paris (zip times have no time zone), and
    ordinary read permissions for whoever extracts it."""
    local = timezone.localtime(entry.modified, timezone.get_default_timezone())
    info = zipfile.ZipInfo(entry.name, date_time=local.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    return info


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
        for entry in entries:
            try:
                source = entry.file.open("rb")
            except OSError:  # a file lost from the storage: the archive holds the others
                continue
            with source, archive.open(zip_info(entry), mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK_SIZE):
                    target.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
