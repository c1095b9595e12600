"""ProConnect's pages: the start of the login, the provider's return, and the logout that ends the ProConnect session
too (ptce_ami.accounts.proconnect says what is allowed). Every URL answers 404 while ProConnect is not configured.

No form of ours ever posts to the provider: the button is a link, and the logout goes through a page of ours that
sends the browser on. A redirect chain that starts with a form submission is checked by the browser against the
page's CSP ``form-action 'self'`` at every hop, and ProConnect's logout goes on to the agent's identity provider,
whose address nobody knows in advance.
"""

import logging

import jwt
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from ptce_ami.accounts import proconnect
from ptce_ami.core import audit, redirects
from ptce_ami.core.models import AuditAction, AuditOutcome

logger = logging.getLogger(__name__)


def require_enabled():
    if not proconnect.is_enabled():
        raise Http404


def back_to_login(request, message, reason, email=""):
    audit.record(
        AuditAction.LOGIN_FAILED,
        request=request,
        outcome=AuditOutcome.DENIED if reason in ("unknown", "porteur", "no_email") else AuditOutcome.FAILURE,
        actor_label=email,
        details={"method": "proconnect", "reason": reason},
    )
    messages.error(request, message)
    return redirect("accounts:login")


def provider_down_message():
    return _(
        "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre "
        "adresse électronique et votre mot de passe."
    )


class ProConnectLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to ProConnect's authorization endpoint, with a fresh state and nonce kept in the session."""

    get_settings = staticmethod(proconnect.oidc_setting)

    def __init__(self, **kwargs):
        # The parent reads the endpoint from the settings here; it is found by discovery in get().
        View.__init__(self, **kwargs)

    def get(self, request):
        require_enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = proconnect.endpoint("authorization_endpoint")
        except proconnect.ProviderUnavailable:
            return back_to_login(request, provider_down_message(), "provider_down")
        self.OIDC_RP_CLIENT_ID = settings.PROCONNECT_CLIENT_ID
        return super().get(request)


def refusal_message(reason, email):
    if reason == "unknown":
        return _(
            "Aucun compte de la plateforme n'est associé à l'adresse %(email)s. ProConnect ne crée pas de compte : "
            "demandez à l'équipe de l'AMI PTCE de vous inviter avec cette adresse, ou connectez-vous avec votre mot "
            "de passe."
        ) % {"email": email}
    if reason == "porteur":
        return _(
            "ProConnect est réservé aux agents, aux évaluateurs et aux partenaires de l'AMI. Les porteurs de projet "
            "se connectent avec leur adresse électronique et leur mot de passe."
        )
    return _(
        "ProConnect n'a pas transmis votre adresse électronique : la plateforme ne peut pas retrouver votre compte. "
        "Connectez-vous avec votre adresse électronique et votre mot de passe."
    )


@require_GET
def proconnect_callback(request):
    """ProConnect sends the browser back here with a code (or an error) and the state."""
    require_enabled()
    states = request.session.get("oidc_states")
    states = states if isinstance(states, dict) else {}
    state = request.GET.get("state", "")
    if request.GET.get("error"):
        if state in states:
            del states[state]
            request.session["oidc_states"] = states
        return back_to_login(
            request, _("La connexion avec ProConnect n'a pas abouti. Vous pouvez réessayer."), "provider_error"
        )
    if not state or state not in states or not request.GET.get("code"):
        return back_to_login(
            request,
            _(
                "La connexion avec ProConnect a expiré ou n'a pas été demandée depuis ce navigateur. Recommencez en "
                "cliquant sur « S'identifier avec ProConnect »."
            ),
            "state",
        )
    # A state is used once: removed before the code is exchanged, whatever happens next.
    entry = states.pop(state)
    request.session["oidc_states"] = states
    next_url = request.session.pop("oidc_login_next", None)
    backend = proconnect.ProConnectBackend()
    failed = _("ProConnect n'a pas pu confirmer votre identité. Vous pouvez réessayer.")
    try:
        user = backend.authenticate(
            request, proconnect_flow=True, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
        )
    except proconnect.Refused as refusal:
        return back_to_login(request, refusal_message(refusal.reason, refusal.email), refusal.reason, refusal.email)
    except proconnect.ProviderUnavailable:
        return back_to_login(request, provider_down_message(), "provider_down")
    except (SuspiciousOperation, jwt.PyJWTError) as error:
        logger.warning("ProConnect login refused: %s", error)
        return back_to_login(request, failed, "invalid_token")
    if user is None or not user.is_active:
        return back_to_login(request, failed, "invalid_token")
    auth.login(request, user, backend=proconnect.BACKEND_PATH)
    # After login(), which may have started a new session: what the logout and the second factor need.
    request.session[proconnect.SESSION_ID_TOKEN] = backend.id_token
    proconnect.mark_second_factor(request.session, backend.id_token_claims or {})
    # mozilla-django-oidc checked the host only: a bare word ("12") would be taken for a URL name by redirect().
    return redirect(redirects.safe_path(request, next_url, settings.LOGIN_REDIRECT_URL))


def end_proconnect_session(request):
    """Log the user out here and, when the session came through ProConnect, send the browser on to end the
    ProConnect session too (RP-initiated logout: the provider's end-session endpoint with the ID token, then back).
    Returns the response to give, or None when the session did not come through ProConnect (nothing done)."""
    id_token = request.session.get(proconnect.SESSION_ID_TOKEN)
    if not id_token or not proconnect.is_enabled():
        return None
    auth.logout(request)
    done = request.build_absolute_uri(reverse("accounts:proconnect_logout_done"))
    end_session = proconnect.logout_url(request, id_token, done)
    if end_session is None:
        messages.warning(
            request,
            _(
                "Vous êtes déconnecté de la plateforme. ProConnect ne répond pas : fermez votre navigateur pour "
                "terminer aussi votre session ProConnect."
            ),
        )
        return redirect(settings.LOGOUT_REDIRECT_URL)
    request.session[proconnect.SESSION_LOGOUT_URL] = end_session
    return redirect("accounts:proconnect_logout")


class LogoutView(auth_views.LogoutView):
    """The site's logout; for a user who came through ProConnect, the ProConnect session ends too."""

    def post(self, request, *args, **kwargs):
        return end_proconnect_session(request) or super().post(request, *args, **kwargs)


@require_GET
def proconnect_logout(request):
    """A page of ours that sends the browser on to ProConnect's end-session endpoint (see the module's docstring)."""
    require_enabled()
    end_session = request.session.pop(proconnect.SESSION_LOGOUT_URL, None)
    if not end_session:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/proconnect_logout.html", {"end_session_url": end_session})


@require_GET
def proconnect_logout_done(request):
    """ProConnect sends the browser back here once its session has ended."""
    require_enabled()
    expected = request.session.pop(proconnect.SESSION_LOGOUT_STATE, None)
    if expected and constant_time_compare(expected, request.GET.get("state", "")):
        messages.success(request, _("Vous êtes déconnecté de la plateforme et de ProConnect."))
    return redirect(settings.LOGOUT_REDIRECT_URL)
