"""What every dossier view does first: find the dossier the user may see (404 otherwise), then check the
action's permission (403 for a read-only role)."""

from django.shortcuts import get_object_or_404

from applications.models import Dossier
from ptce_ami.accounts import permissions


def get_visible_dossier(request, reference, queryset=None):
    queryset = queryset if queryset is not None else Dossier.objects.select_related("phase__edition", "owner")
    return get_object_or_404(queryset.visible_to(request.user), reference=reference)


def can(request, perm, obj=None):
    return permissions.has_perm(request.user, perm, obj)


def require_perm(request, perm, obj=None, message=None):
    """403 (showing ``message``) unless the user holds ``perm`` on ``obj``."""
    permissions.require_perm(request.user, perm, obj, message)


def require_action(request, perm, obj, message=None):
    """True when the user may do the action now, False when they are its actor but it was already done (the
    caller says "Action déjà effectuée"), 403 (showing ``message``) for anyone else."""
    return permissions.require_action(request.user, perm, obj, message)


def is_fetch(request):
    """Requests sent by our scripts (autosave) expect JSON."""
    return request.headers.get("X-Requested-With") == "fetch"
