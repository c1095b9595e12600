"""What every dossier view does first: find the dossier the user may see (404 otherwise), then check the
action's permission (403 for a read-only role)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from applications.models import Dossier


def get_visible_dossier(request, reference, queryset=None):
    queryset = queryset if queryset is not None else Dossier.objects.select_related("phase__edition", "owner")
    return get_object_or_404(queryset.visible_to(request.user), reference=reference)


def require_perm(request, perm, dossier):
    if not request.user.has_perm(perm, dossier):
        raise PermissionDenied


def get_dossier_for(request, reference, perm, queryset=None):
    dossier = get_visible_dossier(request, reference, queryset)
    require_perm(request, perm, dossier)
    return dossier


def is_fetch(request):
    """Requests sent by our scripts (autosave) expect JSON."""
    return request.headers.get("X-Requested-With") == "fetch"
