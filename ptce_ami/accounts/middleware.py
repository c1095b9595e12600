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


def keeps_deadline(view):
    """Marks a view whose requests must not push the session's deadline back (the script that asks how long the
    session has left: asking is not activity)."""
    view.keeps_session_deadline = True
    return view


def seconds_left(request):
    """How many seconds the signed-in session of this request has left before it ends for inactivity, from its last
    renewal (stored in the session, never from the client); None without such a session. Every save of the session
    renews it (SessionExpiryMiddleware), so the stored time is when the session was last saved."""
    user = getattr(request, "user", None)
    # No session on a page answered before the session middleware (a refused oversized request).
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated or SESSION_KEY not in session:
        return None
    renewed_at = session.get(LAST_RENEWED)
    if renewed_at is None:
        return session.get_expiry_age()
    return max(0, int(renewed_at + user.session_inactivity_limit - time.time()))


@receiver(user_logged_in, dispatch_uid="accounts_session_inactivity_limit")
def set_inactivity_limit_at_login(sender, request, user, **kwargs):
    renew(request.session, user)


class SessionExpiryMiddleware:
    """Sessions end after inactivity: 30 minutes for staff and regional partners, 2 hours for the others
    (User.session_inactivity_limit). Each request of a logged-in user pushes the deadline back (at most once a
    minute, so that browsing does not write the session on every page), before its view, so that the page tells
    the deadline it leaves (seconds_left, read by the session-timeout dialog); a view marked keeps_deadline does
    not. A session saved for another reason is renewed too: the renewal time stays the last save's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "keeps_session_deadline", False):
            self.renew_if_due(request, force=hasattr(request, "session") and request.session.modified)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "keeps_session_deadline", False):
            request.keeps_session_deadline = True
        else:
            self.renew_if_due(request)

    @staticmethod
    def renew_if_due(request, force=False):
        user = getattr(request, "user", None)
        # Only a user logged in by this session: an API call authenticated by its token has no session to extend.
        if user is not None and user.is_authenticated and SESSION_KEY in request.session:
            session = request.session
            stale = time.time() - session.get(LAST_RENEWED, 0) >= RENEWAL_INTERVAL
            if force or stale or session.get_expiry_age() != user.session_inactivity_limit:
                renew(session, user)


# What a session that still owes its second factor may open: the second-factor pages themselves, logging out, and the
# public pages its footer links to.
OPEN_BEFORE_SECOND_FACTOR = {
    "accounts:two_factor_enrol",
    "accounts:two_factor_verify",
    "accounts:logout",
    "accounts:language",
    # The session-timeout dialog: a session owing its code may be kept alive (any page of the step renews it
    # anyway; this opens nothing else), and the enrolment's QR code and recovery codes take time.
    "accounts:session_keepalive",
    "accounts:session_status",
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
        if two_factor.owes_second_factor(request) and not open_before_second_factor(request):
            return redirect(two_factor.next_step_url(request.user, request.get_full_path()))
        return self.get_response(request)
