"""Budget checks of rule R11, written against any iterable of budget lines.

The BudgetLine model does not exist yet. Anything with these attributes will do, so that the rule can be wired
to the model without change: ``year`` (1 or 2), ``side`` ("charges" or "resources"), ``amount`` (a Decimal, in
euros) and ``requested_grant`` (True for the resource line that is the aid requested under this call).
"""

from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from applications.eligibility.results import RuleStatus, verdict
from ptce_ami.core.money import euros

CHARGES = "charges"
RESOURCES = "resources"
YEARS = (1, 2)


class BudgetLineLike(Protocol):
    year: int
    side: str
    amount: Decimal
    requested_grant: bool


def totals(lines):
    """{(year, side): total} for every year and side, zero included."""
    sums = {(year, side): Decimal(0) for year in YEARS for side in (CHARGES, RESOURCES)}
    for line in lines:
        key = (int(line.year), line.side)
        if key in sums:
            sums[key] += Decimal(line.amount or 0)
    return sums


def check_budget(lines, max_grant):
    """A Verdict on the aid requested (≤ max_grant when one is set), each year filled and balanced."""
    lines = list(lines)
    sums = totals(lines)
    grant = sum((Decimal(line.amount or 0) for line in lines if getattr(line, "requested_grant", False)), Decimal(0))
    problems = []
    if max_grant is not None and grant > Decimal(max_grant):
        problems.append(
            _("L'aide demandée (%(grant)s) dépasse le maximum de la phase (%(max)s).")
            % {"grant": euros(grant), "max": euros(max_grant)}
        )
    for year in YEARS:
        charges, resources = sums[(year, CHARGES)], sums[(year, RESOURCES)]
        if not charges and not resources:
            problems.append(_("L'année %(year)d du budget n'est pas renseignée.") % {"year": year})
        elif charges != resources:
            problems.append(
                _(
                    "Le budget de l'année %(year)d n'est pas équilibré : %(charges)s de charges pour %(resources)s "
                    "de ressources."
                )
                % {"year": year, "charges": euros(charges), "resources": euros(resources)}
            )
    if problems:
        return verdict(RuleStatus.FAIL, problems)
    if not grant:
        return verdict(RuleStatus.WARNING, [_("Le budget ne fait apparaître aucune aide demandée au titre de l'AMI.")])
    limit = euros(max_grant) if max_grant is not None else _("aucun maximum fixé pour la phase")
    return verdict(
        RuleStatus.PASS,
        [
            _("Aide demandée : %(grant)s (maximum : %(max)s) ; budget renseigné et équilibré pour les 2 années.")
            % {"grant": euros(grant), "max": limit}
        ],
    )
