"""The twelve rules of DESIGN §6, in order. Each is a Rule: ``rule(context) -> RuleResult``."""

from applications.eligibility.rules.base import Rule
from applications.eligibility.rules.filing import budget_consistent, required_attachments, submitted_before_deadline
from applications.eligibility.rules.history import not_already_funded, phase1_prerequisite
from applications.eligibility.rules.members import (
    at_least_one_ess_enterprise,
    at_least_one_other_art9_actor,
    at_least_one_other_enterprise,
    at_least_three_legal_persons,
    lead_is_private_law_person,
    valid_and_unique_sirets,
)
from applications.eligibility.rules.territory import territory_defined_and_members_inside

RULES = [
    lead_is_private_law_person,
    at_least_three_legal_persons,
    at_least_one_ess_enterprise,
    at_least_one_other_enterprise,
    at_least_one_other_art9_actor,
    territory_defined_and_members_inside,
    not_already_funded,
    phase1_prerequisite,
    submitted_before_deadline,
    required_attachments,
    budget_consistent,
    valid_and_unique_sirets,
]
RULES_BY_ID = {item.id: item for item in RULES}

__all__ = ["RULES", "RULES_BY_ID", "Rule"]
