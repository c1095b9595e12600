"""The eligibility engine (DESIGN §6): twelve rules, each explained in French with its legal basis.

    results = evaluate(dossier)            # every rule
    results = evaluate_draft(dossier)      # the rules a draft already allows to check
    summary(results).has_failures

The rules never decide alone: staff confirm or override them.
"""

from applications.eligibility.engine import DRAFT_RULE_IDS, evaluate, evaluate_draft
from applications.eligibility.results import RuleResult, RuleStatus, Summary, summary
from applications.eligibility.rules import RULES, RULES_BY_ID, Rule

__all__ = [
    "DRAFT_RULE_IDS",
    "RULES",
    "RULES_BY_ID",
    "Rule",
    "RuleResult",
    "RuleStatus",
    "Summary",
    "evaluate",
    "evaluate_draft",
    "summary",
]
