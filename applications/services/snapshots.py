"""What was submitted, as data: the frozen content of a DossierVersion, readable without the models.

Values are stored as displayed (French labels, formatted numbers), so that a version shows what the porteur
saw when submitting, whatever later changes to choices or to the referential.
"""

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from applications.enums import ActionLever, AttachmentKind, BouquetNeed, BudgetCategory, BudgetSide, FundingStatus
from applications.services import budget
from applications.services.steps import dossier_steps
from ptce_ami.core.money import euros

SCHEMA = 1


def display(dossier, name):
    field = dossier._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(item) for item in getattr(dossier, name).all())
    value = getattr(dossier, name)
    if name == "bouquet_needs":
        return ", ".join(str(BouquetNeed(code).label) for code in value)
    if name == "action_levers":
        return ", ".join(str(ActionLever(code).label) for code in value if code in ActionLever.values)
    if field.choices:
        return str(getattr(dossier, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if value is None:
        return ""
    if hasattr(value, "year"):
        return date_format(value, "j F Y")
    if not isinstance(value, str):
        return number_format(value)
    return value


def sections(dossier):
    """The dossier's content step by step, as displayed; a phase-2 dossier's budget step holds its table too."""
    result = []
    for step in dossier_steps(dossier):
        if step.kind == "budget":
            result.append(budget_section(dossier, step))
        elif step.fields:
            fields = [
                {
                    "name": name,
                    "label": str(dossier._meta.get_field(name).verbose_name),
                    "value": display(dossier, name),
                }
                for name in step.fields
            ]
            result.append({"step": step.slug, "title": str(step.title), "fields": fields})
    return result


def budget_section(dossier, step):
    """The budget as displayed: the aid requested (a field per year and its total), the lines by side, the totals
    of each year and of both."""
    lines = list(dossier.budget_lines.all())
    grant = {line.year: line.amount for line in lines if budget.is_grant(line)}
    fields = [
        {
            "name": f"grant_year{year}",
            "label": _("Aide demandée, année %(year)d") % {"year": year},
            "value": euros(grant[year]) if grant.get(year) else "",
        }
        for year in budget.YEARS
    ]
    total = budget.requested_grant(lines)
    fields.append({"name": "grant_total", "label": _("Aide demandée, total"), "value": euros(total) if total else ""})
    return {
        "step": step.slug,
        "title": str(step.title),
        "fields": fields,
        "budget": {
            "lines": [budget_line_data(line) for line in lines],
            "totals": [
                {
                    "label": str(total.label),
                    "charges": euros(total.charges),
                    "resources": euros(total.resources),
                    "balanced": total.balanced,
                }
                for total in budget.year_totals(lines)
            ],
        },
    }


def budget_line_data(line):
    return {
        "year": line.year,
        "side": str(BudgetSide(line.side).label),
        "category": str(BudgetCategory(line.category).label) if line.category in BudgetCategory.values else "",
        "label": line.label,
        "funder": line.funder,
        "status": str(FundingStatus(line.status).label) if line.status in FundingStatus.values else "",
        "amount": euros(line.amount),
    }


def member_data(member):
    return {
        "id": member.pk,
        "name": member.name,
        "siret": member.siret,
        "category": member.get_category_display(),
        "ess_legal_form": member.get_ess_legal_form_display() if member.ess_legal_form else "",
        "esus_approved": member.esus_approved,
        "commune": str(member.commune) if member.commune_id else "",
        "role": member.get_role_display(),
        "is_lead": member.is_lead,
    }


def attachment_data(attachment):
    return {
        "id": attachment.pk,
        "kind": str(AttachmentKind(attachment.kind).label),
        "name": attachment.original_name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "sha256": attachment.sha256,
        "member": attachment.member.name if attachment.member_id else "",
    }


def serialize(dossier, members, attachments, submitted_at):
    """The full content of ``dossier`` as submitted at ``submitted_at``."""
    return {
        "schema": SCHEMA,
        "reference": dossier.reference,
        "phase": str(dossier.phase),
        "edition": str(dossier.phase.edition),
        "submitted_at": timezone.localtime(submitted_at).isoformat(),
        "owner": {"name": dossier.owner.get_full_name(), "email": dossier.owner.email},
        "region": dossier.region.name if dossier.region_id else "",
        "sections": sections(dossier),
        "members": [member_data(member) for member in members],
        "attachments": [attachment_data(attachment) for attachment in attachments],
    }
