"""E-mails of the accounts app, through the outbox (templates/accounts/email/<name>_*).

Each new link is a new message: the key carries a digest of the link's token (never the token itself, which
signs the person in), so asking twice in the same second gives one message, and a new request another.
"""

import hashlib

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ptce_ami.accounts.tokens import make_email_token
from ptce_ami.core.emails import absolute_url
from ptce_ami.core.outbox import queue_email


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()[:24]


def send_confirmation_email(user):
    token = make_email_token(user)
    link = absolute_url(reverse("accounts:confirm_email", kwargs={"token": token}))
    return queue_email(
        "accounts/email/confirm_email",
        user.email,
        {"user": user, "link": link},
        key=f"confirm:{user.pk}:{token_digest(token)}",
        related=user,
    )


def send_signup_attempt_email(user):
    """Someone signed up with the address of ``user``'s account: how to sign in or reset the password, and the
    confirmation link when the address is not confirmed yet. Nothing the person signing up typed goes in it."""
    token = make_email_token(user)
    context = {
        "user": user,
        "login_link": absolute_url(reverse("accounts:login")),
        "reset_link": absolute_url(reverse("accounts:password_reset")),
        "confirm_link": ""
        if user.email_confirmed
        else absolute_url(reverse("accounts:confirm_email", kwargs={"token": token})),
    }
    return queue_email(
        "accounts/email/signup_attempt",
        user.email,
        context,
        key=f"signup_attempt:{user.pk}:{token_digest(token)}",
        related=user,
    )


def send_invitation_email(user, invited_by):
    """Staff created the account: the person chooses a password through a reset link."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = absolute_url(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    context = {"user": user, "invited_by": invited_by, "link": link}
    return queue_email(
        "accounts/email/invitation",
        user.email,
        context,
        key=f"invitation:{user.pk}:{token_digest(token)}",
        related=user,
    )


def send_password_reset_email(user, context):
    """The "mot de passe oublié" link; ``context`` is the one Django's PasswordResetForm builds (uid, token…)."""
    return queue_email(
        "accounts/email/password_reset",
        user.email,
        context,
        key=f"password_reset:{user.pk}:{token_digest(context['token'])}",
        related=user,
    )
