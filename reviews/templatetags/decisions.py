"""Template helpers of the committee's decisions: amounts in euros, and the published decision of a dossier (its
porteurs' page, in the applications app, reads it through this tag: applications never imports reviews)."""

from django import template

from applications.enums import DossierState
from ptce_ami.core.money import euros as format_euros
from reviews.models import Decision

register = template.Library()


@register.filter
def euros(value):
    """{{ amount|euros }} → "100 000 €"; "" for no amount."""
    return format_euros(value) if value not in (None, "") else ""


@register.simple_tag
def published_decision(dossier):
    """The dossier's current published decision (one query), or None: a provisional one is never shown here."""
    if dossier is None or dossier.pk is None or dossier.state not in DossierState.decided():
        return None  # a published decision moves the dossier to its outcome: no query for the others
    return Decision.objects.published().filter(dossier=dossier).first()
