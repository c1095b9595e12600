"""``{% grant_panel dossier %}``: the « Mon aide » section of a phase-2 laureate's dossier page (the porteurs'): its
tranches and the reports to file, with their links. Nothing, and no query, for any other dossier."""

from django import template

from applications.enums import DossierState, PhaseKind
from ptce_ami.accounts import permissions
from reviews.models import Grant

register = template.Library()


@register.inclusion_tag("reviews/grants/_porteur_panel.html", takes_context=True)
def grant_panel(context, dossier):
    user = context["request"].user
    if dossier.state != DossierState.LAUREATE or dossier.phase.kind != PhaseKind.PHASE2:
        return {"grant": None}
    grant = Grant.objects.filter(dossier=dossier).prefetch_related("payments", "reports").first()
    return {
        "grant": grant,
        "dossier": dossier,
        "can_file": permissions.has_perm(user, "reviews.file_reports", dossier),
        "can_view_staff": permissions.has_perm(user, "reviews.view_grants"),
    }


@register.inclusion_tag("reviews/grants/_staff_panel.html", takes_context=True)
def grant_summary(context, dossier):
    """The grant of a phase-2 laureate on the staff dossier page: its state, amount and a link to its page."""
    user = context["request"].user
    if dossier.state != DossierState.LAUREATE or dossier.phase.kind != PhaseKind.PHASE2:
        return {"grant": None}
    if not permissions.has_perm(user, "reviews.view_grants"):
        return {"grant": None}
    return {"grant": Grant.objects.filter(dossier=dossier).first(), "dossier": dossier}
