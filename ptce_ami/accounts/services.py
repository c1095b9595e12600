"""Account actions called by the views."""

from django.db import IntegrityError, transaction

from ptce_ami.accounts.models import User
from ptce_ami.accounts.notifications import send_confirmation_email, send_signup_attempt_email


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
