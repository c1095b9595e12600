"""The edge of every request: the client's address behind a trusted proxy (and the audit log's request context),
bodies refused from their size before anything reads them, and the response headers that Django's
SecurityMiddleware does not set."""

import ipaddress
import re
from functools import cache

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext

from ptce_ami.core import audit, files

# Requests under this prefix get their refusals as JSON ({"detail": …}, like the API's other errors).
API_PREFIX = "/api/"
LENGTH = re.compile(r"[0-9]{1,20}")


# Client address ------------------------------------------------------------------------------------------------


@cache
def _networks(trusted):
    return tuple(ipaddress.ip_network(network) for network in trusted)


def _trusted(address, networks):
    return any(address in network for network in networks)


PROXY_KEY = "ptce.proxy_addr"  # request.META: the trusted proxy the request came through


def from_trusted_proxy(address):
    try:
        return _trusted(ipaddress.ip_address(address or ""), _networks(tuple(settings.TRUSTED_PROXIES)))
    except ValueError:
        return False


def forwarded_client(remote_addr, forwarded_for, trusted):
    """The client's address: ``remote_addr`` unless it is a trusted proxy (``trusted``, CIDR strings); then the
    right-most address of X-Forwarded-For that is not a trusted proxy. A client can write anything on the left of
    the header: only what the trusted proxies appended is believed. None when ``remote_addr`` is not an address."""
    networks = _networks(tuple(trusted))
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return None
    for hop in reversed([part.strip() for part in (forwarded_for or "").split(",") if part.strip()]):
        if not _trusted(address, networks):
            break
        try:
            address = ipaddress.ip_address(hop)
        except ValueError:  # garbage written by the client or a misconfigured proxy: stop at the last proxy
            break
    return str(address)


class RequestContextMiddleware:
    """First of all: the client's address, and the request's context for the audit log.

    Behind proxies listed in ``TRUSTED_PROXIES``, REMOTE_ADDR becomes the client's address read from
    X-Forwarded-For (see ``forwarded_client``), so that every later reader (the audit log, django-axes, the
    sign-up and password-reset throttle) sees the client and not the proxy; from anyone else the header is ignored.
    Then, for the time of the request, ``audit.record`` called by a service without the request writes this
    address, and the signed-in user for a row that names no actor (``audit.origin``, a context variable: each thread
    or asyncio task sees its own request only).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def _prepare(self, request):
        if settings.TRUSTED_PROXIES:
            proxy = request.META.get("REMOTE_ADDR")
            request.META["REMOTE_ADDR"] = (
                forwarded_client(proxy, request.META.get("HTTP_X_FORWARDED_FOR"), settings.TRUSTED_PROXIES) or ""
            )
            if from_trusted_proxy(proxy):
                request.META[PROXY_KEY] = proxy
        return audit.origin("request", ip=audit.client_ip(request), user=lambda: getattr(request, "user", None))

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        with self._prepare(request):
            return self.get_response(request)

    async def __acall__(self, request):
        with self._prepare(request):
            return await self.get_response(request)


# Request bodies ------------------------------------------------------------------------------------------------


def accepts_files(count=1):
    """Declare that a view takes up to ``count`` files of ``ATTACHMENT_MAX_SIZE`` each in one request: its body may be
    that much larger than other requests' (``body_limit``). Put it outermost, or under decorators that keep the
    view's attributes (functools.wraps)."""

    def decorate(view):
        view.upload_files = count
        return view

    return decorate


def upload_files(path):
    """How many files the view at ``path`` takes (``accepts_files``); 0 for any other path."""
    try:
        match = resolve(path)
    except Resolver404:
        return 0
    return getattr(match.func, "upload_files", 0)


def body_limit(path):
    """The largest body accepted for ``path``, in bytes: the files of an upload view and the rest of its form, or
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for any other request."""
    return upload_files(path) * settings.ATTACHMENT_MAX_SIZE + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def refusal(request, status, message):
    """A refused body: JSON for the API, else the French page (rendered without a request context: nothing is read
    from the session nor the database)."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    html = loader.render_to_string("413.html", {"status": status, "message": message})
    return HttpResponse(html, status=status)


def too_large_message(path):
    files_count = upload_files(path)
    if files_count:
        return gettext(
            "Les fichiers envoyés sont trop volumineux : la taille maximale est de %(max)s par fichier. Revenez à la "
            "page précédente et choisissez un fichier plus petit (par exemple un PDF compressé, ou des images "
            "numérisées en plus basse résolution)."
        ) % {"max": files.format_size(settings.ATTACHMENT_MAX_SIZE)}
    return gettext(
        "Les données envoyées dépassent la taille maximale acceptée (%(max)s). Revenez à la page précédente et "
        "raccourcissez ce que vous avez saisi."
    ) % {"max": files.format_size(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}


class RequestSizeLimitMiddleware:
    """Refuse a request body from its announced size, before anything reads it.

    - Content-Length above ``body_limit`` for the URL: 413 with the French page (or JSON under /api/);
    - a Content-Length that is not a number: 400;
    - a body sent in chunks (Transfer-Encoding, no length): 411. Under WSGI Django would read nothing of it anyway
      (no Content-Length, no body); the proxy (nginx) buffers such bodies and sends them with their length.

    ``request.body`` is never touched here. Placed before every middleware that may read the body (CSRF, sessions,
    django-axes); Django itself enforces DATA_UPLOAD_MAX_MEMORY_SIZE and the field and file counts on what it
    parses, and the upload forms refuse a file over ATTACHMENT_MAX_SIZE with a message next to the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.check(request) or self.get_response(request)

    def check(self, request):
        if request.META.get("HTTP_TRANSFER_ENCODING"):
            return refusal(
                request,
                411,
                gettext("La requête doit indiquer la taille de son contenu (en-tête Content-Length)."),
            )
        raw = (request.META.get("CONTENT_LENGTH") or "").strip()
        if not raw:
            return None
        if not LENGTH.fullmatch(raw):  # int() would read "+5", "5_000" and "٥"
            return refusal(request, 400, gettext("La taille annoncée du contenu de la requête n'est pas valide."))
        if int(raw) > body_limit(request.path_info):
            response = refusal(request, 413, too_large_message(request.path_info))
            if PROXY_KEY in request.META:
                discard_body(request)
            return response
        return None


def discard_body(request, chunk_size=64 * 1024):
    """Read the body into nothing. Only for a request relayed by a trusted proxy: the proxy has already received the
    whole body (nginx buffers it, within its own client_max_body_size), so this is a local copy; but a worker that
    answered and closed with the body unread would make the kernel reset the connection, and the proxy would lose the
    answer (502 instead of the French 413)."""
    while request.read(chunk_size):
        pass


# Response headers ----------------------------------------------------------------------------------------------


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every HTML page and JSON answer served to a logged-in user or to a
    request carrying credentials (the API's bearer token).

    A shared proxy or the browser's back-forward cache must never keep a page showing a dossier to replay it to
    the next person at the same computer. Responses that chose their own Cache-Control (downloads, the public map's
    data) are left as they are. Placed before AuthenticationMiddleware, so ``request.user`` may be missing when an
    earlier middleware answered (static files): such requests are treated as anonymous.
    """

    PRIVATE_TYPES = ("text/html", "application/json")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if (
            signed_in
            and not response.has_header("Cache-Control")
            and response.get("Content-Type", "").startswith(self.PRIVATE_TYPES)
        ):
            patch_cache_control(response, private=True, no_store=True)
        return response


# The browser features the platform never uses, refused to the page and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response (Django's SecurityMiddleware has no setting for it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
