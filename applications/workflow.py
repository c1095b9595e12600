"""The dossier workflow as data (DESIGN §5): action → (states it may start from, state it leads to)."""

from django.utils.translation import gettext_lazy as _

from applications.enums import DossierState as S


class InvalidTransition(Exception):
    """The action cannot be done from the dossier's current state (someone may have been faster)."""


class MotivationRequired(Exception):
    """The action needs a written motivation."""


TRANSITIONS = {
    "submit": ({S.DRAFT}, S.SUBMITTED),
    "withdraw": (set(S.withdrawable()), S.WITHDRAWN),
    "request_corrections": (set(S.under_instruction()), S.CORRECTIONS_REQUESTED),
    "resubmit": ({S.CORRECTIONS_REQUESTED}, S.SUBMITTED),
    "start_review": ({S.SUBMITTED}, S.IN_REVIEW),
    "declare_eligible": ({S.IN_REVIEW}, S.ELIGIBLE),
    "declare_ineligible": ({S.IN_REVIEW}, S.INELIGIBLE),
    "select_laureate": ({S.ELIGIBLE}, S.LAUREATE),
    "not_retain": ({S.ELIGIBLE}, S.NOT_RETAINED),
    "reopen": (set(S.reopenable()), S.IN_REVIEW),
}

MOTIVATION_REQUIRED = {"request_corrections", "declare_ineligible", "reopen"}

ACTION_LABELS = {
    "submit": _("Dépôt"),
    "withdraw": _("Retrait"),
    "request_corrections": _("Demande de corrections"),
    "resubmit": _("Nouveau dépôt après corrections"),
    "start_review": _("Début de l'instruction"),
    "declare_eligible": _("Déclaré recevable"),
    "declare_ineligible": _("Déclaré irrecevable"),
    "select_laureate": _("Sélectionné lauréat"),
    "not_retain": _("Non retenu"),
    "reopen": _("Réouverture de l'instruction"),
}


def target_state(action, current_state):
    """The state ``action`` leads to from ``current_state``, or InvalidTransition."""
    try:
        sources, target = TRANSITIONS[action]
    except KeyError:
        raise InvalidTransition(f"unknown action {action!r}") from None
    if current_state not in sources:
        raise InvalidTransition(f"{action} is not possible from {current_state}")
    return target


def allowed_actions(current_state):
    return [action for action, (sources, _target) in TRANSITIONS.items() if current_state in sources]
