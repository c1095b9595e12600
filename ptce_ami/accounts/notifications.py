from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ptce_ami.accounts.tokens import make_email_token
from ptce_ami.core.emails import absolute_url, send_email


def send_confirmation_email(user):
    link = absolute_url(reverse("accounts:confirm_email", kwargs={"token": make_email_token(user)}))
    return send_email("accounts/email/confirm_email", user.email, {"user": user, "link": link})


def send_invitation_email(user, invited_by):
    """Staff created the account: the person chooses a password through a reset link."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = absolute_url(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
    context = {"user": user, "invited_by": invited_by, "link": link}
    return send_email("accounts/email/invitation", user.email, context)
