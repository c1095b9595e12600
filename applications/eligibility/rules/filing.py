"""Rules on the filing: R09 (deadline), R10 (attachments), R11 (phase-2 budget)."""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from applications.eligibility.budget import check_budget
from applications.eligibility.rules.base import AMI_TEXTS, failed, label_of, not_applicable, passed, rule
from applications.enums import AttachmentKind, PhaseKind
from applications.models import Phase
from ptce_ami.core.dates import format_datetime, format_deadline

ACCEPTED_CONTENT_TYPES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


@rule("R09", gettext_lazy("Dépôt avant la date limite"), AMI_TEXTS, draft_computable=False)
def submitted_before_deadline(context):
    closes_at, submitted_at = context.phase.closes_at, context.dossier.submitted_at
    values = {"deadline": format_deadline(closes_at)}
    if submitted_at is None:
        if context.now > closes_at:
            return failed(_("La date limite (%(deadline)s) est passée et le dossier n'a pas été déposé.") % values)
        return not_applicable(
            _(
                "Le dossier n'est pas encore déposé : la date de dépôt sera vérifiée au dépôt (date limite : "
                "%(deadline)s)."
            )
            % values
        )
    values["submitted"] = format_datetime(submitted_at, seconds=True)
    if submitted_at <= closes_at:
        return passed(_("Déposé le %(submitted)s, dans le délai (date limite : %(deadline)s).") % values)
    return failed(_("Déposé le %(submitted)s, après la date limite (%(deadline)s).") % values)


def content_type_of(attachment):
    return (attachment.content_type or "").split(";")[0].strip().lower()


def attachment_problem(kind, attachments):
    """None when one of ``attachments`` (of the required ``kind``) is fine, else a French sentence."""
    label = label_of(AttachmentKind, kind)
    if not attachments:
        return Phase.missing_attachment_message(kind)
    readable = [attachment for attachment in attachments if (attachment.size or 0) > 0]
    if not readable:
        return _("Fichier vide ou illisible : %(file)s (%(kind)s).") % {
            "file": attachments[0].original_name,
            "kind": label,
        }
    if any(content_type_of(attachment) in ACCEPTED_CONTENT_TYPES for attachment in readable):
        return None
    return _("Format non accepté : %(file)s (%(kind)s) ; formats acceptés : %(formats)s.") % {
        "file": readable[0].original_name,
        "kind": label,
        "formats": ", ".join(ACCEPTED_CONTENT_TYPES.values()),
    }


@rule("R10", gettext_lazy("Pièces obligatoires jointes, lisibles et au bon format"), AMI_TEXTS, draft_computable=True)
def required_attachments(context):
    required = context.phase.required_attachments()
    if not required:
        return not_applicable(_("Aucune pièce obligatoire n'est demandée pour cette phase."))
    by_kind = defaultdict(list)
    for attachment in context.attachments:
        if getattr(attachment, "removed_at", None) is None:
            by_kind[attachment.kind].append(attachment)
    problems = [problem for kind in required if (problem := attachment_problem(kind, by_kind[kind]))]
    if problems:
        return failed(*problems)
    return passed(
        ngettext(
            "La pièce obligatoire est jointe, lisible et dans un format accepté.",
            "Les %(count)d pièces obligatoires sont jointes, lisibles et dans un format accepté.",
            len(required),
        )
        % {"count": len(required)}
    )


@rule("R11", gettext_lazy("Phase 2 : aide demandée et budget"), AMI_TEXTS, draft_computable=False)
def budget_consistent(context):
    if context.phase.kind != PhaseKind.PHASE2:
        return not_applicable(_("Ce critère ne concerne que la phase 2."))
    return check_budget(context.budget_lines, context.phase.max_grant, context.phase.min_grant)
