"""The second-factor pages (accounts.two_factor): enrolment, recovery codes, verification after the password,
disabling."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ptce_ami.accounts import forms, permissions, two_factor
from ptce_ami.accounts.two_factor import Outcome
from ptce_ami.core import redirects

RECOVERY_CODES_FILENAME = "codes-de-secours-ami-ptce.txt"


def safe_next(request):
    """The page asked for before the second factor, if it is one of ours; the dashboard otherwise."""
    return redirects.safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def private(response):
    # Secrets and recovery codes: never kept by a cache or the browser's history.
    response["Cache-Control"] = "private, no-store"
    return response


def refusal_message(result):
    if result.outcome is Outcome.WAIT:
        return ngettext(
            "Trop d'essais rapprochés : patientez %(seconds)d seconde avant un nouvel essai.",
            "Trop d'essais rapprochés : patientez %(seconds)d secondes avant un nouvel essai.",
            result.wait_seconds,
        ) % {"seconds": result.wait_seconds}
    return _("Code incorrect ou déjà utilisé. Vérifiez l'heure de votre téléphone et saisissez le code affiché.")


def locked_page(request, until):
    minutes = max(1, round((until - timezone.now()).total_seconds() / 60)) if until else 1
    return render(request, "accounts/two_factor_locked.html", {"minutes": minutes}, status=429)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    next_url = safe_next(request)
    if two_factor.has_second_factor(request.user):
        messages.info(request, _("La double authentification est déjà activée sur votre compte."))
        return redirect("accounts:profile")
    device = two_factor.pending_device(request.user)
    form = forms.TotpCodeForm(request.POST or None)
    if form.is_valid():
        codes = two_factor.confirm_enrolment(request, device, form.cleaned_data["code"])
        if codes is not None:
            request.session[two_factor.RECOVERY_CODES_SESSION_KEY] = codes
            messages.success(request, _("La double authentification est activée sur votre compte."))
            return redirect(with_next("accounts:two_factor_recovery_codes", next_url))
        form.add_error("code", refusal_message(two_factor.Verification(Outcome.WRONG)))
    context = {
        "form": form,
        "next": next_url,
        "qr_code": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_for_humans(device),
        "required": two_factor.is_required_for(request.user),
    }
    return private(render(request, "accounts/two_factor_enrol.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """The recovery codes just made, shown once: the page stays until the person says they kept them."""
    codes = request.session.get(two_factor.RECOVERY_CODES_SESSION_KEY)
    if not codes:
        messages.info(
            request, _("Vos codes de secours ne sont affichés qu'une fois. Générez-en de nouveaux au besoin.")
        )
        return redirect("accounts:profile")
    next_url = safe_next(request)
    form = forms.RecoveryCodesSavedForm(request.POST or None)
    if form.is_valid():
        del request.session[two_factor.RECOVERY_CODES_SESSION_KEY]
        return redirect(next_url)
    context = {"form": form, "codes": codes, "next": next_url}
    return private(render(request, "accounts/two_factor_recovery_codes.html", context))


@login_required
def recovery_codes_download(request):
    codes = request.session.get(two_factor.RECOVERY_CODES_SESSION_KEY)
    if not codes:
        raise Http404
    lines = [
        _("AMI PTCE — codes de secours de la double authentification"),
        _("Compte : %(email)s") % {"email": request.user.email},
        "",
        *codes,
        "",
        _("Chaque code ne sert qu'une fois, si vous n'avez plus accès à votre application d'authentification."),
    ]
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{RECOVERY_CODES_FILENAME}"'
    return private(response)


@login_required
@require_POST
def regenerate_recovery_codes(request):
    if not (two_factor.has_second_factor(request.user) and two_factor.second_factor_satisfied(request)):
        return redirect("accounts:profile")
    request.session[two_factor.RECOVERY_CODES_SESSION_KEY] = two_factor.regenerate_recovery_codes(request)
    messages.success(request, _("Vos anciens codes de secours ne fonctionnent plus : voici les nouveaux."))
    return redirect(with_next("accounts:two_factor_recovery_codes", reverse("accounts:profile")))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The step after the password, for an account with a second factor."""
    next_url = safe_next(request)
    if two_factor.second_factor_satisfied(request):
        return redirect(next_url)
    if not two_factor.has_second_factor(request.user):
        request.session.pop(two_factor.PENDING_SESSION_KEY, None)
        return redirect(
            with_next("accounts:two_factor_enrol", next_url) if two_factor.is_required_for(request.user) else next_url
        )
    form = forms.SecondFactorForm(request.POST or None)
    if request.method == "POST":
        until = two_factor.locked_until(request.user)
        if until is not None:
            return locked_page(request, until)
        if form.is_valid():
            result = two_factor.verify(request, form.cleaned_data["code"])
            if result.ok:
                announce_recovery_codes_left(request, result)
                return redirect(next_url)
            if result.outcome is Outcome.LOCKED:
                return locked_page(request, two_factor.locked_until(request.user))
            form.add_error("code", refusal_message(result))
    context = {"form": form, "next": next_url, "codes_left": two_factor.recovery_codes_left(request.user)}
    return render(request, "accounts/two_factor_verify.html", context)


def announce_recovery_codes_left(request, result):
    if result.outcome is not Outcome.RECOVERY_CODE:
        return
    left = two_factor.recovery_codes_left(request.user)
    message = ngettext(
        "Code de secours accepté. Il vous en reste %(count)d.",
        "Code de secours accepté. Il vous en reste %(count)d.",
        left,
    ) % {"count": left}
    if left <= 3:
        message += " " + _("Générez de nouveaux codes de secours depuis la page « Mon compte ».")
    messages.warning(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def disable(request):
    permissions.require_perm(request.user, "accounts.disable_second_factor")
    if not two_factor.has_second_factor(request.user):
        return redirect("accounts:profile")
    form = forms.SecondFactorForm(request.POST or None, submit_label=_("Désactiver la double authentification"))
    if request.method == "POST":
        until = two_factor.locked_until(request.user)
        if until is not None:
            return locked_page(request, until)
        if form.is_valid():
            result = two_factor.disable(request, form.cleaned_data["code"])
            if result.ok:
                messages.success(request, _("La double authentification est désactivée sur votre compte."))
                return redirect("accounts:profile")
            if result.outcome is Outcome.LOCKED:
                return locked_page(request, two_factor.locked_until(request.user))
            form.add_error("code", refusal_message(result))
    return render(request, "accounts/two_factor_disable.html", {"form": form})
