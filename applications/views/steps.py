"""The guided form: one page per step, saved on its own; members and co-editors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.forms.dossiers import STEP_FORMS, InvitationForm, LeadForm, MemberForm
from applications.services import completeness
from applications.services import dossiers as dossier_services
from applications.services.dossiers import DossierNotEditable, EditConflict, InvitationError, not_editable_message
from applications.services.steps import dossier_steps, get_step, next_step, previous_step
from applications.views.base import can, get_visible_dossier, is_fetch, require_action, require_perm
from applications.views.corrections import closed_section, correction_context
from ptce_ami.core.companies import lookup_siret
from ptce_ami.core.dates import format_datetime


def editable_dossier(request, reference, section=None, dossier=None):
    """The dossier for an editing page: 404 if unseen, back to its page if no longer editable, 403 if read-only.

    During corrections, a ``section`` (step slug) the request does not name is read-only: 403 on POST, back to
    the dossier's page with a message otherwise.
    """
    dossier = dossier or get_visible_dossier(request, reference)
    if require_action(request, "applications.change_dossier", dossier):
        return dossier, section and closed_section(request, dossier, section)
    return dossier, not_editable_response(request, dossier)


def combined_media(forms):
    media = forms[0].media
    for form in forms[1:]:
        media += form.media
    return media


def step_context(dossier, step, **extra):
    members, attachments = dossier.loaded_parts()
    missing = completeness.missing_items(dossier, members, attachments)
    incomplete_steps = {item.step for item in missing}
    kind = dossier.phase.kind
    context = {
        "dossier": dossier,
        "step": step,
        "steps": dossier_steps(dossier),
        "incomplete_steps": incomplete_steps,
        **correction_context(dossier),
        "next_step": next_step(step, kind),
        "previous_step": previous_step(step, kind),
        **extra,
    }
    if "forms" in extra:
        context["media"] = combined_media(extra["forms"])
        # The lead structure comes first on its step; the form holding the fingerprint stays forms[0].
        context["display_forms"] = list(reversed(extra["forms"])) if step.lead else extra["forms"]
        for form in context["display_forms"][1:]:
            form.helper.dsfr_required_notice = False
    elif "form" in extra:
        context["media"] = extra["form"].media
    return context


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, reference, step):
    dossier = get_visible_dossier(request, reference)
    try:
        step = get_step(step, dossier.phase.kind)
    except KeyError:
        raise Http404 from None
    if step.kind == "members":
        return redirect("applications:members", reference=reference)
    if step.kind == "attachments":
        return redirect("applications:attachments", reference=reference)
    if step.kind in ("budget", "grant"):
        return redirect(f"applications:{step.kind}", reference=reference)
    dossier, response = editable_dossier(request, reference, step.slug, dossier=dossier)
    if response:
        return response
    if request.method == "POST":
        return save_step(request, dossier, step)
    forms = build_forms(dossier, step)
    forms[0].initial["fingerprint"] = dossier_services.step_fingerprint(dossier, step)
    return render(request, "applications/step_form.html", step_context(dossier, step, forms=forms))


def build_forms(dossier, step, data=None):
    forms = [STEP_FORMS[step.slug](data, instance=dossier)]
    if step.lead:
        forms.append(LeadForm(data, instance=dossier_services.lead_member(dossier)))
    return forms


def save_step(request, dossier, step):
    forms = build_forms(dossier, step, request.POST)
    all_valid = all([form.is_valid() for form in forms])
    try:
        new_fingerprint = dossier_services.save_step(
            dossier,
            step,
            forms[0].valid_data(),
            lead_data=forms[1].valid_data() if step.lead else None,
            by=request.user,
            expected_fingerprint=forms[0].cleaned_data.get("fingerprint", ""),
        )
    except EditConflict as conflict:
        return conflict_response(request, dossier, step, forms, conflict)
    except DossierNotEditable:
        return not_editable_response(request, dossier)
    if is_fetch(request):
        return autosave_response(forms, new_fingerprint)
    dossier.refresh_from_db()
    missing_here = step_missing_items(dossier, step)
    if not all_valid or missing_here:
        return saved_with_remarks(request, dossier, step, forms, new_fingerprint, all_valid, missing_here)
    messages.success(request, _("Étape « %(title)s » enregistrée.") % {"title": step.title})
    return redirect(following_url(request, dossier, step))


def following_url(request, dossier, step):
    following = next_step(step, dossier.phase.kind)
    if "save_next" in request.POST and following:
        return reverse("applications:step", kwargs={"reference": dossier.reference, "step": following.slug})
    if "save_next" in request.POST:
        return reverse("applications:summary", kwargs={"reference": dossier.reference})
    return reverse("applications:step", kwargs={"reference": dossier.reference, "step": step.slug})


def step_missing_items(dossier, step):
    return [item for item in completeness.missing_items(dossier, *dossier.loaded_parts()) if item.step == step.slug]


def saved_with_remarks(request, dossier, step, forms, new_fingerprint, all_valid, missing_here):
    """The step again after a save that kept the draft but left something to fix or to fill before submission:
    the errors and the fields still needed are said at each field; the porteur chooses to go on."""
    forms[0].data = forms[0].data.copy()
    forms[0].data["fingerprint"] = new_fingerprint
    mark_missing_fields(forms, missing_here)
    if not all_valid:
        messages.warning(request, _("Les champs valides sont enregistrés ; corrigez ceux qui sont signalés."))
    context = step_context(dossier, step, forms=forms, missing_here=missing_here)
    if "save_next" in request.POST:
        context["continue_url"] = following_url(request, dossier, step)
    return render(request, "applications/step_form.html", context)


def mark_missing_fields(forms, missing_here):
    """A warning at each field the completeness check names (its anchor is the field's id, or its first
    choice's): the draft is saved, the field is needed to submit."""
    anchors = {item.anchor for item in missing_here if item.anchor}
    for form in forms:
        form.field_warnings = {}
        for name in form.fields:
            field_id = form[name].auto_id
            if field_id and any(anchor == field_id or anchor.startswith(f"{field_id}_") for anchor in anchors):
                form.field_warnings[name] = [_("À remplir pour pouvoir déposer le dossier.")]


def autosave_response(forms, new_fingerprint):
    errors = {}
    for form in forms:
        errors.update({form.add_prefix(name): [str(e) for e in errs] for name, errs in form.errors.items()})
    return JsonResponse(
        {
            "status": "saved",
            "fingerprint": new_fingerprint,
            "saved_at": format_datetime(timezone.now()),
            "errors": errors,
        }
    )


def conflict_message(request, conflict):
    when = format_datetime(conflict.edited_at)
    if conflict.edited_by == request.user:
        return _(
            "Vous avez enregistré cette partie du dossier le %(when)s dans un autre onglet ou une autre fenêtre. "
            "Cette saisie-ci n'a pas été enregistrée ; comparez-la avec la version enregistrée ci-dessous."
        ) % {"when": when}
    editor = conflict.edited_by.get_full_name() if conflict.edited_by else _("une autre personne")
    return _(
        "%(editor)s a enregistré cette partie du dossier le %(when)s, après que vous l'avez ouverte. Votre saisie "
        "n'a pas été enregistrée ; comparez-la avec la version enregistrée ci-dessous."
    ) % {"editor": editor, "when": when}


def conflict_response(request, dossier, step, forms, conflict):
    message = conflict_message(request, conflict)
    if is_fetch(request):
        return JsonResponse({"status": "conflict", "message": message}, status=409)
    dossier.refresh_from_db()  # validating the forms wrote the typed values on it: the page names the saved ones
    context = step_context(
        dossier, step, forms=forms, conflict_message=message, conflict_fields=conflict_fields(forms, conflict)
    )
    forms[0].data = forms[0].data.copy()
    forms[0].data["fingerprint"] = conflict.fingerprint
    return render(request, "applications/step_form.html", context, status=409)


def conflict_fields(forms, conflict):
    """The fields whose saved value differs from what this person typed: label, saved value, typed value."""
    rows = []
    saved = {**conflict.current_values, **{f"lead-{k}": v for k, v in conflict.current_values.get("lead", {}).items()}}
    for form in forms:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            if name == "fingerprint" or key not in saved:
                continue
            typed = form.data.get(key, "")
            if str(saved[key] or "") != str(typed or ""):
                rows.append({"label": field.label, "saved": saved[key], "typed": typed})
    return rows


def not_editable_response(request, dossier):
    message = not_editable_message(dossier)
    if is_fetch(request):
        return JsonResponse({"status": "locked", "message": message}, status=403)
    if not dossier.is_closed_draft():  # a closed draft's page says so in its header already
        messages.info(request, message)
    return redirect(dossier)


# Members -----------------------------------------------------------------------------------------------------

MEMBERS = "membres"


def members_step(dossier):
    return get_step(MEMBERS, dossier.phase.kind)


@login_required
def members(request, reference):
    dossier, response = editable_dossier(request, reference, MEMBERS)
    if response:
        return response
    member_list = dossier.members.select_related("commune__departement").prefetch_related("attachments")
    context = step_context(dossier, members_step(dossier), members=member_list)
    return render(request, "applications/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request, reference):
    dossier, response = editable_dossier(request, reference, MEMBERS)
    if response:
        return response
    form = MemberForm(request.POST or None, dossier=dossier)
    if request.method == "POST" and "lookup" in request.POST:
        return member_lookup(request, dossier, form)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in MemberForm._meta.fields}
        member = dossier_services.add_member(dossier, data, by=request.user)
        messages.success(request, _("%(name)s est ajoutée aux membres du pôle.") % {"name": member.name})
        return redirect("applications:members", reference=dossier.reference)
    return render(request, "applications/member_form.html", step_context(dossier, members_step(dossier), form=form))


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request, reference, member_id):
    dossier, response = editable_dossier(request, reference, MEMBERS)
    if response:
        return response
    member = get_object_or_404(dossier.members.select_related("commune"), pk=member_id)
    if member.is_lead:
        return redirect("applications:step", reference=dossier.reference, step="porteur")
    form = MemberForm(request.POST or None, instance=member, dossier=dossier)
    if request.method == "GET":
        form.initial["fingerprint"] = dossier_services.member_fingerprint(member)
    elif "lookup" in request.POST:
        return member_lookup(request, dossier, form)
    elif form.is_valid():
        data = {name: form.cleaned_data[name] for name in MemberForm._meta.fields}
        try:
            dossier_services.update_member(
                member, data, by=request.user, expected_fingerprint=form.cleaned_data["fingerprint"]
            )
        except EditConflict as conflict:
            editor = conflict.edited_by.get_full_name() if conflict.edited_by else _("une autre personne")
            form.add_error(
                None,
                _(
                    "%(editor)s a modifié cette structure le %(when)s : rechargez la page pour voir "
                    "sa version, puis reportez vos changements."
                )
                % {"editor": editor, "when": format_datetime(conflict.edited_at)},
            )
        else:
            messages.success(request, _("%(name)s est enregistrée.") % {"name": member.name})
            return redirect("applications:members", reference=dossier.reference)
    context = step_context(dossier, members_step(dossier), form=form, member=member)
    return render(request, "applications/member_form.html", context)


def member_lookup(request, dossier, form):
    """Prefill name and commune from the SIRET (Recherche d'entreprises); manual entry goes on when it fails."""
    form.is_valid()
    data = form.data.copy()
    siret = form.cleaned_data.get("siret")
    if siret:
        result = lookup_siret(siret)
        if result.found:
            data["name"] = data.get("name") or result.company.name
            data["commune"] = data.get("commune") or result.company.commune_code
            messages.info(request, _("Informations trouvées dans l'annuaire des entreprises : vérifiez-les."))
        elif result.degraded:
            messages.warning(request, _("L'annuaire des entreprises ne répond pas : saisissez les informations."))
        else:
            messages.warning(request, _("Aucune entreprise trouvée pour ce SIRET : saisissez les informations."))
    form = MemberForm(data, instance=form.instance, dossier=dossier)
    form.is_valid()
    for name in [name for name in form.errors if name != "siret"]:
        del form.errors[name]  # only the SIRET was asked about: the rest is still being typed
    if not siret and "siret" not in form.errors:
        form.add_error("siret", _("Saisissez le SIRET à rechercher."))
    context = step_context(dossier, members_step(dossier), form=form, member=form.instance.pk and form.instance)
    return render(request, "applications/member_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_delete(request, reference, member_id):
    dossier, response = editable_dossier(request, reference, MEMBERS)
    if response:
        return response
    member = get_object_or_404(dossier.members, pk=member_id)
    if member.is_lead:
        raise Http404
    if request.method == "POST":
        dossier_services.remove_member(member, by=request.user)
        messages.success(request, _("%(name)s est retirée des membres du pôle.") % {"name": member.name})
        return redirect("applications:members", reference=dossier.reference)
    context = step_context(dossier, members_step(dossier), member=member)
    return render(request, "applications/member_confirm_delete.html", context)


# Co-editors --------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def coeditors(request, reference):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "applications.edit_as_porteur", dossier)
    can_invite = can(request, "applications.invite_coeditor", dossier)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "applications.invite_coeditor", dossier)
        if form.is_valid():
            try:
                dossier_services.invite_coeditor(dossier, form.cleaned_data["email"], by=request.user)
            except InvitationError as error:
                form.add_error("email", str(error))
            else:
                messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": form.cleaned_data["email"]})
                return redirect("applications:coeditors", reference=dossier.reference)
    invitations = dossier.invitations.select_related("invited_by")
    context = {"dossier": dossier, "form": form, "can_invite": can_invite, "invitations": invitations}
    return render(request, "applications/coeditors.html", context)


@login_required
@require_POST
def coeditor_delete(request, reference, invitation_id):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "applications.invite_coeditor", dossier)
    invitation = get_object_or_404(dossier.invitations, pk=invitation_id)
    dossier_services.remove_invitation(invitation)
    messages.success(request, _("%(email)s ne peut plus modifier le dossier.") % {"email": invitation.email})
    return redirect("applications:coeditors", reference=dossier.reference)
