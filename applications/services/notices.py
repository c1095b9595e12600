"""PDF notices of a dossier (DESIGN §8): the notice rows, their PDF, the e-mails that carry them; and the
submission receipt (accusé de réception de dépôt). Decision letters and the grant notification: ``letters``.

A notice is a row first (PENDING, numbered per dossier and kind), then a PDF (READY) or an error (FAILED).
The receipt's HTML is rendered from the frozen version; a letter's HTML is rendered when it is issued and stored
beside it (``store_source``), so that a retry converts exactly what was issued. Regenerating makes a new row with
the next number: a notice once READY never changes. E-mails go through the outbox, once per key.

Seams: ``render_receipt_html`` (testable without WeasyPrint), ``render_and_store`` (what a retry repeats),
``issue_receipt`` (idempotent) and ``retry`` (the admin). A notice whose task was lost (broker down) is sent
again by the sweep of queued tasks (``ptce_ami.core.queue``), like every queued task.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext

from applications.enums import ActionLever, BouquetNeed, NoticeKind, NoticeStatus
from applications.models import Dossier, Notice
from applications.services import notifications
from ptce_ami.core import files
from ptce_ami.core.pdf import html_to_pdf, render_notice_html
from ptce_ami.core.queue import enqueue
from ptce_ami.core.siret import format_siret

logger = logging.getLogger(__name__)

RECEIPT_TEMPLATE = "applications/pdf/receipt.html"
# A receipt stays short: longer texts are cut to about this many characters (the dossier holds them in full).
EXCERPT_LENGTH = 300


# The receipt's content ---------------------------------------------------------------------------------------


class NoticeRenderError(Exception):
    """A notice's PDF could not be made (WeasyPrint, a missing resource…); the notice recorded the error.

    The notice tasks retry it a few times with backoff, after which the
    notice stays FAILED for staff to see and retry from the admin.
    """


def excerpt(value, limit=EXCERPT_LENGTH):
    """A field's value for the receipt: whitespace collapsed, cut at a word boundary when longer than ``limit``.

    Returns {"text", "truncated", "length"}: a cut text ends with "…"; ``length`` says the full text's length,
    grouped the French way ("2 772 caractères").
    """
    text = " ".join(str(value).split())
    length = ngettext("%(count)s caractère", "%(count)s caractères", len(text)) % {
        "count": number_format(len(text), force_grouping=True)
    }
    if len(text) <= limit:
        return {"text": text, "truncated": False, "length": length}
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else text[:limit]
    return {"text": cut.rstrip(" ,;:.-—") + "…", "truncated": True, "length": length}


def frozen_label(text):
    """A title or label frozen in French at submission, in the active language. It was written from the catalogue
    (a step's title, a field's verbose name, capitalised or not), so the catalogue has it; anything else is kept."""
    translated = gettext(text)
    if translated == text and text[:1].isupper():
        lowered = text[:1].lower() + text[1:]
        if (alternative := gettext(lowered)) != lowered:
            return capfirst(alternative)
    return translated


def frozen_value(name, value):
    """A value frozen in French: a choice's label (or several, joined) is said in the active language; what the
    porteur typed is kept as typed."""
    try:
        field = Dossier._meta.get_field(name)
    except FieldDoesNotExist:
        return value
    if not isinstance(value, str):
        return value
    if isinstance(field, models.BooleanField):
        return frozen_label(value)  # "Oui", "Non"
    if name in LABEL_LISTS:
        with translation.override(settings.LANGUAGE_CODE):  # the labels as they were frozen, in French
            labels = {str(choice.label): choice.label for choice in LABEL_LISTS[name]}
        return ", ".join(str(labels.get(part, part)) for part in split_labels(value, labels))
    return frozen_label(value) if field.choices else value


# The fields that hold several choices, joined with ", " (snapshots.display), and their choices.
LABEL_LISTS = {"bouquet_needs": BouquetNeed, "action_levers": ActionLever}


def split_labels(value, labels):
    """The labels joined in ``value``, some of which may hold ", " themselves: the longest known label first."""
    parts, rest = [], value
    while rest:
        known = sorted((label for label in labels if rest == label or rest.startswith(f"{label}, ")), key=len)
        part = known[-1] if known else rest.split(", ", 1)[0]
        parts.append(part)
        rest = rest[len(part) + 2 :]
    return parts


def receipt_sections(data):
    """Each section's fields cut to an excerpt; a phase-2 budget's table (lines and totals) as it was submitted. The
    labels and the choices are said in the active language (the receipt's addressee's), the typed texts as typed."""
    return [
        {
            "title": frozen_label(section["title"]),
            "fields": [
                {"label": frozen_label(field["label"]), **excerpt(frozen_value(field["name"], field["value"]))}
                for field in section["fields"]
            ],
            "budget": section.get("budget"),
        }
        for section in data["sections"]
    ]


def receipt_members(data):
    """Members as submitted, the lead structure first, SIRET in its display form."""
    members = sorted(data["members"], key=lambda member: not member["is_lead"])  # stable: keeps the order
    return [
        {
            **member,
            "siret": format_siret(member["siret"]),
            **{key: frozen_label(member[key]) for key in ("category", "ess_legal_form", "role") if member.get(key)},
        }
        for member in members
    ]


def field_value(data, name):
    for section in data["sections"]:
        for field in section["fields"]:
            if field["name"] == name:
                return field["value"]
    return ""


def receipt_context(version):
    data = version.data
    dossier = version.dossier
    return {
        "version": version,
        "reference": data["reference"],
        "pole_name": field_value(data, "name"),
        "edition": data["edition"],
        "phase": dossier.phase,
        "region": data["region"],
        "submitted_at": version.submitted_at,
        "submitted_by": version.submitted_by,
        "resubmission": version.number > 1,
        "sections": receipt_sections(data),
        "members": receipt_members(data),
        "attachments": [
            {**attachment, "size": files.format_size(attachment["size"])} for attachment in data["attachments"]
        ],
    }


def notice_language(dossier):
    """The language of the dossier's notices (receipts, letters): its owner's (User.language), French by default."""
    return dossier.owner.preferred_language if dossier.owner_id else settings.LANGUAGE_CODE


def render_receipt_html(version):
    """The receipt of a DossierVersion as HTML, in the owner's language, from what was frozen at submission."""
    with translation.override(notice_language(version.dossier)):  # the context formats numbers too
        return render_notice_html(RECEIPT_TEMPLATE, receipt_context(version))


# The notice rows ---------------------------------------------------------------------------------------------


def create_notice(dossier_id, kind, *, version=None):
    """A new PENDING notice with the next number of its (dossier, kind); call it inside a transaction.

    The dossier's row is locked first, so that concurrent issues share the numbering without gap nor collision.
    """
    Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    last = Notice.objects.filter(dossier_id=dossier_id, kind=kind).order_by("-number").first()
    return Notice.objects.create(
        dossier_id=dossier_id, version=version, kind=kind, number=(last.number if last else 0) + 1
    )


@transaction.atomic
def receipt_notice(version):
    """The receipt notice of the version: a READY one, else the PENDING/FAILED one to retry, else a new one.

    Called inside the submission's transaction (the row exists even if the broker is down at commit), then
    again by the task, which finds it.
    """
    Dossier.objects.select_for_update().filter(pk=version.dossier_id).first()
    notices = Notice.objects.filter(version=version, kind=NoticeKind.RECEIPT).order_by("number")
    notice = notices.filter(status=NoticeStatus.READY).last() or notices.last()
    if notice is None:
        notice = create_notice(version.dossier_id, NoticeKind.RECEIPT, version=version)
    notice.version = version
    return notice


# Letters keep the HTML they were issued with, beside the PDF they become.


def source_path(notice):
    return f"notices/{notice.dossier.reference}/{notice.kind}-v{notice.number}.html"


def store_source(notice, html):
    name = source_path(notice)
    if default_storage.exists(name):  # left by an issue whose transaction rolled back: the row is new
        default_storage.delete(name)
    default_storage.save(name, ContentFile(html.encode()))


def notice_html(notice):
    if notice.kind == NoticeKind.RECEIPT:
        return render_receipt_html(notice.version)
    with default_storage.open(source_path(notice), "rb") as handle:
        return handle.read().decode()


# Rendering -----------------------------------------------------------------------------------------------------


def render_and_store(notice):
    """Render the notice's PDF and store it; the notice becomes READY. Returns True if this call made it READY.

    Every attempt is counted. On a rendering error the notice is left FAILED with the error text and
    ``NoticeRenderError`` is raised: the task retries it with backoff. If another worker made the notice
    READY meanwhile, nothing is stored and False is returned. A receipt that becomes READY queues its e-mails in
    the same transaction.
    """
    Notice.objects.filter(pk=notice.pk).update(attempts=F("attempts") + 1)
    try:
        content = html_to_pdf(notice_html(notice))
    except Exception as error:
        record_failure(notice, error)
        raise NoticeRenderError(f"{notice.kind} {notice.pk}: {notice.error}") from error
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status == NoticeStatus.READY:
            notice.refresh_from_db()
            return False
        notice.file.save(f"{notice.kind}.pdf", ContentFile(content), save=False)  # named by notice_path
        notice.sha256 = hashlib.sha256(content).hexdigest()
        notice.status, notice.error, notice.rendered_at = NoticeStatus.READY, "", timezone.now()
        notice.attempts = locked.attempts
        notice.save(update_fields=["file", "sha256", "status", "error", "rendered_at"])
        if notice.kind == NoticeKind.RECEIPT:
            notifications.send_receipt_email(notice)
    logger.info("Notice %s (%s n° %s) of %s is ready", notice.pk, notice.kind, notice.number, notice.dossier_id)
    return True


def record_failure(notice, error):
    message = f"{type(error).__name__}: {error}"
    Notice.objects.filter(pk=notice.pk).exclude(status=NoticeStatus.READY).update(
        status=NoticeStatus.FAILED, error=message
    )
    notice.refresh_from_db()
    logger.warning("Notice %s (%s) of %s failed: %s", notice.pk, notice.kind, notice.dossier_id, message)


def produce(notice):
    """Make the PDF of a PENDING or FAILED notice (task ``applications.render_notice``); a READY one is kept."""
    if notice.status != NoticeStatus.READY:
        render_and_store(notice)
    return notice


def issue_receipt(version):
    """Make the receipt of a submitted version; its e-mails are queued when it becomes READY. Idempotent.

    A READY receipt is returned as it is (nothing rendered, nothing queued). Otherwise the PENDING or FAILED one
    is rendered (or a new one created when the version has none).
    """
    return produce(receipt_notice(version))


def retry(notice):
    """Queue a FAILED or PENDING notice again (admin "Relancer la production"); False for a READY one."""
    with transaction.atomic():
        updated = (
            Notice.objects.filter(pk=notice.pk).exclude(status=NoticeStatus.READY).update(status=NoticeStatus.PENDING)
        )
        if updated:
            enqueue("applications.render_notice", notice_id=notice.pk)
    return bool(updated)


# E-mails -------------------------------------------------------------------------------------------------------
