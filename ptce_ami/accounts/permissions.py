"""The one way to check a permission in this project (DESIGN §2, HOUSE_STYLE §4).

Every permission is a django-rules predicate registered by the app that owns it (``<app>/rules.py``).
``has_perm`` asks the rules and nothing else: unlike Django's ``user.has_perm``, it never lets a superuser
through because they are one, so that an administrateur never acts as a porteur on someone else's dossier.
``User.has_perm`` delegates to it for every permission the rules know, so that the Django admin, templates and
any library agree; Django's own model permissions that no rule declares (third-party apps in the admin) keep
Django's behaviour.

An *action* is a permission made of who may do it (the actor) and when it may be done (a state guard):
``add_action("applications.submit_dossier", actor=is_dossier_owner, when=dossier_is_draft)``. ``check_action``
tells the three cases apart, so that views answer a stranger with a 403 and the actor of an action that was
already done (a double submit, another tab) with "Action déjà effectuée".
"""

import enum

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

# What a 403 says when the view gives no reason of its own.
DEFAULT_REFUSAL = _("Cette action ne vous est pas ouverte.")

_ACTORS = {}
_REFUSALS = {}


class Outcome(enum.Enum):
    ALLOWED = "allowed"
    REFUSED = "refused"  # not the actor: 403
    NOT_NOW = "not_now"  # the actor, but the object is no longer (or not yet) in a state that allows it


def has_perm(user, perm, obj=None):
    """Whether ``user`` holds ``perm`` (on ``obj``), by the rules alone; False for an unknown permission."""
    if user is None or not getattr(user, "is_active", False):
        return False
    return rules.has_perm(perm, user, obj)


def knows(perm):
    return rules.perm_exists(perm)


# The project's own apps (their labels): every permission on their models is declared by a rule, or refused.
# Django's superuser fallback ("a superuser holds every permission") is kept for third-party apps only.
OWN_APP_LABELS = frozenset({"core", "territories", "accounts", "applications", "reviews", "site"})


def is_own(perm):
    """Whether ``perm`` (``app_label.codename`` or an app label) names one of the project's own apps."""
    return perm.split(".", 1)[0] in OWN_APP_LABELS


def refusal(perm):
    """What a 403 on ``perm`` says: the sentence registered with the permission, or the default one."""
    return _REFUSALS.get(perm, DEFAULT_REFUSAL)


def add_perm(perm, predicate, *, refusal=None):
    """``rules.add_perm`` with the sentence a refusal shows (the 403 page says why)."""
    if refusal is not None:
        _REFUSALS[perm] = refusal
    rules.add_perm(perm, predicate)


def require_perm(user, perm, obj=None, message=None):
    """Raise PermissionDenied (a 403 that shows ``message`` or the permission's refusal) unless ``user`` holds
    ``perm``."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(message or refusal(perm))


def add_action(perm, *, actor, when, refusal=None):
    """Register ``perm`` as ``actor & when``, remembering the actor for ``check_action``."""
    _ACTORS[perm] = actor
    add_perm(perm, actor & when, refusal=refusal)


def check_action(user, perm, obj=None):
    if has_perm(user, perm, obj):
        return Outcome.ALLOWED
    actor = _ACTORS.get(perm)
    if actor is not None and getattr(user, "is_active", False) and actor.test(user, obj):
        return Outcome.NOT_NOW
    return Outcome.REFUSED


def require_action(user, perm, obj=None, message=None):
    """True when ``user`` may do the action now; False when they are its actor but it can no longer be done (the
    view then says "Action déjà effectuée"); PermissionDenied (403 with ``message``) for anyone else."""
    outcome = check_action(user, perm, obj)
    if outcome is Outcome.REFUSED:
        raise PermissionDenied(message or refusal(perm))
    return outcome is Outcome.ALLOWED
