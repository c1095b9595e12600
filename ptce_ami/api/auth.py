"""Who calls: the personal token of the Authorization header (``Bearer <token>``), and how often (per token).

The token acts as its owner: ``request.user`` becomes the owner, so that every scoped queryset and rule answers as
for them. A missing, unknown, revoked or expired token is a 401, an owner whose role has no API access a 403, with
a French message (accounts.services.authenticate_api_token). ``request.api_token`` keeps the token, valid or not,
for the call log.
"""

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from ptce_ami.accounts.services import ApiTokenRefused, authenticate_api_token


class TokenAuth(HttpBearer):
    def __call__(self, request):
        # Unlike HttpBearer, a missing or malformed header is answered like an unknown token (with its message).
        scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
        return self.authenticate(request, secret.strip() if scheme.lower() == "bearer" else "")

    def authenticate(self, request, token):
        try:
            api_token = authenticate_api_token(token)
        except ApiTokenRefused as refusal:
            request.api_token = refusal.token
            raise AuthenticationError(refusal.status, refusal.message) from None
        request.api_token = api_token
        request.user = api_token.user
        return api_token


class TokenRateThrottle(SimpleRateThrottle):
    """API_RATE_LIMIT requests per token ("60/min"), counted in the default cache (shared by the web processes when
    it is Redis). The rate is read at each request, not when the API is built."""

    def __init__(self):
        self.rate = None

    def allow_request(self, request):
        self.rate = settings.API_RATE_LIMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request):
        return f"api_throttle_token_{request.auth.pk}"
