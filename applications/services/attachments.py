"""Attachments of a dossier: checked by their content, stored under a random name, never overwritten, removed
softly (the submitted versions reference the files by id and SHA-256)."""

import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications.enums import AttachmentKind
from applications.models import Attachment
from applications.services.dossiers import check_editable, lock, touch
from ptce_ami.core import files

MAX_NAME_LENGTH = 255
DEFAULT_NAME = "piece-jointe"
TOO_LARGE = "too_large"  # a refusal of its own: files.inspect does not know the limit


class AttachmentRefused(ValueError):
    """The file is too large or not of an accepted type; ``refusal`` is TOO_LARGE or a files.Refusal value."""

    def __init__(self, refusal, inspection=None):
        super().__init__(refusal)
        self.refusal = refusal
        self.inspection = inspection


def add_attachment(dossier, *, kind, uploaded_file, by, member=None):
    """Attach ``uploaded_file`` to ``dossier``; returns the new Attachment.

    The type comes from the content (files.inspect), read before the dossier is locked. Then, under the lock:
    refuses a dossier its porteurs can no longer edit (DossierNotEditable), stores the file under a random name
    with the detected extension (never over another file), records size, type, SHA-256, the sanitised
    original name and the uploader, and touches ``last_edited_by``. Raises AttachmentRefused for a file too
    large or of no accepted type, ValueError for a member given with another kind than a commitment letter or
    belonging to another dossier.
    """
    kind = AttachmentKind(kind)
    inspection = check_file(uploaded_file)
    with transaction.atomic():
        locked = lock(dossier)
        check_editable(locked)
        check_member(locked, kind, member)
        attachment = Attachment(
            dossier=locked,
            member=member,
            kind=kind,
            original_name=clean_name(uploaded_file.name, inspection.file_type),
            extension=inspection.file_type.extension,
            content_type=inspection.file_type.content_type,
            size=inspection.size,
            sha256=inspection.sha256,
            uploaded_by=by,
        )
        store(attachment, uploaded_file)
        touch(locked, by)
    return attachment


def check_file(uploaded_file):
    max_size = settings.ATTACHMENT_MAX_SIZE
    if uploaded_file.size is not None and uploaded_file.size > max_size:
        raise AttachmentRefused(TOO_LARGE)
    inspection = files.inspect(uploaded_file)
    if inspection.size > max_size:
        raise AttachmentRefused(TOO_LARGE, inspection)
    if inspection.file_type is None:
        raise AttachmentRefused(inspection.refusal, inspection)
    return inspection


def check_member(dossier, kind, member):
    if member is None:
        return
    if kind != AttachmentKind.COMMITMENT_LETTER:
        raise ValueError("only a commitment letter is attached to a member structure")
    if member.dossier_id != dossier.pk:
        raise ValueError("the member structure belongs to another dossier")


def store(attachment, uploaded_file):
    """Write the file (attachment_path picks a fresh random name) and save the row; on failure, the file
    written is deleted so that no orphan stays in the storage."""
    attachment.file.save(f"piece{attachment.extension}", uploaded_file, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise


def clean_name(name, file_type):
    """The uploaded name, safe to show and to send back in Content-Disposition: no folder, no control or
    format character, at most 255 characters, and ending with an extension of the detected type
    ("statuts.docx" holding a PDF becomes "statuts.pdf", "statuts" becomes "statuts.pdf")."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(name.split())
    # Control and format characters (bidi overrides can disguise "fdp.exe" as "exe.pdf") go.
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C")).strip(" .")
    extension = files.name_extension(name)
    if files.NAME_EXTENSIONS.get(extension) == file_type:
        stem, extension = name[: -len(extension)], name[-len(extension) :]  # "STATUTS.PDF" keeps its case
    else:
        # Another accepted extension is replaced ("statuts.docx" holding a PDF); anything else is kept.
        stem = name[: -len(extension)] if extension in files.NAME_EXTENSIONS else name
        extension = file_type.extension
    stem = stem.strip(" .") or DEFAULT_NAME
    return stem[: MAX_NAME_LENGTH - len(extension)] + extension


@transaction.atomic
def remove_attachment(attachment, *, by):
    """Remove ``attachment`` from the dossier: the row and its file stay (removed_at is set) for the versions
    that reference them. Raises DossierNotEditable when its porteurs can no longer edit the dossier; removing
    an attachment already removed changes nothing."""
    locked = lock(attachment.dossier)
    check_editable(locked)
    now = timezone.now()
    Attachment.objects.filter(pk=attachment.pk, removed_at__isnull=True).update(removed_at=now)
    attachment.refresh_from_db(fields=["removed_at"])
    touch(locked, by)
    return attachment
