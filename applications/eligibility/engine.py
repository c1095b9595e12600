"""Running the rules on a dossier: every rule gives a result, none can break the page that shows them."""

import logging

from django.utils import translation
from django.utils.translation import gettext as _

from applications.eligibility.context import EligibilityContext
from applications.eligibility.results import RuleResult, RuleStatus
from applications.eligibility.rules import RULES
from applications.enums import PhaseKind

logger = logging.getLogger(__name__)

DRAFT_RULE_IDS = tuple(item.id for item in RULES if item.draft_computable)
# Phase 2: the prerequisite (R08) and the budget (R11) are shown before submission too (issue 11), in rule order.
PHASE2_DRAFT_RULE_IDS = tuple(item.id for item in RULES if item.draft_computable or item.id in ("R08", "R11"))


def evaluate(
    dossier,
    *,
    members=None,
    attachments=None,
    now=None,
    rule_ids=None,
    territory=None,
    budget_lines=None,
    history=None,
    rules=None,
    languages=None,
):
    """The results of the rules (all, or those of ``rule_ids``) on ``dossier``, in rule order.

    With ``languages`` (codes), ``{language: results}`` instead: the rules run once per language on one reading of
    the dossier (the context keeps what it loaded), so that a stored run can be shown in each language.

    Pass ``members`` (with ``select_related("commune")``), ``attachments`` (current ones) and ``territory`` (a
    TerritorySelection) when they are already loaded; otherwise they are loaded here, in at most 7 queries
    whatever the number of members. A rule that crashes gives a warning and logs the exception.
    """
    context = EligibilityContext(
        dossier,
        members=members,
        attachments=attachments,
        territory=territory,
        now=now,
        budget_lines=budget_lines,
        history=history,
    )
    selected = [item for item in (rules or RULES) if rule_ids is None or item.id in rule_ids]
    if languages is None:
        return [run(item, context) for item in selected]
    results = {}
    for language in languages:
        with translation.override(language):
            results[language] = [run(item, context) for item in selected]
    return results


def evaluate_draft(dossier, **kwargs):
    """The rules a draft already allows to check (what the porteur sees before submission)."""
    kwargs.setdefault("rule_ids", PHASE2_DRAFT_RULE_IDS if dossier.phase.kind == PhaseKind.PHASE2 else DRAFT_RULE_IDS)
    return evaluate(dossier, **kwargs)


def run(rule, context):
    try:
        return rule(context)
    except Exception:
        logger.exception("Eligibility rule %s failed on dossier %s", rule.id, getattr(context.dossier, "pk", None))
        return RuleResult(
            rule_id=rule.id,
            title=str(rule.title),
            status=RuleStatus.WARNING,
            explanation=_(
                "Vérification impossible : une erreur inattendue s'est produite ; ce critère sera contrôlé "
                "par l'équipe d'instruction."
            ),
            legal_basis=str(rule.legal_basis),
        )
