"""What an eligibility rule returns: a status, a French sentence saying why, and the legal basis."""

from collections import Counter
from dataclasses import dataclass, field

from applications.enums import STATUS_BADGES, RuleStatus


@dataclass(frozen=True)
class Verdict:
    """What a rule function returns; the engine adds the rule's id, title and legal basis."""

    status: RuleStatus
    explanation: str
    details: tuple = ()


def verdict(status, messages):
    """A Verdict whose explanation joins ``messages``; details keep them one by one when there are several."""
    messages = [str(message) for message in messages]
    return Verdict(status, " ".join(messages), tuple(messages) if len(messages) > 1 else ())


@dataclass(frozen=True)
class RuleResult:
    rule_id: str
    title: str
    status: RuleStatus
    explanation: str
    legal_basis: str
    details: tuple = field(default=())

    @property
    def status_label(self):
        return RuleStatus(self.status).label

    @property
    def wording(self):
        """What the templates show (the same as a stored result's ``wording``): computed in the page's language."""
        return {
            "title": self.title,
            "explanation": self.explanation,
            "legal_basis": self.legal_basis,
            "details": self.details,
        }

    @property
    def badge_class(self):
        return STATUS_BADGES[RuleStatus(self.status)]

    def as_dict(self):
        """Plain data, ready for a JSON field or an EligibilityResult row."""
        return {
            "rule_id": self.rule_id,
            "title": str(self.title),
            "status": str(RuleStatus(self.status).value),
            "explanation": str(self.explanation),
            "legal_basis": str(self.legal_basis),
            "details": [str(detail) for detail in self.details],
        }


@dataclass(frozen=True)
class Summary:
    counts: dict
    total: int

    @property
    def passed(self):
        return self.counts[RuleStatus.PASS]

    @property
    def failed(self):
        return self.counts[RuleStatus.FAIL]

    @property
    def warnings(self):
        return self.counts[RuleStatus.WARNING]

    @property
    def not_applicable(self):
        return self.counts[RuleStatus.NOT_APPLICABLE]

    @property
    def has_failures(self):
        return self.failed > 0

    @property
    def has_warnings(self):
        return self.warnings > 0


def summary(results):
    """Counts per status (every status present, zero included) and whether any rule failed."""
    counted = Counter(RuleStatus(result.status) for result in results)
    counts = {status: counted.get(status, 0) for status in RuleStatus}
    return Summary(counts=counts, total=sum(counts.values()))
