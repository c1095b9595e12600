"""R06: the territory is defined and the members are located in it (décret 2015-431, art. 3, 4°)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from applications.eligibility.rules.base import DECREE, LAW_ART9, failed, name_of, passed, rule, warning


def territory_text(territory):
    parts = [
        ngettext("%(count)d commune", "%(count)d communes", len(territory.communes)),
        ngettext("%(count)d EPCI", "%(count)d EPCI", len(territory.epcis)),
        ngettext("%(count)d département", "%(count)d départements", len(territory.departements)),
    ]
    counts = [len(territory.communes), len(territory.epcis), len(territory.departements)]
    return ", ".join(part % {"count": count} for part, count in zip(parts, counts, strict=True) if count)


@rule(
    "R06",
    gettext_lazy("Territoire défini et membres situés dans le territoire"),
    f"{DECREE}, 4° ; {LAW_ART9}",
    draft_computable=True,
)
def territory_defined_and_members_inside(context):
    territory = context.territory
    if not territory:
        return failed(_("Aucun territoire n'est défini : choisissez des communes, des EPCI ou des départements."))
    outside = [m for m in context.members if m.commune_id and not territory.contains_commune(m.commune)]
    unlocated = [member for member in context.members if not member.commune_id]
    messages = []
    if outside:
        messages.append(
            ngettext(
                "%(count)d membre est situé hors du territoire déclaré : %(list)s.",
                "%(count)d membres sont situés hors du territoire déclaré : %(list)s.",
                len(outside),
            )
            % {"count": len(outside), "list": ", ".join(f"{name_of(m)} ({m.commune.name})" for m in outside)}
        )
    if unlocated:
        messages.append(
            ngettext(
                "%(count)d membre n'a pas de commune indiquée : %(list)s.",
                "%(count)d membres n'ont pas de commune indiquée : %(list)s.",
                len(unlocated),
            )
            % {
                "count": len(unlocated),
                "list": ", ".join(_("%(name)s (commune non renseignée)") % {"name": name_of(m)} for m in unlocated),
            }
        )
    if messages:
        return warning(*messages)
    values = {"count": len(context.members), "territory": territory_text(territory)}
    if not context.members:
        return passed(_("Le territoire est défini (%(territory)s) ; aucun membre n'est encore renseigné.") % values)
    return passed(
        ngettext(
            "Le territoire est défini (%(territory)s) et le membre y est situé.",
            "Le territoire est défini (%(territory)s) et les %(count)d membres y sont situés.",
            values["count"],
        )
        % values
    )
