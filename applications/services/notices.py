"""PDF notices of a dossier (DESIGN §8). For now the submission receipt (accusé de réception de dépôt): rendered
from the frozen version, stored, then e-mailed to the porteurs exactly once.

Seams: ``render_receipt_html`` (testable without WeasyPrint), ``render_and_store`` (the part a retry repeats) and
``send_receipt_email``; ``issue_receipt`` ties them together and is idempotent.
"""

import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.enums import NoticeKind, NoticeStatus
from applications.models import Dossier, Notice
from ptce_ami.core.emails import absolute_url, build_email
from ptce_ami.core.pdf import html_to_pdf, render_notice_html
from ptce_ami.core.siret import format_siret

logger = logging.getLogger(__name__)

RECEIPT_TEMPLATE = "applications/pdf/receipt.html"
RECEIPT_EMAIL = "applications/email/dossier_submitted"
# A receipt stays short: longer texts are cut to about this many characters (the dossier holds them in full).
EXCERPT_LENGTH = 300


# The receipt's content ---------------------------------------------------------------------------------------


def excerpt(value, limit=EXCERPT_LENGTH):
    """A field's value for the receipt: whitespace collapsed, cut at a word boundary when longer than ``limit``.

    Returns {"text", "truncated", "length"}: a cut text ends with "…"; ``length`` is the full text's length,
    grouped the French way ("2 772").
    """
    text = " ".join(str(value).split())
    length = number_format(len(text), force_grouping=True)
    if len(text) <= limit:
        return {"text": text, "truncated": False, "length": length}
    head = text[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else text[:limit]
    return {"text": cut.rstrip(" ,;:.-—") + "…", "truncated": True, "length": length}


def file_size(size):
    """ "850 octets", "240 Ko", "1,5 Mo" (French units, powers of 1024 as file managers show them)."""
    if size < 1024:
        return ngettext("%(size)d octet", "%(size)d octets", size) % {"size": size}
    if size < 1024 * 1024:
        return _("%(size)s Ko") % {"size": number_format(round(size / 1024), force_grouping=True)}
    return _("%(size)s Mo") % {"size": number_format(size / 1024 / 1024, decimal_pos=1, force_grouping=True)}


def receipt_sections(data):
    return [
        {
            "title": section["title"],
            "fields": [{"label": field["label"], **excerpt(field["value"])} for field in section["fields"]],
        }
        for section in data["sections"]
    ]


def receipt_members(data):
    """Members as submitted, the lead structure first, SIRET in its display form."""
    members = sorted(data["members"], key=lambda member: not member["is_lead"])  # stable: keeps the order
    return [{**member, "siret": format_siret(member["siret"])} for member in members]


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
        "attachments": [{**attachment, "size": file_size(attachment["size"])} for attachment in data["attachments"]],
    }


def render_receipt_html(version):
    """The receipt of a DossierVersion as HTML (French), from what was frozen at submission."""
    with translation.override(settings.LANGUAGE_CODE):  # the context formats numbers too
        return render_notice_html(RECEIPT_TEMPLATE, receipt_context(version))


def receipt_filename(notice):
    return f"accuse-de-reception-{notice.dossier.reference}.pdf"


# Issuing: the notice row, the PDF, the e-mail --------------------------------------------------------------------


def receipt_notice(version):
    """The receipt notice of the version: a READY one, else the PENDING/FAILED one to retry, else a new one.

    Created under the dossier's row lock, so that concurrent deliveries of the task share one notice and the
    (dossier, kind) numbering has no gap nor collision.
    """
    with transaction.atomic():
        Dossier.objects.select_for_update().filter(pk=version.dossier_id).first()
        notices = Notice.objects.filter(version=version, kind=NoticeKind.RECEIPT).order_by("number")
        notice = notices.filter(status=NoticeStatus.READY).last() or notices.last()
        if notice is None:
            last = Notice.objects.filter(dossier_id=version.dossier_id, kind=NoticeKind.RECEIPT).order_by("number")
            number = (last.values_list("number", flat=True).last() or 0) + 1
            notice = Notice.objects.create(
                dossier_id=version.dossier_id, version=version, kind=NoticeKind.RECEIPT, number=number
            )
    notice.version = version
    return notice


def render_and_store(notice):
    """Render the notice's PDF and store it; the notice becomes READY. Returns True if this call made it READY.

    On a rendering error the notice is left FAILED with the error text, and the error is raised again (the task
    may retry). If another worker made the notice READY meanwhile, nothing is stored and False is returned.
    """
    Notice.objects.filter(pk=notice.pk).update(attempts=F("attempts") + 1)
    try:
        content = html_to_pdf(render_receipt_html(notice.version))
    except Exception as error:
        Notice.objects.filter(pk=notice.pk).exclude(status=NoticeStatus.READY).update(
            status=NoticeStatus.FAILED, error=f"{type(error).__name__}: {error}"
        )
        notice.refresh_from_db()
        raise
    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status == NoticeStatus.READY:
            notice.refresh_from_db()
            return False
        notice.file.save(receipt_filename(notice), ContentFile(content), save=False)
        notice.sha256 = hashlib.sha256(content).hexdigest()
        notice.status, notice.error, notice.rendered_at = NoticeStatus.READY, "", timezone.now()
        notice.attempts = locked.attempts
        notice.save(update_fields=["file", "sha256", "status", "error", "rendered_at"])
    return True


def receipt_recipients(dossier):
    """The owner, then the co-editors (invited addresses), without duplicates."""
    recipients = [dossier.owner.email]
    for email in dossier.invitations.values_list("email", flat=True):
        if email.lower() not in {address.lower() for address in recipients}:
            recipients.append(email)
    return recipients


def send_receipt_email(notice):
    """E-mail the stored receipt to the owner (to) and the co-editors (cc), the PDF attached."""
    dossier = notice.dossier
    owner, *coeditors = receipt_recipients(dossier)
    context = {
        "dossier": dossier,
        "version": notice.version,
        "submitted_at": notice.version.submitted_at,
        "dossier_url": absolute_url(dossier.get_absolute_url()),
    }
    message = build_email(RECEIPT_EMAIL, owner, context)
    message.cc = coeditors
    with notice.file.open("rb") as file:
        message.attach(receipt_filename(notice), file.read(), "application/pdf")
    message.send()
    logger.info("Receipt %s of %s sent to %d recipient(s)", notice.number, dossier.reference, 1 + len(coeditors))
    return message


def issue_receipt(version):
    """Make the receipt of a submitted version and e-mail it; idempotent.

    A READY receipt is returned as it is (nothing rendered, nothing sent). Otherwise the PENDING or FAILED one is
    rendered again (or a new one created), and the e-mail is sent only by the call that made it READY.
    """
    notice = receipt_notice(version)
    if notice.status == NoticeStatus.READY:
        return notice
    if render_and_store(notice):
        send_receipt_email(notice)
    return notice
