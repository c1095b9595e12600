"""Rule R11 on a budget: the verdict built from ``applications.services.budget.check`` (the one home of the budget's
rules, which the budget step's forms also read), written against any iterable of budget lines (``year``, ``side``,
``amount``, optionally ``category``, ``funder``, ``status``, ``requested_grant``)."""

from django.utils.translation import gettext as _

from applications.eligibility.results import RuleStatus, verdict
from applications.services import budget
from ptce_ami.core.money import euros


def check_budget(lines, max_grant, min_grant=None):
    """A Verdict on the aid requested (within the phase's bounds), the lines, each year filled and balanced."""
    lines = list(lines)
    found = budget.check(lines, min_grant=min_grant, max_grant=max_grant)
    # The whole budget's total is unbalanced only when a year is: the years say it precisely.
    problems = [*found.grant, *found.line_messages(), *found.years.get(1, []), *found.years.get(2, [])]
    if problems:
        return verdict(RuleStatus.FAIL, problems)
    grant = budget.requested_grant(lines)
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
