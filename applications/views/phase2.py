"""Starting a phase-2 dossier: from a phase-1 laureate's dossier, or by claiming a phase-1 laureate of an earlier
edition (a signed link e-mailed to its contact address)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.forms.phase2 import ClaimForm
from applications.services import phase2
from applications.services.phase2 import Phase2Refused
from applications.views.base import can, get_visible_dossier, require_perm


def phase2_context(request, dossier):
    """For a phase-1 dossier's page (laureate, or filed in an edition whose phase 2 is open): the phase 2 open now
    for it and the dossier already started in it, if any."""
    if not can(request, "applications.start_phase2", dossier):
        return {}
    phase = phase2.phase2_for(dossier)
    started = phase2.continuation(dossier, phase) if phase else None
    return {"phase2_open": phase, "phase2_dossier": started}


def started_response(request, dossier, created):
    if created:
        messages.success(
            request,
            _("Dossier de phase 2 %(reference)s créé et pré-rempli : vérifiez chaque étape et complétez la phase 2.")
            % {"reference": dossier.reference},
        )
    else:
        messages.info(
            request, _("Votre dossier de phase 2 %(reference)s est déjà démarré.") % {"reference": dossier.reference}
        )
    return redirect(dossier)


@login_required
@require_POST
def start(request, reference):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "applications.start_phase2", dossier)
    try:
        new, created = phase2.start_phase2(dossier, request.user)
    except Phase2Refused as refusal:
        messages.error(request, refusal.message)
        return redirect(dossier)
    return started_response(request, new, created)


@login_required
@require_http_methods(["GET", "POST"])
def claim_request(request):
    require_perm(request, "applications.create_dossier")
    form = ClaimForm(request.POST or None)
    phase = phase2.open_phase2()
    if request.method == "POST" and phase and form.is_valid():
        try:
            record = phase2.request_claim(form.cleaned_data["siren"], request.user)
        except Phase2Refused as refusal:
            form.add_error("siren", refusal.message)
        else:
            return render(request, "applications/claim_sent.html", {"record": record})
    return render(request, "applications/claim_request.html", {"form": form, "phase": phase})


@login_required
@require_http_methods(["GET", "POST"])
def claim_confirm(request, token):
    require_perm(request, "applications.create_dossier")
    try:
        record = phase2.record_from_token(token, request.user)
    except Phase2Refused as refusal:
        return render(request, "applications/claim_confirm.html", {"error": refusal.message}, status=400)
    if request.method == "POST":
        try:
            dossier, created = phase2.claim(token, request.user)
        except Phase2Refused as refusal:
            return render(request, "applications/claim_confirm.html", {"error": refusal.message}, status=400)
        return started_response(request, dossier, created)
    context = {"record": record, "phase": phase2.open_phase2()}
    return render(request, "applications/claim_confirm.html", context)
