"""What every rule shares: the Rule object and its decorator, verdict helpers, legal bases, member helpers."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from applications.eligibility.results import RuleResult, RuleStatus, verdict
from ptce_ami.core.siret import compact

DECREE = "Décret n° 2015-431 du 15 avril 2015, art. 3"
LAW_ART1 = "loi n° 2014-856 du 31 juillet 2014, art. 1"
LAW_ART9 = "loi n° 2014-856 du 31 juillet 2014, art. 9"
AMI_TEXTS = "Cahier des charges de l'AMI"


@dataclass(frozen=True)
class Rule:
    """A rule: calling it with an EligibilityContext gives a RuleResult (``func`` returns a Verdict)."""

    id: str
    title: str
    legal_basis: str
    draft_computable: bool
    func: Callable

    def __call__(self, context):
        result = self.func(context)
        return RuleResult(
            rule_id=self.id,
            title=str(self.title),
            status=result.status,
            explanation=result.explanation,
            legal_basis=str(self.legal_basis),
            details=result.details,
        )


def rule(rule_id, title, legal_basis, *, draft_computable):
    """Turn a function ``context -> Verdict`` into a Rule."""

    def make(func):
        return Rule(rule_id, title, legal_basis, draft_computable, func)

    return make


def passed(*messages):
    return verdict(RuleStatus.PASS, messages)


def failed(*messages):
    return verdict(RuleStatus.FAIL, messages)


def warning(*messages):
    return verdict(RuleStatus.WARNING, messages)


def not_applicable(*messages):
    return verdict(RuleStatus.NOT_APPLICABLE, messages)


def worst(fails, warnings, otherwise):
    """FAIL with every problem if any fails, else WARNING with the warnings, else ``otherwise``."""
    if fails:
        return verdict(RuleStatus.FAIL, [*fails, *warnings])
    if warnings:
        return verdict(RuleStatus.WARNING, warnings)
    return otherwise


def name_of(member):
    return member.name or _("une structure sans nom")


def names(members):
    return ", ".join(name_of(member) for member in members)


def names_and(members):
    """ "A", "A et B", "A, B et C"."""
    listed = [name_of(member) for member in members]
    if len(listed) < 2:
        return "".join(listed)
    return _("%(first)s et %(last)s") % {"first": ", ".join(listed[:-1]), "last": listed[-1]}


def lower_first(text):
    text = str(text)
    return text[:1].lower() + text[1:]


def label_of(choices, value):
    """The French label of a choice; odd values (not in the choices) are shown as they are."""
    return choices(value).label if value in choices.values else value


def siren_of(member):
    """The first 9 digits of a 14-digit SIRET (valid or not), else ""."""
    number = compact(member.siret)
    return number[:9] if len(number) == 14 and number.isdigit() else ""


def format_siren(siren):
    return f"{siren[0:3]} {siren[3:6]} {siren[6:9]}"
