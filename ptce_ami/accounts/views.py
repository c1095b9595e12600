from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ptce_ami.accounts import (
    forms,
    language,
    middleware,
    permissions,
    proconnect,
    proconnect_views,
    services,
    two_factor,
)
from ptce_ami.accounts.models import ApiCall, User
from ptce_ami.accounts.notifications import send_confirmation_email
from ptce_ami.accounts.tokens import read_email_token
from ptce_ami.core.redirects import safe_next

BACKEND = "ptce_ami.accounts.backends.EmailBackend"


def throttled_page(request, template_name, form, context=None):
    """The form's page again, with the throttling message next to the e-mail field, as HTTP 429."""
    form.is_valid()
    form.add_error("email", services.throttled_message())
    return render(request, template_name, {**(context or {}), "form": form}, status=429)


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("site:dashboard")
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and services.form_throttled(request, "signup", request.POST.get("email", "")):
        return throttled_page(request, "accounts/signup.html", form)
    if form.is_valid():
        # The same answer whether the address has an account or not: its owner is e-mailed instead.
        services.sign_up(form.save(commit=False))
        request.session["signup_email"] = form.cleaned_data["email"]
        request.session["signup_resent"] = False
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form})


def signup_done(request):
    context = {
        "email": request.session.get("signup_email", ""),
        "resent": request.session.get("signup_resent", True),
    }
    return render(request, "accounts/signup_done.html", context)


def confirm_email(request, token):
    try:
        user_id, email = read_email_token(token)
        user = User.objects.get(pk=user_id, email=email, is_active=True)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "accounts/confirm_email_invalid.html", {"form": forms.EmailForm()}, status=400)
    if user.email_confirmed:
        # The link logs in once, when it confirms: used again (a forwarded e-mail, a shared computer) within its
        # lifetime, it would open the account to whoever holds it, without the password.
        messages.info(request, _("Votre adresse est déjà confirmée : connectez-vous avec votre mot de passe."))
        return redirect("accounts:login")
    user.confirm_email()
    login(request, user, backend=BACKEND)
    messages.success(request, _("Votre adresse est confirmée. Bienvenue sur la plateforme de l'AMI PTCE."))
    return redirect("site:dashboard")


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    form = forms.EmailForm(request.POST if request.method == "POST" else None, submit_label=_("Renvoyer le lien"))
    if request.method == "POST" and services.form_throttled(request, "resend", request.POST.get("email", "")):
        return throttled_page(request, "accounts/resend_confirmation.html", form)
    if form.is_valid():
        user = User.objects.filter(email__iexact=form.cleaned_data["email"], is_active=True).first()
        if user and not user.email_confirmed:
            send_confirmation_email(user)
        # Same answer whether the account exists or not: the form must not reveal who is registered.
        request.session["signup_email"] = form.cleaned_data["email"]
        request.session["signup_resent"] = True
        return redirect("accounts:signup_done")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


class LoginView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        # The password is the first factor: an account that has (or must have) a second one goes to it, with the
        # page asked for (already checked by get_redirect_url) kept for afterwards.
        url = super().get_success_url()
        if two_factor.needs_second_factor(self.request):
            return two_factor.next_step_url(self.request.user, url)
        return url

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "proconnect_enabled": proconnect.is_enabled()}


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset_body.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        if services.form_throttled(request, "password_reset", request.POST.get("email", "")):
            return throttled_page(request, self.template_name, self.get_form(), self.get_context_data())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # Links in e-mails use the public address of the service, not the Host header of the request.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        # Following a reset link proves the address, like the confirmation link does.
        if not self.user.email_confirmed:
            form.user.email_confirmed_at = timezone.now()
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Votre mot de passe a été changé."))
        return super().form_valid(form)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Vos informations ont été enregistrées."))
        return redirect("accounts:profile")
    context = {"form": form, "two_factor": two_factor.status(request.user)}
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def log_out_everywhere(request):
    """End every session of the account, on every device, this one included."""
    request.user.end_all_sessions()
    # A session that came through ProConnect ends the ProConnect session too, then comes back to the home page.
    response = proconnect_views.end_proconnect_session(request)
    if response is None:
        logout(request)
    messages.success(request, _("Vous êtes déconnecté sur tous vos appareils."))
    return response or redirect("accounts:login")


# The session-timeout dialog (templates/includes/session_timeout.html, static/js/session-timeout.js) -------------

SECONDS_LEFT_HEADER = "X-Session-Seconds-Left"


@require_POST
@login_required
def session_keepalive(request):
    """« Rester connecté »: the session's inactivity deadline starts again from now. The dialog's script gets a 204
    that says the time the session now has left; without a script, the form comes back to its page."""
    middleware.renew(request.session, request.user)
    if request.headers.get("X-Requested-With") == "fetch":
        response = HttpResponse(status=204)
        response[SECONDS_LEFT_HEADER] = request.user.session_inactivity_limit
        return response
    return redirect(safe_next(request, reverse("site:home")))


@require_GET
@middleware.keeps_deadline
def session_status(request):
    """How long the session has left, for the dialog's script before it warns (another tab may have renewed the
    session): asking does not renew it. An ended session, or none, has 0 seconds left."""
    return JsonResponse({"seconds_left": middleware.seconds_left(request) or 0})


@require_POST
def set_language(request):
    """The header's language switcher: the page comes back in the chosen language, which this browser and, when
    signed in, the account keep (e-mails and PDF notices follow the account's)."""
    back = safe_next(request, reverse("site:home"))
    form = forms.LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cette langue n'est pas proposée."))
        return redirect(back)
    chosen = form.cleaned_data["language"]
    translation.activate(chosen)
    response = redirect(back)
    language.remember(request, response, chosen)
    return response


# Personal API tokens -------------------------------------------------------------------------------------------

TOKENS_SHOWN = 50
CALLS_SHOWN = 20


def require_api_access(request):
    permissions.require_perm(request.user, "accounts.use_api")


def api_tokens_page(request, form, secret=None, created=None):
    user = request.user
    context = {
        "form": form,
        "tokens": list(user.api_tokens.all()[:TOKENS_SHOWN]),
        "calls": list(ApiCall.objects.filter(user=user).select_related("token")[:CALLS_SHOWN]),
        "secret": secret,
        "created": created,
        "now": timezone.now(),
    }
    response = render(request, "accounts/api_tokens.html", context)
    # The secret is shown once: never kept by a cache or the browser's history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The user's API tokens: create one (its secret shown once, on this answer only), list and revoke them, and the
    latest calls made with them."""
    require_api_access(request)
    form = forms.ApiTokenForm(request.POST or None)
    if form.is_valid():
        token, secret = services.create_api_token(
            request.user, name=form.cleaned_data["name"], days=form.cleaned_data["lifetime"]
        )
        return api_tokens_page(request, forms.ApiTokenForm(), secret=secret, created=token)
    return api_tokens_page(request, form)


@login_required
@require_POST
def revoke_api_token(request, token_id):
    require_api_access(request)
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    services.revoke_api_token(token)
    messages.success(
        request, _("Le jeton « %(name)s » est révoqué : il ne donne plus accès à l'API.") % {"name": token.name}
    )
    return redirect("accounts:api_tokens")
