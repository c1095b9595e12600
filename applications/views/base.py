"""What every dossier view does first: find the dossier the user may see (404 otherwise), then check the
action's permission (403 for a read-only role)."""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from applications.models import Dossier
from ptce_ami.accounts import permissions

logger = logging.getLogger(__name__)


def protected_download(file, filename, content_type=None):
    """A stored file, sent only after the caller checked who may have it: never cached, never sniffed; a file
    missing from the storage is a 404 (logged), not a 500."""
    try:
        handle = file.open("rb")
    except (OSError, ValueError):
        logger.error("file %r missing from the storage", file.name)
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


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
