"""Signed, expiring links for e-mail confirmation.

The token carries the user id and the address it confirms, so a link sent to an old address stops
working once the address changes; it expires after EMAIL_CONFIRMATION_MAX_AGE seconds.
"""

from django.conf import settings
from django.core import signing

SALT = "ptce_ami.accounts.email-confirmation"


def make_email_token(user):
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SALT, compress=True)


def read_email_token(token):
    """Return (user_id, email), or raise signing.BadSignature (SignatureExpired included)."""
    data = signing.loads(token, salt=SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE)
    return data["u"], data["e"]
