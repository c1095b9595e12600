"""What a dossier still lacks before it can be submitted, step by step, in French, with a link to each item."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from applications.enums import MemberCategory, MemberRole
from applications.models import Dossier
from applications.services import budget
from applications.services.steps import dossier_steps

# The fields each step must have before submission: the checks below and the forms (which mark them as
# required, though a draft may be saved without them) both read this table.
REQUIRED_FIELDS = {
    "pole": ("name", "summary", "stage", "sectors"),
    "porteur": ("representative_name", "contact_name", "contact_email"),
    "territoire": ("territory", "territory_type"),
    "cooperation": ("shared_strategy", "governance", "collectivites_link"),
    "projet": ("innovation", "economic_model", "expected_impact"),
    "besoins": ("bouquet_needs",),
    "engagements": ("charter_adherence", "certify_accurate"),
    # Phase 2.
    "plan": ("action_levers", "action_plan"),
    "moyens": ("staffing",),
    "apres": ("post_grant_plan",),
    "indicateurs": ("indicators",),
}
MEMBER_REQUIRED_FIELDS = ("name", "siret", "category", "commune")


@dataclass(frozen=True)
class Missing:
    step: str
    message: str
    anchor: str = ""  # id of the field on the step's page


def label(field_name):
    return Dossier._meta.get_field(field_name).verbose_name


def missing_items(dossier, members, attachments):
    """Every item missing for submission, in step order. ``members``/``attachments`` are lists already loaded."""
    checks = {
        "pole": missing_pole,
        "porteur": missing_porteur,
        "membres": missing_members,
        "territoire": missing_territory,
        "cooperation": missing_narratives,
        "projet": missing_narratives,
        "besoins": missing_needs,
        "pieces": missing_attachments,
        "engagements": missing_commitments,
        "plan": missing_plan,
        "moyens": missing_narratives,
        "aide": missing_grant,
        "budget": missing_budget,
        "apres": missing_narratives,
        "indicateurs": missing_narratives,
    }
    context = {"dossier": dossier, "members": members, "attachments": attachments}
    items = []
    for step in dossier_steps(dossier):
        items.extend(checks[step.slug](step.slug, **context))
    return items


def required(step, dossier, *names):
    return [
        Missing(step, _("« %(label)s » n'est pas renseigné.") % {"label": label(name)}, f"id_{name}")
        for name in names
        if getattr(dossier, name) in (None, "", [])
    ]


def missing_pole(step, dossier, **context):
    items = required(step, dossier, "name", "summary", "stage")  # sectors: below
    if not dossier.sectors.exists():
        items.append(Missing(step, _("Choisissez au moins un secteur ou une filière."), "id_sectors_0"))
    return items


def missing_porteur(step, dossier, members, **context):
    lead = next((member for member in members if member.role == MemberRole.LEAD), None)
    if lead is None:
        return [Missing(step, _("La structure porteuse n'est pas renseignée."), "id_lead-name")]
    items = missing_member_fields(step, lead, prefix="lead-")
    items += required(step, dossier, "representative_name", "contact_name", "contact_email")
    return items


def missing_member_fields(step, member, prefix=""):
    items = []
    name = member.name or _("une structure sans nom")
    if not member.name:
        items.append(Missing(step, _("Le nom d'une structure membre n'est pas renseigné."), f"id_{prefix}name"))
    if not member.siret and member.category != MemberCategory.OTHER:
        items.append(
            Missing(step, _("Le SIRET de %(name)s n'est pas renseigné.") % {"name": name}, f"id_{prefix}siret")
        )
    elif member.siret and len(member.siret) != 14:  # a claimed laureate's lead starts with its SIREN only
        message = _("Le SIRET de %(name)s est incomplet : indiquez ses 14 chiffres.") % {"name": name}
        items.append(Missing(step, message, f"id_{prefix}siret"))
    if not member.category:
        message = _("La catégorie de %(name)s n'est pas indiquée.") % {"name": name}
        items.append(Missing(step, message, f"id_{prefix}category_0"))
    if member.category == MemberCategory.ESS_ENTERPRISE and not member.ess_legal_form:
        message = _("La forme juridique de l'ESS de %(name)s n'est pas indiquée.") % {"name": name}
        items.append(Missing(step, message, f"id_{prefix}ess_legal_form_0"))
    if member.commune_id is None:
        items.append(
            Missing(step, _("La commune de %(name)s n'est pas indiquée.") % {"name": name}, f"id_{prefix}commune")
        )
    return items


def missing_members(step, members, **context):
    items = []
    if len(members) < 3:
        items.append(
            Missing(
                step,
                _("Le pôle doit réunir au moins trois structures (vous en avez %(count)d).") % {"count": len(members)},
            )
        )
    for member in members:
        if member.role != MemberRole.LEAD:
            items.extend(missing_member_fields(step, member))
    return items


def missing_territory(step, dossier, **context):
    items = []
    if not (dossier.communes.exists() or dossier.epcis.exists() or dossier.departements.exists()):
        items.append(Missing(step, _("Le territoire du pôle n'est pas défini."), "id_territory"))
    return items + required(step, dossier, "territory_type")


def missing_narratives(step, dossier, **context):
    return required(step, dossier, *REQUIRED_FIELDS[step])


def missing_needs(step, dossier, **context):
    if dossier.bouquet_needs:
        return []
    return [Missing(step, _("Indiquez au moins un besoin dans le bouquet de services."), "id_bouquet_needs_0")]


def missing_attachments(step, dossier, attachments, **context):
    phase = dossier.phase
    return [
        Missing(step, phase.missing_attachment_message(kind), f"kind-{kind.value}")
        for kind in phase.missing_attachments(attachments)
    ]


def missing_commitments(step, dossier, **context):
    items = []
    if not dossier.charter_adherence:
        items.append(Missing(step, _("L'adhésion à la charte des PTCE n'est pas cochée."), "id_charter_adherence"))
    if not dossier.certify_accurate:
        items.append(Missing(step, _("La certification sur l'honneur n'est pas cochée."), "id_certify_accurate"))
    return items


def missing_plan(step, dossier, **context):
    items = []
    if not dossier.action_levers:
        items.append(Missing(step, _("Choisissez au moins un levier du plan d'action."), "id_action_levers_0"))
    return items + required(step, dossier, "action_plan")


def missing_grant(step, dossier, **context):
    lines = list(dossier.budget_lines.all())
    amount = budget.requested_grant(lines)
    if not amount:
        return [Missing(step, _("Le montant de l'aide demandée n'est pas renseigné."), "id_year1")]
    phase = dossier.phase
    problems = budget.grant_problems(amount, min_grant=phase.min_grant, max_grant=phase.max_grant)
    return [Missing(step, message, "id_year1") for message in problems]


def missing_budget(step, dossier, **context):
    """Each co-financer named with its status; each year filled and balanced (said at the year's total)."""
    lines = list(dossier.budget_lines.all())
    found = budget.check_dossier(dossier, lines)
    items = [
        Missing(step, message, f"{lines[index].side}-table")  # the table of the line's side on the step
        for index in sorted(found.lines)
        for message in found.lines[index].values()
    ]
    for year in budget.YEARS:
        items += [Missing(step, message, f"budget-annee-{year}") for message in found.years.get(year, [])]
    return items + [Missing(step, message, "budget-total") for message in found.total]
