"""ProConnect, the State's OpenID Connect federation for its agents and professionals (DESIGN §11, issue 13 part 4).

An agent who already has an account here (instructeur, évaluateur, partenaire, administrateur) may log in with
ProConnect instead of a password. The account is found by its e-mail address, whatever its case; ProConnect never
creates an account, never gives nor changes a role or an admin right, and porteurs keep their password.

The OpenID Connect work (code exchange, signature of the ID token and of the userinfo JWT against the provider's
keys, nonce) is mozilla-django-oidc's; this module gives it its settings, found at run time:

- ``PROCONNECT_ISSUER``, ``PROCONNECT_CLIENT_ID``, ``PROCONNECT_CLIENT_SECRET`` come from the environment; the
  feature is off while one of them is empty (no button, the URLs answer 404);
- the endpoints come from ``{issuer}/.well-known/openid-configuration``, fetched when someone first needs them
  (never when the login page is shown) and kept in the cache for ``PROCONNECT_DISCOVERY_TTL`` seconds. A provider
  that does not answer, or answers nonsense, raises ``ProviderUnavailable``, which the views turn into a French
  message on the login page.
"""

import logging
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.utils.crypto import get_random_string
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from ptce_ami.accounts.enums import Role

logger = logging.getLogger(__name__)

BACKEND_PATH = "ptce_ami.accounts.proconnect.ProConnectBackend"
# Roles that may log in with ProConnect: the State's agents and the people it invites. Porteurs are companies and
# associations: they log in with their e-mail address and password (ProConnect is the agents' door).
AGENT_ROLES = (Role.INSTRUCTEUR, Role.EVALUATEUR, Role.PARTENAIRE, Role.ADMINISTRATEUR)
# The ID token, kept in the session for the RP-initiated logout (id_token_hint).
SESSION_ID_TOKEN = "proconnect_id_token"
# The state of a logout sent to ProConnect, checked when it sends the browser back.
SESSION_LOGOUT_STATE = "proconnect_logout_state"
SESSION_LOGOUT_URL = "proconnect_logout_url"
# Asked in the authorization request so that the ID token carries ``amr`` (ProConnect's documentation).
AMR_CLAIMS_REQUEST = '{"id_token":{"amr":{"essential":true}}}'
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class ProviderUnavailable(Exception):
    """ProConnect could not be reached, or its answer could not be used."""


class Refused(Exception):
    """ProConnect vouched for someone this platform does not let in: ``reason`` is "unknown", "porteur" or
    "no_email"."""

    def __init__(self, reason, email=""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


def is_enabled():
    return bool(settings.PROCONNECT_ISSUER and settings.PROCONNECT_CLIENT_ID and settings.PROCONNECT_CLIENT_SECRET)


def issuer():
    return settings.PROCONNECT_ISSUER.rstrip("/")


def _cache_key():
    return f"proconnect:discovery:{issuer()}"


def discovery():
    """The provider's OpenID configuration (a dict), from the cache or fetched with a timeout."""
    document = cache.get(_cache_key())
    if document is not None:
        return document
    url = f"{issuer()}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.PROCONNECT_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("ProConnect discovery failed (%s): %s", url, error)
        raise ProviderUnavailable(str(error)) from error
    if not isinstance(document, dict) or any(not document.get(key) for key in REQUIRED_ENDPOINTS):
        logger.warning("ProConnect discovery document incomplete (%s)", url)
        raise ProviderUnavailable("incomplete discovery document")
    if document.get("issuer", "").rstrip("/") != issuer():
        # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched from.
        logger.warning("ProConnect discovery names another issuer: %r", document.get("issuer"))
        raise ProviderUnavailable("issuer mismatch")
    cache.set(_cache_key(), document, settings.PROCONNECT_DISCOVERY_TTL)
    return document


def endpoint(name):
    return discovery()[name]


# The settings mozilla-django-oidc reads (``get_settings``), given by ProConnect's own settings and the discovery.
_FIXED_SETTINGS = {
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_USE_NONCE": True,
    "OIDC_USE_PKCE": False,  # not in ProConnect's list of parameters: any other parameter is refused
    "OIDC_CREATE_USER": False,
    "OIDC_STORE_ID_TOKEN": False,  # kept by the callback view, once the session belongs to the user
    "OIDC_STORE_ACCESS_TOKEN": False,
    "OIDC_VERIFY_SSL": True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:proconnect_callback",
    "OIDC_REDIRECT_FIELD_NAME": "next",
    "OIDC_STATE_SIZE": 32,
    "OIDC_NONCE_SIZE": 32,
}


def oidc_setting(name, *default):
    if name in _FIXED_SETTINGS:
        return _FIXED_SETTINGS[name]
    dynamic = {
        "OIDC_RP_CLIENT_ID": lambda: settings.PROCONNECT_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": lambda: settings.PROCONNECT_CLIENT_SECRET,
        "OIDC_RP_SCOPES": lambda: settings.PROCONNECT_SCOPES,
        "OIDC_TIMEOUT": lambda: settings.PROCONNECT_TIMEOUT,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": lambda: endpoint("authorization_endpoint"),
        "OIDC_OP_TOKEN_ENDPOINT": lambda: endpoint("token_endpoint"),
        "OIDC_OP_USER_ENDPOINT": lambda: endpoint("userinfo_endpoint"),
        "OIDC_OP_JWKS_ENDPOINT": lambda: endpoint("jwks_uri"),
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": authorization_extra_params,
    }
    if name in dynamic:
        return dynamic[name]()
    return getattr(settings, name, *default)


def authorization_extra_params():
    params = {"claims": AMR_CLAIMS_REQUEST}
    if settings.PROCONNECT_ACR_VALUES:
        params["acr_values"] = settings.PROCONNECT_ACR_VALUES
    return params


class ProConnectBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matched to existing agents' accounts only.

    It answers only the ProConnect callback (``proconnect_flow=True``): a password login never reaches the provider.
    Raises ``Refused`` for someone who may not log in this way, ``ProviderUnavailable`` when the provider does not
    answer, ``SuspiciousOperation`` for a token that does not verify (signature, nonce, issuer, audience).
    """

    def __init__(self, *args, **kwargs):
        # The endpoints are read when needed (discovery), not at start-up as the parent class does.
        self.UserModel = get_user_model()
        self.id_token = None
        self.id_token_claims = None

    get_settings = staticmethod(oidc_setting)

    # The parent class reads its settings as attributes.
    OIDC_RP_SIGN_ALGO = _FIXED_SETTINGS["OIDC_RP_SIGN_ALGO"]
    OIDC_RP_IDP_SIGN_KEY = None  # the keys come from the provider's JWKS

    @property
    def OIDC_RP_CLIENT_ID(self):
        return settings.PROCONNECT_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):
        return settings.PROCONNECT_CLIENT_SECRET

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):
        return endpoint("token_endpoint")

    @property
    def OIDC_OP_USER_ENDPOINT(self):
        return endpoint("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):
        return endpoint("jwks_uri")

    def authenticate(self, request, proconnect_flow=False, **kwargs):
        if not proconnect_flow or not is_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 500
            if status < 500:
                # The provider refused the code (expired, used twice, not ours): not an outage.
                raise SuspiciousOperation(f"ProConnect refused the exchange ({status})") from error
            logger.warning("ProConnect failed during the login: %s", error)
            raise ProviderUnavailable(str(error)) from error
        except requests.RequestException as error:
            logger.warning("ProConnect did not answer during the login: %s", error)
            raise ProviderUnavailable(str(error)) from error

    def get_user(self, user_id):
        # The parent's version ignores is_active: a disabled account would stay logged in on its ProConnect sessions.
        user = super().get_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def retrieve_matching_jwk(self, token):
        """The provider's key for ``token``, from its JWKS. The parent's version fails with a KeyError (a server
        error) on a token or a key without ``kid``: here a token without ``kid`` takes the only signing key."""
        header = jwt.get_unverified_header(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.PROCONNECT_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig" and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation("No single ProConnect key matches the token.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks the signature, the algorithm and the nonce; the issuer and the audience are
        # checked here (OpenID Connect Core §3.1.3.7).
        if payload.get("iss", "").rstrip("/") != issuer():
            raise SuspiciousOperation("ProConnect token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if audience is not None and settings.PROCONNECT_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ProConnect token for another client")
        return payload

    def store_tokens(self, access_token, id_token):
        self.id_token = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        if "aud" not in payload:
            raise SuspiciousOperation("ProConnect ID token without audience")
        self.id_token_claims = payload
        claims = self.get_userinfo(access_token, id_token, payload)
        email = str(claims.get("email") or "").strip()
        if not email:
            raise Refused("no_email")
        users = list(self.UserModel.objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) != 1:
            raise Refused("unknown", email)
        user = users[0]
        if user.role not in AGENT_ROLES:
            raise Refused("porteur", email)
        # Nothing of the account changes: no role, no admin right, not even the name.
        user.login_method = "proconnect"  # read by the audit log's login receiver (ptce_ami.core.audit)
        return user


def mark_second_factor(session, id_token_claims):
    """CONTRACT with the second factor (TOTP, issue 13 part 4): when ProConnect says the agent already used two
    factors — ``amr`` contains "mfa", or the eIDAS level is substantial or high (acr eidas2/eidas3) — the session gets
    ``second_factor_by = "proconnect"`` and the TOTP step is skipped for it. Otherwise nothing is set, and the second
    factor is asked as for a password login. Call it after ``login()``, which may start a new session."""
    amr = id_token_claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if "mfa" in amr or id_token_claims.get("acr") in ("eidas2", "eidas3"):
        session["second_factor_by"] = "proconnect"


def logout_url(request, id_token, post_logout_redirect_uri):
    """The provider's end-session address for this ID token (RP-initiated logout), with a fresh ``state`` kept in
    the session; None when the provider has no end-session endpoint or does not answer."""
    try:
        end_session = discovery().get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not end_session:
        return None
    state = get_random_string(32)
    request.session[SESSION_LOGOUT_STATE] = state
    query = urlencode(
        {"id_token_hint": id_token, "state": state, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    separator = "&" if urlsplit(end_session).query else "?"
    return f"{end_session}{separator}{query}"
