"""Where to go back after a POST: the ``next`` the page sent, when it is a path on this site."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_path(request, target, default):
    """``target`` when it is an absolute path on this site, else ``default``. A bare word ("12", "accueil") is
    refused: ``redirect()`` would take it for a URL name and fail (a server error)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    ):
        return target
    return default


def safe_next(request, default):
    """``next`` (POST, else GET) when it is an absolute path on this site, else ``default``."""
    return safe_path(request, request.POST.get("next") or request.GET.get("next") or "", default)
