"""Response headers that Django's SecurityMiddleware does not set."""

from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every HTML page served to a logged-in user.

    A shared proxy or the browser's back-forward cache must never keep a page showing a dossier to replay it to
    the next person at the same computer. Responses that chose their own Cache-Control (downloads, the public map's
    data) are left as they are. Placed before AuthenticationMiddleware, so ``request.user`` may be missing when an
    earlier middleware answered (static files): such requests are treated as anonymous.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
            and response.get("Content-Type", "").startswith("text/html")
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
