"""Account actions called by the views."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ptce_ami.accounts import permissions
from ptce_ami.accounts.models import API_TOKEN_SCHEME, ApiCall, ApiToken, User, api_token_digest
from ptce_ami.accounts.notifications import send_confirmation_email, send_signup_attempt_email
from ptce_ami.core import audit


@transaction.atomic
def sign_up(user):
    """Create the account ``user`` (unsaved, its password set: ``SignupForm.save(commit=False)``) and e-mail it
    its confirmation link; returns the account e-mailed, or None.

    An address that already has an account gets no new account and no change to the existing one: its owner is
    e-mailed instead (send_signup_attempt_email: how to sign in, the confirmation link if the address is not
    confirmed yet); a deactivated account is e-mailed nothing, as for a password reset. The caller answers the
    same way in every case, so that the sign-up page never tells which addresses have an account.
    """
    existing = User.objects.filter(email__iexact=user.email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.get(email__iexact=user.email)
        else:
            send_confirmation_email(user)
            return user
    if not existing.is_active:
        return None
    send_signup_attempt_email(existing)
    return existing


# Personal API tokens ---------------------------------------------------------------------------------------------

# The lifetimes offered when a token is created, in days: one year at most.
API_TOKEN_LIFETIMES = (30, 90, 365)


class ApiTokenRefused(Exception):
    """The token of an API call is missing, unknown, revoked or expired (401), or its owner may no longer use the API
    (403). ``message`` is what the answer says (French)."""

    def __init__(self, message, status=401, token=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.token = token


def create_api_token(user, *, name, days):
    """Create a token for ``user`` valid ``days`` days; returns (token, secret). The secret is shown once: only its
    SHA-256 is stored. Only the roles that may use the API get one (rule accounts.use_api)."""
    permissions.require_perm(user, "accounts.use_api")
    if days not in API_TOKEN_LIFETIMES:
        raise ValueError(f"lifetime {days} not in {API_TOKEN_LIFETIMES}")
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"{API_TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        digest=api_token_digest(secret),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit.record(audit.AuditAction.TOKEN_CREATION, actor=user, obj=token, details={"days": days})
    return token, secret


def revoke_api_token(token):
    """Revoke ``token`` (once: revoking it again keeps the first date)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_api_token(secret, now=None):
    """The usable token whose secret is ``secret`` (its user loaded), or ApiTokenRefused saying why not."""
    now = now or timezone.now()
    scheme, _sep, rest = (secret or "").partition("_")
    prefix = rest.partition("_")[0]
    token = None
    if scheme == API_TOKEN_SCHEME and prefix:
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not token.matches(secret):
        raise ApiTokenRefused(
            _("Jeton d'accès absent ou inconnu : envoyez l'en-tête « Authorization: Bearer <jeton> ».")
        )
    if token.is_revoked:
        raise ApiTokenRefused(_("Ce jeton d'accès a été révoqué."), token=token)
    if token.is_expired(now):
        raise ApiTokenRefused(
            _("Ce jeton d'accès a expiré le %(date)s.") % {"date": date_format(localtime(token.expires_at))},
            token=token,
        )
    if not token.user.is_active:
        raise ApiTokenRefused(_("Le compte de ce jeton d'accès est désactivé."), token=token)
    if not permissions.has_perm(token.user, "accounts.use_api"):
        raise ApiTokenRefused(_("Votre rôle ne donne pas accès à l'API."), status=403, token=token)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def record_api_call(token, *, method, route, path, status, duration_ms, at=None):
    return ApiCall.objects.create(
        token=token,
        user_id=token.user_id,
        at=at or timezone.now(),
        method=method[:8],
        route=route[:200],
        path=path[:500],
        status=status,
        duration_ms=max(0, round(duration_ms)),
    )


def purge_api_calls(now=None):
    """Delete the API calls older than API_CALL_RETENTION_DAYS days: the log's growth is bounded. Returns the count."""
    limit = (now or timezone.now()) - datetime.timedelta(days=settings.API_CALL_RETENTION_DAYS)
    deleted, _details = ApiCall.objects.filter(at__lt=limit).delete()
    return deleted


# Throttling of the forms that send e-mails or create accounts -------------------------------------------------


def form_throttled(request, action, email=""):
    """Count one POST of the form ``action`` for the client's IP and for the e-mail address given; True once either
    has gone over settings.AUTH_FORM_THROTTLE_LIMIT within the window (an hour). Counters live in the cache."""
    keys = [f"throttle:{action}:ip:{request.META.get('REMOTE_ADDR', '')}"]
    if email:
        digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        keys.append(f"throttle:{action}:email:{digest}")
    over = False
    for key in keys:
        cache.add(key, 0, timeout=settings.AUTH_FORM_THROTTLE_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.AUTH_FORM_THROTTLE_WINDOW)
            count = 1
        over = over or count > settings.AUTH_FORM_THROTTLE_LIMIT
    return over


def throttled_message():
    minutes = settings.AUTH_FORM_THROTTLE_WINDOW // 60
    return ngettext(
        "Trop de demandes ont été envoyées depuis votre connexion ou pour cette adresse. "
        "Réessayez dans %(minutes)d minute.",
        "Trop de demandes ont été envoyées depuis votre connexion ou pour cette adresse. "
        "Réessayez dans %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
