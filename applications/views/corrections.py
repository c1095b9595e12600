"""Correction requests: staff ask for them (a form), the porteur's owner resubmits; during corrections, only the
named steps of the guided form can be edited (``correction_section`` guards the pages views/steps.py does not).
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.enums import DossierState
from applications.forms.messages import CorrectionRequestForm
from applications.services.corrections import (
    is_late,
    pending_correction,
    request_corrections,
    section_is_open,
    section_steps,
)
from applications.services.steps import STEPS_BY_SLUG, slugs_for
from applications.services.submission import SubmissionRefused, resubmit_dossier
from applications.views.base import can, get_visible_dossier, require_action
from applications.workflow import InvalidTransition
from ptce_ami.core.dates import format_datetime
from ptce_ami.core.redirects import safe_next


def correction_context(dossier):
    """For the porteur's pages: the pending correction request (banner), its steps, whether it is past due, and
    the steps the porteurs may edit."""
    correction = pending_correction(dossier)
    return {
        "correction": correction,
        "correction_steps": section_steps(correction) if correction else [],
        "correction_late": bool(correction and is_late(correction)),
        "open_sections": list(correction.sections) if correction else slugs_for(dossier.phase.kind),
    }


@login_required
@require_http_methods(["GET", "POST"])
def request_corrections_view(request, reference):
    dossier = get_visible_dossier(request, reference)
    if not can(request, "applications.view_as_staff", dossier):
        raise Http404  # a staff page: porteurs and reviewers do not reach it
    back = safe_next(request, dossier.get_absolute_url())
    if not require_action(request, "applications.request_corrections", dossier):
        messages.info(
            request, _("Des corrections ne peuvent être demandées que sur un dossier déposé ou en instruction.")
        )
        return redirect(back)
    form = CorrectionRequestForm(request.POST or None, kind=dossier.phase.kind)
    if form.is_valid():
        try:
            request_corrections(dossier, by=request.user, **form.cleaned_data)
        except InvalidTransition:
            messages.info(request, _("Action déjà effectuée : ce dossier n'est plus déposé ni en instruction."))
        else:
            messages.success(request, _("La demande de corrections est envoyée au porteur."))
        return redirect(back)
    context = {"dossier": dossier, "form": form, "next": back}
    return render(request, "applications/corrections/request_form.html", context)


@login_required
@require_POST
def resubmit(request, reference):
    dossier = get_visible_dossier(request, reference)
    if not require_action(request, "applications.resubmit_dossier", dossier):
        messages.info(request, _("Action déjà effectuée : ce dossier est déjà déposé à nouveau."))
        return redirect(dossier)
    try:
        version = resubmit_dossier(dossier, by=request.user)
    except SubmissionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("applications:summary", reference=dossier.reference)
    except InvalidTransition:
        messages.info(request, _("Action déjà effectuée : ce dossier est déjà déposé à nouveau."))
        return redirect(dossier)
    messages.success(
        request,
        _(
            "Votre dossier corrigé est déposé le %(when)s (heure de Paris). L'accusé de réception de cette nouvelle "
            "version vous est envoyé par courriel."
        )
        % {"when": format_datetime(version.submitted_at, seconds=True)},
    )
    return redirect(dossier)


def locked_section_response(request, dossier, slug):
    """An editor on a step the correction request does not name: 403 on writes, back to the page otherwise."""
    message = _(
        "L'étape « %(title)s » n'est pas concernée par la demande de corrections : elle ne peut pas être modifiée."
    ) % {"title": STEPS_BY_SLUG[slug].title}
    if request.method == "POST":
        raise PermissionDenied(message)
    messages.info(request, message)
    return redirect(dossier)


def closed_section(request, dossier, slug):
    """None when ``request.user`` may go on editing step ``slug``, else the response that says no.

    Only the porteurs of a dossier in corrections are concerned: every other case is left to the page's own
    checks (drafts, submitted dossiers, read-only roles).
    """
    if dossier.state != DossierState.CORRECTIONS_REQUESTED or not can(
        request, "applications.edit_as_porteur", dossier
    ):
        return None
    if section_is_open(dossier, slug, pending_correction(dossier)):
        return None
    return locked_section_response(request, dossier, slug)


def correction_section(slug):
    """Decorate a dossier page of step ``slug`` (urls.py: the attachments pages) with ``closed_section``."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, reference, *args, **kwargs):
            if request.user.is_authenticated:
                response = closed_section(request, get_visible_dossier(request, reference), slug)
                if response is not None:
                    return response
            return view(request, reference, *args, **kwargs)

        return wrapper

    return decorator
