import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from ptce_ami.accounts import two_factor

# A session's inactivity deadline is pushed back at most once a minute: not a database write on every request.
RENEWAL_INTERVAL = 60
LAST_RENEWED = "_inactivity_renewed_at"


def renew(session, user):
    session[LAST_RENEWED] = int(time.time())
    session.set_expiry(user.session_inactivity_limit)


@receiver(user_logged_in, dispatch_uid="accounts_session_inactivity_limit")
def set_inactivity_limit_at_login(sender, request, user, **kwargs):
    renew(request.session, user)


class SessionExpiryMiddleware:
    """Sessions end after inactivity: 30 minutes for staff and regional partners, 2 hours for the others
    (User.session_inactivity_limit). Each request of a logged-in user pushes the deadline back (at most once a
    minute, so that browsing does not write the session on every page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        # Only a user logged in by this session: an API call authenticated by its token has no session to extend.
        if user is not None and user.is_authenticated and SESSION_KEY in request.session:
            session = request.session
            stale = time.time() - session.get(LAST_RENEWED, 0) >= RENEWAL_INTERVAL
            if stale or session.get_expiry_age() != user.session_inactivity_limit:
                renew(session, user)
        return response


# What a session that still owes its second factor may open: the second-factor pages themselves, logging out, and the
# public pages its footer links to.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:two_factor_enrol",
    "accounts:two_factor_verify",
    "accounts:logout",
    "accounts:language",
    "healthz",
    "site:accessibility",
    "site:legal_notice",
    "site:personal_data",
}


def open_before_second_factor(request):
    if request.path_info.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 anyway
    return match.view_name in OPEN_BEFORE_SECOND_FACTOR


class SecondFactorMiddleware:
    """A signed-in session that owes a second factor goes to it before anything else (accounts.two_factor): to
    verification when the account has one (every role), to enrolment when its role requires one and it has none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # Only a user logged in by this session: an API call authenticated by its token has no session.
        if (
            user is not None
            and user.is_authenticated
            and SESSION_KEY in request.session
            and two_factor.needs_second_factor(request)
            and not open_before_second_factor(request)
        ):
            return redirect(two_factor.next_step_url(user, request.get_full_path()))
        return self.get_response(request)
