"""The porteur's space: their dossiers, a dossier's page and history, the summary, submit and withdraw."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import eligibility
from applications.enums import DossierState, NoticeKind, NoticeStatus, PhaseKind
from applications.forms.dossiers import WithdrawForm
from applications.models import Dossier, DossierTransition, EligibilityTrigger, Notice, Phase
from applications.services import completeness, snapshots
from applications.services import eligibility as eligibility_services
from applications.services.dossiers import create_dossier
from applications.services.messages import unread_counts, with_awaiting_reply
from applications.services.steps import dossier_steps, steps_for
from applications.services.submission import SubmissionRefused, submit_dossier, withdraw_dossier
from applications.views.base import can, get_visible_dossier, require_action, require_perm
from applications.views.corrections import correction_context
from applications.views.messages import thread_context
from applications.views.phase2 import phase2_context
from applications.workflow import InvalidTransition
from ptce_ami.core import audit
from ptce_ami.core.dates import format_datetime
from ptce_ami.core.downloads import protected_download


def porteur_dossiers(user):
    dossiers = Dossier.objects.editable_by(user).select_related("phase__edition", "owner", "region")
    return with_awaiting_reply(dossiers).order_by("-updated_at")


def open_phases():
    return Phase.objects.published().open_now().select_related("edition").order_by("closes_at")


@login_required
def dossier_list(request):
    dossiers = list(porteur_dossiers(request.user))
    unread = unread_counts(request.user, [dossier.pk for dossier in dossiers])
    for dossier in dossiers:
        dossier.unread_messages = unread.get(dossier.pk, 0)
    phases = list(open_phases())
    context = {
        "dossiers": dossiers,
        "open_phases": phases,
        "can_create": can(request, "applications.create_dossier"),
        # The phase 2 open now, as services.phase2.open_phase2 finds it (the first to close), without a query.
        "phase2_open": next((phase for phase in phases if phase.kind == PhaseKind.PHASE2), None),
    }
    return render(request, "applications/dossier_list.html", context)


@login_required
@require_POST
def dossier_create(request, phase_id):
    require_perm(request, "applications.create_dossier")
    phase = get_object_or_404(Phase.objects.published().select_related("edition"), pk=phase_id)
    if not phase.is_open():
        messages.error(request, _("Cette phase n'est pas ouverte : aucun dossier ne peut y être créé."))
        return redirect("site:dashboard")
    dossier = create_dossier(phase, request.user)
    messages.success(
        request, _("Dossier %(reference)s créé. Il est enregistré à chaque étape.") % {"reference": dossier.reference}
    )
    return redirect("applications:step", reference=dossier.reference, step=steps_for(phase.kind)[0].slug)


def detail_queryset():
    transitions = DossierTransition.objects.select_related("by").order_by("at", "pk")
    notices = Notice.objects.filter(status=NoticeStatus.READY).order_by("kind", "number")
    return Dossier.objects.select_related("phase__edition", "owner", "region", "last_edited_by").prefetch_related(
        "sectors",
        "communes__departement",
        "epcis",
        "departements",
        "invitations",
        Prefetch("transitions", queryset=transitions),
        Prefetch("notices", queryset=notices),
    )


def opinion_url(request, dossier):
    """The State's "Je donne mon avis" form, offered to the porteur once the dossier is submitted (if configured)."""
    if dossier.state != DossierState.SUBMITTED or not can(request, "applications.edit_as_porteur", dossier):
        return ""
    return settings.JE_DONNE_MON_AVIS_URL


@login_required
def dossier_detail(request, reference):
    dossier = get_visible_dossier(request, reference, detail_queryset())
    members, attachments = dossier.loaded_parts()
    notices = dossier.notices.all()
    if not can(request, "applications.view_unpublished_notices", dossier):
        notices = [notice for notice in notices if notice.kind == NoticeKind.RECEIPT or notice.published_at]
    context = {
        "dossier": dossier,
        "notices": notices,
        "members": members,
        "attachments": attachments,
        "is_editor": can(request, "applications.edit_as_porteur", dossier),
        "can_edit": can(request, "applications.change_dossier", dossier),
        "can_withdraw": can(request, "applications.withdraw_dossier", dossier),
        "sections": snapshots.sections(dossier),
        "eligibility_run": eligibility_services.latest_run(dossier)
        if can(request, "applications.view_eligibility", dossier)
        else None,
        "can_run_eligibility": can(request, "applications.run_eligibility", dossier),
        "steps": dossier_steps(dossier),
        "opinion_url": opinion_url(request, dossier),
        **correction_context(dossier),
        **thread_context(dossier, request.user),
        **phase2_context(request, dossier),
    }
    return render(request, "applications/dossier_detail.html", context)


@login_required
def summary(request, reference):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "applications.edit_as_porteur", dossier)
    members, attachments = dossier.loaded_parts()
    missing = completeness.missing_items(dossier, members, attachments)
    context = {
        "dossier": dossier,
        "steps": dossier_steps(dossier),
        "missing_by_step": group_by_step(missing, dossier_steps(dossier)),
        "missing_count": len(missing),
        "incomplete_steps": {item.step for item in missing},
        "eligibility_results": eligibility.evaluate_draft(dossier, members=members, attachments=attachments),
        "phase_open": dossier.phase.is_open(),
        "can_submit": can(request, "applications.submit_dossier", dossier),
        "can_resubmit": can(request, "applications.resubmit_dossier", dossier),
        **correction_context(dossier),
    }
    return render(request, "applications/summary.html", context)


def group_by_step(missing, steps):
    grouped = {step.slug: [] for step in steps}
    for item in missing:
        grouped[item.step].append(item)
    return [(step, grouped[step.slug]) for step in steps if grouped[step.slug]]


@login_required
@require_POST
def submit(request, reference):
    dossier = get_visible_dossier(request, reference)
    already_done = _("Action déjà effectuée : ce dossier est déjà déposé.")
    if not require_action(request, "applications.submit_dossier", dossier):
        messages.info(request, already_done)
        return redirect(dossier)
    try:
        version = submit_dossier(dossier, by=request.user)
    except SubmissionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("applications:summary", reference=dossier.reference)
    except InvalidTransition:
        messages.info(request, already_done)
        return redirect(dossier)
    messages.success(
        request,
        _("Votre dossier est déposé le %(when)s (heure de Paris). L'accusé de réception vous est envoyé par courriel.")
        % {"when": format_datetime(version.submitted_at, seconds=True)},
    )
    return redirect(dossier)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, reference):
    dossier = get_visible_dossier(request, reference)
    already_done = _("Action déjà effectuée : ce dossier ne peut plus être retiré.")
    if not require_action(request, "applications.withdraw_dossier", dossier):
        messages.info(request, already_done)
        return redirect(dossier)
    form = WithdrawForm(request.POST or None)
    if form.is_valid():
        try:
            withdraw_dossier(dossier, by=request.user, comment=form.cleaned_data["comment"])
        except InvalidTransition:
            messages.info(request, already_done)
        else:
            messages.success(request, _("Le dossier %(reference)s est retiré.") % {"reference": dossier.reference})
        return redirect(dossier)
    return render(request, "applications/withdraw_confirm.html", {"dossier": dossier, "form": form})


@login_required
@require_POST
def eligibility_run(request, reference):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "applications.run_eligibility", dossier)
    eligibility_services.request_run(dossier, trigger=EligibilityTrigger.ON_DEMAND, by=request.user)
    messages.success(request, _("Les vérifications d'éligibilité sont relancées ; le résultat s'affiche ci-dessous."))
    return redirect(dossier)


@login_required
def notice_download(request, reference, notice_id):
    dossier = get_visible_dossier(request, reference)
    notices = dossier.notices.filter(status=NoticeStatus.READY)
    if not can(request, "applications.view_unpublished_notices", dossier):
        notices = dossier.notices.for_porteurs()
    notice = get_object_or_404(notices, pk=notice_id)
    if not notice.file:
        raise Http404
    filename = f"{slugify(notice.get_kind_display())}-{dossier.reference}-{notice.number}.pdf"
    audit.record_staff_download(request, notice)
    return protected_download(notice.file, filename, "application/pdf")
