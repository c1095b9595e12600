"""The second factor (issue 13 part 4): a TOTP application, with single-use recovery codes (django-otp).

Contract with every way of logging in:
- ``second_factor_satisfied(request)`` is the only question the platform asks: True when this session passed a
  second factor. That is ``request.user.is_verified()`` (django-otp's OTPMiddleware: a TOTP code or a recovery
  code was typed in this session) **or** ``request.session[SECOND_FACTOR_SESSION_KEY]`` is set.
- Another login method that already proved a second factor (ProConnect, when its identity provider reports
  multi-factor authentication) sets ``request.session[SECOND_FACTOR_SESSION_KEY]`` to a short label of what proved it
  (e.g. ``"proconnect"``) right after ``django.contrib.auth.login``. Nothing else may set it.
- The policy middleware (``accounts.middleware.SecondFactorMiddleware``) and the admin site
  (``accounts.admin_site.AdminSite``) use only that function.

Policy (settings): the roles in ``TWO_FACTOR_REQUIRED_ROLES`` must enrol a TOTP application before using the
platform; the others may. Anyone who enrolled is asked for a code after the password, whatever the role
(``PENDING_SESSION_KEY``, set at login). The Django admin asks for it from everyone (``TWO_FACTOR_ADMIN_REQUIRED``).

Throttling: django-otp makes each device wait 1, 2, 4, 8… seconds after a wrong code; on top of it, after
``TWO_FACTOR_FAILURE_LIMIT`` wrong codes in a row the account's verification is refused for ``TWO_FACTOR_COOLOFF``
(a 429 page). Enrolment, disabling, recovery-code use and regeneration, failed codes and locks go to the audit log.
"""

import dataclasses
import enum
from base64 import b32decode, b32encode

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY, update_session_auth_hash
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ptce_ami.accounts.enums import Role
from ptce_ami.core.audit import record
from ptce_ami.core.models import AuditAction, AuditOutcome

SECOND_FACTOR_SESSION_KEY = "second_factor_by"
# Set at login for an account with a second factor: the session is not yet verified.
PENDING_SESSION_KEY = "second_factor_pending"
# The recovery codes just made, shown once on their page and then forgotten.
RECOVERY_CODES_SESSION_KEY = "recovery_codes_to_show"
RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6  # django-otp's default, what every authenticator application shows
TOTP_DEVICE_NAME = "totp"
RECOVERY_DEVICE_NAME = "recovery"


@checks.register(checks.Tags.security)
def check_required_roles(app_configs=None, **kwargs):
    unknown = sorted(set(settings.TWO_FACTOR_REQUIRED_ROLES) - set(Role.values))
    if unknown:
        return [
            checks.Error(
                f"TWO_FACTOR_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
                hint=f"Known roles: {', '.join(Role.values)}.",
                id="accounts.E001",
            )
        ]
    return []


def second_factor_satisfied(request):
    """Whether this session passed a second factor (see the module's docstring)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return True
    return bool(request.session.get(SECOND_FACTOR_SESSION_KEY))


def is_required_for(user):
    return getattr(user, "role", None) in settings.TWO_FACTOR_REQUIRED_ROLES


def totp_device(user):
    """The user's confirmed TOTP application, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def needs_second_factor(request):
    """Whether the signed-in user must pass (or first enrol) a second factor before going further."""
    if second_factor_satisfied(request):
        return False
    return bool(request.session.get(PENDING_SESSION_KEY)) or is_required_for(request.user)


def owes_second_factor(request):
    """Whether this request comes from a session signed in with a password that still owes its second factor (an API
    call authenticated by its token has no session, and owes nothing here)."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    return bool(
        user is not None
        and user.is_authenticated
        and session is not None
        and SESSION_KEY in session
        and needs_second_factor(request)
    )


def next_step_url(user, next_url):
    """Where a user who still owes a second factor goes: verification if they have one, enrolment otherwise."""
    name = "accounts:two_factor_verify" if has_second_factor(user) else "accounts:two_factor_enrol"
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


@receiver(user_logged_in, dispatch_uid="accounts_second_factor_pending")
def mark_pending_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session") and has_second_factor(user):
        request.session[PENDING_SESSION_KEY] = True


def _verified(request, device):
    otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    # A new session key for the now stronger session.
    request.session.cycle_key()


# Enrolment ------------------------------------------------------------------------------------------------------


def pending_device(user):
    """The TOTP device being enrolled: the same secret until it is confirmed, so that reloading the page does not
    invalidate a code already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def secret_for_humans(device):
    """The base32 secret in groups of four, for the people who type it instead of scanning the QR code."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device):
    """The enrolment QR code (the otpauth:// address with the secret) as inline SVG: no image request, no script."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff")


def confirm_enrolment(request, device, code):
    """Confirm ``device`` with its first code. Returns the new recovery codes (to show once), or None when the
    code is wrong. The session counts as verified; every other session of the account ends."""
    if not device.verify_token(code):
        return None
    user = request.user
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_recovery_codes(user)
        record(AuditAction.TWO_FACTOR_ENABLED, request=request, obj=user)
        # Sessions opened before the second factor existed would never be asked for it: they end.
        user.end_all_sessions()
    update_session_auth_hash(request, user)
    _verified(request, device)
    return codes


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrol_with_secret(user, secret):
    """Give ``user`` a confirmed TOTP application with a known base32 secret: for the demo accounts only
    (seed_demo, DEBUG), whose secret is printed like their password."""
    key = b32decode(secret).hex()
    TOTPDevice.objects.filter(user=user).exclude(key=key).delete()
    device, _ = TOTPDevice.objects.get_or_create(user=user, key=key, defaults={"name": TOTP_DEVICE_NAME})
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def current_code(device):
    """The code the device's application shows now (the demo's command prints it)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def regenerate_recovery_codes(request):
    """New recovery codes for the signed-in user; the old ones stop working."""
    with transaction.atomic():
        codes = _new_recovery_codes(request.user)
        record(AuditAction.RECOVERY_CODES_REGENERATED, request=request, obj=request.user)
    return codes


# Verification ---------------------------------------------------------------------------------------------------


class Outcome(enum.Enum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"
    WRONG = "wrong"
    WAIT = "wait"  # django-otp's delay after a wrong code has not passed
    LOCKED = "locked"


@dataclasses.dataclass
class Verification:
    outcome: Outcome
    device: object = None
    wait_seconds: int = 0

    @property
    def ok(self):
        return self.outcome in (Outcome.TOTP, Outcome.RECOVERY_CODE)


def _devices(user):
    return list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
        StaticDevice.objects.filter(user=user, confirmed=True)
    )


def locked_until(user):
    """The end of the account's verification lock, or None. An expired lock resets the count of failures."""
    devices = _devices(user)
    failures = sum(device.throttling_failure_count for device in devices)
    if failures < settings.TWO_FACTOR_FAILURE_LIMIT:
        return None
    last = max(
        (device.throttling_failure_timestamp for device in devices if device.throttling_failure_timestamp),
        default=timezone.now(),
    )
    until = last + settings.TWO_FACTOR_COOLOFF
    if until > timezone.now():
        return until
    for device in devices:
        device.throttle_reset()
    return None


def _device_for(user, code):
    """Six digits go to the TOTP application, anything else to the recovery codes."""
    model = TOTPDevice if code.isdigit() and len(code) == TOTP_DIGITS else StaticDevice
    device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()


def check_code(request, code):
    """Check a code typed by the signed-in user, counting failures and writing the audit log; does not log in."""
    user = request.user
    if locked_until(user) is not None:
        return Verification(Outcome.LOCKED)
    with transaction.atomic():
        device = _device_for(user, code)
        if device is None:
            return Verification(Outcome.WRONG)
        allowed, data = device.verify_is_allowed()
        if not allowed:
            wait = (data["locked_until"] - timezone.now()).total_seconds() if data and "locked_until" in data else 1
            return Verification(Outcome.WAIT, wait_seconds=max(1, round(wait)))
        if device.verify_token(code):
            return _success(request, device)
    return _failure(request, device)


def _success(request, device):
    if isinstance(device, StaticDevice):
        left = recovery_codes_left(request.user)
        record(AuditAction.RECOVERY_CODE_USED, request=request, obj=request.user, details={"left": left})
        return Verification(Outcome.RECOVERY_CODE, device)
    return Verification(Outcome.TOTP, device)


def _failure(request, device):
    record(
        AuditAction.TWO_FACTOR_FAILED,
        request=request,
        obj=request.user,
        outcome=AuditOutcome.FAILURE,
        details={"device": "recovery_code" if isinstance(device, StaticDevice) else "totp"},
    )
    if locked_until(request.user) is not None:
        record(AuditAction.TWO_FACTOR_LOCKOUT, request=request, obj=request.user, outcome=AuditOutcome.FAILURE)
        return Verification(Outcome.LOCKED)
    return Verification(Outcome.WRONG)


def verify(request, code):
    """The verification step after the password: on success the session counts as verified."""
    result = check_code(request, code)
    if result.ok:
        _verified(request, result.device)
        record(AuditAction.TWO_FACTOR_VERIFIED, request=request, obj=request.user)
    return result


def disable(request, code):
    """Remove the user's second factor (TOTP application and recovery codes) once a current code is checked."""
    result = check_code(request, code)
    if result.ok:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=request.user).delete()
            StaticDevice.objects.filter(user=request.user).delete()
            record(AuditAction.TWO_FACTOR_DISABLED, request=request, obj=request.user)
        request.session.pop(PENDING_SESSION_KEY, None)
    return result


def status(user):
    """What the profile page shows."""
    device = totp_device(user)
    return {
        "enabled": device is not None,
        "since": device.created_at if device else None,
        "recovery_codes_left": recovery_codes_left(user) if device else 0,
        "required": is_required_for(user),
    }
