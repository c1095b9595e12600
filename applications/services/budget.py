"""The phase-2 budget (BudgetLine): the one home of its rules, and the writes of the budget and grant steps.

The rules: each year filled and balanced (charges = resources), hence the whole budget; the aid requested under
this call (the resource lines of category AMI_GRANT) within the phase's minimum and maximum; each co-financer line
names its funder and the status of the funding (acquired or requested); a line's category belongs to its side.
``check(lines, …)`` says every problem where it belongs: at a line (its index in ``lines``, then the field), at a
year's total, at the whole budget's total, at the grant. The budget step's forms show them at their row (in
French), the completeness check lists them, rule R11 (``eligibility/budget.check_budget``) reads the same check.

Lines are anything with ``year``, ``side``, ``amount`` and, optionally, ``category``, ``funder``, ``status`` and
``requested_grant`` (the eligibility tests pass plain objects).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from applications.enums import BudgetCategory, BudgetSide, FundingStatus
from applications.models import BudgetLine
from applications.services.dossiers import check_editable, fingerprint, lock, touch
from ptce_ami.core.money import euros

YEARS = (1, 2)
CHARGES = BudgetSide.CHARGES.value
RESOURCES = BudgetSide.RESOURCES.value
ZERO = Decimal(0)
# Resources that come from a funder other than the pôle itself (and other than this call's aid): co-financers.
CO_FINANCING = (BudgetCategory.COLLECTIVITES, BudgetCategory.OTHER_PUBLIC, BudgetCategory.PRIVATE)
GRANT_FUNDER = "État — AMI PTCE"


def amount_of(line):
    return Decimal(line.amount or 0)


def is_grant(line):
    return bool(getattr(line, "requested_grant", False)) or getattr(line, "category", "") == BudgetCategory.AMI_GRANT


def totals(lines):
    """{(year, side): total} for every year and side, zero included."""
    sums = {(year, side): ZERO for year in YEARS for side in (CHARGES, RESOURCES)}
    for line in lines:
        key = (int(line.year), str(line.side))
        if key in sums:
            sums[key] += amount_of(line)
    return sums


def with_requested_grant(dossiers):
    """``dossiers`` (a Dossier queryset) annotated with ``requested_grant``: the aid each requests under this call
    (0 when none), in the same query (committee lists, exports)."""
    grant = Sum("budget_lines__amount", filter=Q(budget_lines__category=BudgetCategory.AMI_GRANT))
    return dossiers.annotate(requested_grant=Coalesce(grant, Value(ZERO), output_field=DecimalField()))


def requested_grant(lines):
    """The aid requested under this call: the sum of the AMI_GRANT lines, both years."""
    return sum((amount_of(line) for line in lines if is_grant(line)), ZERO)


@dataclass(frozen=True)
class Total:
    """Charges and resources of a year (``year`` 1 or 2) or of the whole budget (``year`` None)."""

    year: int | None
    charges: Decimal
    resources: Decimal

    @property
    def balanced(self):
        return self.charges == self.resources

    @property
    def difference(self):
        return self.resources - self.charges

    @property
    def label(self):
        return _("Année %(year)d") % {"year": self.year} if self.year else _("Total sur les deux années")


def year_totals(lines):
    """[Total of year 1, Total of year 2, Total of both]."""
    sums = totals(lines)
    years = [Total(year, sums[(year, CHARGES)], sums[(year, RESOURCES)]) for year in YEARS]
    return [*years, Total(None, sum((t.charges for t in years), ZERO), sum((t.resources for t in years), ZERO))]


@dataclass
class BudgetCheck:
    """Problems, each where it belongs. ``lines``: {index in the lines given: {field: message}}; ``years``:
    {1 or 2: [messages]}; ``total``: the whole budget; ``grant``: the aid requested (its bounds)."""

    lines: dict = field(default_factory=dict)
    years: dict = field(default_factory=dict)
    total: list = field(default_factory=list)
    grant: list = field(default_factory=list)

    @property
    def ok(self):
        return not (self.lines or self.years or self.total or self.grant)

    def balance_messages(self):
        return [*self.years.get(1, []), *self.years.get(2, []), *self.total]

    def line_messages(self):
        return [message for index in sorted(self.lines) for message in self.lines[index].values()]

    def messages(self):
        """Every problem, in reading order: the grant, the lines, the years, the total."""
        return [*self.grant, *self.line_messages(), *self.balance_messages()]


def grant_problems(amount, *, min_grant=None, max_grant=None):
    """Why the aid requested ``amount`` is out of the phase's bounds (a list, empty when it is within)."""
    values = {"grant": euros(amount)}
    if max_grant is not None and amount > Decimal(max_grant):
        return [
            _("L'aide demandée (%(grant)s) dépasse le maximum de la phase (%(max)s).")
            % {**values, "max": euros(max_grant)}
        ]
    if min_grant is not None and amount and amount < Decimal(min_grant):
        return [
            _("L'aide demandée (%(grant)s) est inférieure au minimum de la phase (%(min)s).")
            % {**values, "min": euros(min_grant)}
        ]
    return []


def line_problems(line):
    """{field: message} for one line: its category belongs to its side; a co-financer is named, with a status."""
    problems = {}
    category, side = getattr(line, "category", ""), str(line.side)
    if category:
        allowed = BudgetCategory.charges() if side == CHARGES else BudgetCategory.resources()
        if category not in allowed:
            problems["category"] = (
                _("Cette catégorie est une charge, pas une ressource.")
                if side == RESOURCES
                else _("Cette catégorie est une ressource, pas une charge.")
            )
    if side == RESOURCES and category in CO_FINANCING:
        if not (getattr(line, "funder", "") or "").strip():
            problems["funder"] = _("Indiquez le financeur de cette ressource.")
        if getattr(line, "status", "") not in FundingStatus.values:
            problems["status"] = _("Indiquez si ce financement est acquis ou sollicité.")
    return problems


def balance_problems(lines):
    """({year: [messages]}, [messages on the whole budget]): each year filled and balanced, then the total."""
    *years, whole = year_totals(lines)
    by_year = {}
    for total in years:
        values = {"year": total.year, "charges": euros(total.charges), "resources": euros(total.resources)}
        if not total.charges and not total.resources:
            by_year[total.year] = [_("L'année %(year)d du budget n'est pas renseignée.") % values]
        elif not total.balanced:
            by_year[total.year] = [
                _(
                    "Le budget de l'année %(year)d n'est pas équilibré : %(charges)s de charges pour %(resources)s "
                    "de ressources."
                )
                % values
                + " "
                + gap_advice(total)
            ]
    overall = []
    if not whole.balanced:
        overall.append(
            _(
                "Sur les deux années, le budget n'est pas équilibré : %(charges)s de charges pour %(resources)s "
                "de ressources."
            )
            % {"charges": euros(whole.charges), "resources": euros(whole.resources)}
        )
    return by_year, overall


def gap_advice(total):
    if total.difference < 0:
        return _("Il manque %(gap)s de ressources.") % {"gap": euros(-total.difference)}
    return _("Les ressources dépassent les charges de %(gap)s.") % {"gap": euros(total.difference)}


def check(lines, *, min_grant=None, max_grant=None):
    """Every problem of a budget (see BudgetCheck): lines, balance per year and in total, grant within bounds."""
    lines = list(lines)
    result = BudgetCheck()
    for index, line in enumerate(lines):
        if problems := line_problems(line):
            result.lines[index] = problems
    result.years, result.total = balance_problems(lines)
    result.grant = grant_problems(requested_grant(lines), min_grant=min_grant, max_grant=max_grant)
    return result


def check_dossier(dossier, lines=None):
    """``check`` of a dossier's saved budget against its phase's bounds."""
    phase = dossier.phase
    lines = list(dossier.budget_lines.all()) if lines is None else lines
    return check(lines, min_grant=phase.min_grant, max_grant=phase.max_grant)


# Writes ------------------------------------------------------------------------------------------------------


def split_lines(dossier):
    """(grant lines by year, the other lines in order) of a dossier's saved budget."""
    grant, others = {}, []
    for line in dossier.budget_lines.order_by("year", "side", "position", "pk"):
        if is_grant(line):
            grant[line.year] = line
        else:
            others.append(line)
    return grant, others


class BudgetChanged(Exception):
    """Someone saved the budget since this page was loaded: nothing is written (the page keeps what was typed)."""


def lines_fingerprint(dossier):
    """A digest of the budget's lines other than the grant requested (what the budget step edits)."""
    lines = dossier.budget_lines.exclude(category=BudgetCategory.AMI_GRANT).order_by("year", "side", "position", "pk")
    return fingerprint(
        [
            [line.year, line.side, line.category, line.label, line.funder, line.status, str(line.amount)]
            for line in lines
        ]
    )


@transaction.atomic
def save_lines(dossier, lines, *, by, expected_fingerprint=None):
    """Replace the budget's lines (other than the grant requested, which the grant step writes) with ``lines``,
    a list of dicts of BudgetLine fields; the caller validated each line. Returns the saved lines. BudgetChanged
    when ``expected_fingerprint`` (``lines_fingerprint`` when the page was loaded) no longer matches."""
    locked = lock(dossier)
    check_editable(locked)
    if expected_fingerprint is not None and expected_fingerprint != lines_fingerprint(locked):
        raise BudgetChanged
    locked.budget_lines.exclude(category=BudgetCategory.AMI_GRANT).delete()
    created = BudgetLine.objects.bulk_create(
        BudgetLine(dossier=locked, position=position, **values) for position, values in enumerate(lines, start=1)
    )
    touch(locked, by)
    return created


@transaction.atomic
def save_grant(dossier, amounts, *, by):
    """The aid requested under this call, ``{year: amount}``: one AMI_GRANT resource line per year with an amount
    (a year at 0 or None has none). The caller checked the bounds (``grant_problems``)."""
    locked = lock(dossier)
    check_editable(locked)
    existing = {line.year: line for line in locked.budget_lines.filter(category=BudgetCategory.AMI_GRANT)}
    for year in YEARS:
        amount = amounts.get(year) or ZERO
        line = existing.get(year)
        if not amount:
            if line:
                line.delete()
            continue
        if line is None:
            line = BudgetLine(dossier=locked, year=year, side=RESOURCES, category=BudgetCategory.AMI_GRANT)
        line.amount, line.funder, line.status, line.position = amount, GRANT_FUNDER, FundingStatus.REQUESTED, 0
        line.save()
    touch(locked, by)
