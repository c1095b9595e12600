"""Template helpers of the read-only dossier pages (porteur, staff, reviewer): what their summary shows."""

import datetime
from dataclasses import dataclass

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from applications.eligibility.rules.official import member_mismatches, official
from applications.services.steps import TERRITORY_FIELDS

register = template.Library()


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    prewrap: bool = False  # a typed text whose line breaks are kept


@register.simple_tag
def dossier_summary(dossier, sections, members, attachments):
    """``{% dossier_summary dossier sections members attachments as facts %}``: the facts shown first.

    Built from the values the sections already hold (snapshots.sections) and the loaded members and attachments:
    no query of its own, beyond the dossier's region when the view did not select it.
    """
    fields = {field["name"]: field for section in sections for field in section["fields"]}
    lead = next((member for member in members if member.is_lead), None)
    territory = " ; ".join(fields[name]["value"] for name in TERRITORY_FIELDS if fields[name]["value"])
    contact = ", ".join(
        value for value in (fields["contact_name"]["value"], fields["contact_email"]["value"]) if value
    )
    return [
        Fact(_("Présentation synthétique"), fields["summary"]["value"], prewrap=True),
        Fact(_("Stade de développement"), fields["stage"]["value"]),
        Fact(_("Secteurs et filières"), fields["sectors"]["value"]),
        Fact(_("Territoire"), territory),
        Fact(_("Région de rattachement"), str(dossier.region) if dossier.region_id else ""),
        Fact(_("Structure porteuse"), lead.name if lead else ""),
        Fact(
            _("Membres du pôle"),
            ngettext("%(count)d structure", "%(count)d structures", len(members)) % {"count": len(members)},
        ),
        Fact(_("Contact"), contact),
        Fact(
            _("Pièces jointes"),
            ngettext("%(count)d pièce", "%(count)d pièces", len(attachments)) % {"count": len(attachments)},
        ),
    ]


@dataclass(frozen=True)
class OfficialView:
    status: str  # found, not_found, unavailable, "" (never looked up)
    company: object  # CompanyInfo or None
    ceased_on: object  # a date, when the company has ceased
    mismatches: list


@register.simple_tag
def official_data(member):
    """``{% official_data member as official %}``: what the company directory said of a member at submission, and
    where it contradicts the declaration (as rules R01, R03–R05 say it). No query."""
    data = official(member)
    ceased_on = None
    if data.found and data.company.ceased_on:
        ceased_on = datetime.date.fromisoformat(data.company.ceased_on)
    return OfficialView(data.status, data.company, ceased_on, member_mismatches(member))
