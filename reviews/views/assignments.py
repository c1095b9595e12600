"""Assignments and conflicts of interest: the staff assign reviewers (from a dossier, from a reviewer, for a
selection, automatically); the reviewers declare their interests and confirm, per dossier, that they have none.

Staff pages answer 404 to anyone who may not assign reviewers (perm ``reviews.assign_reviewers``); a reviewer's
pages answer 404 to anyone but that reviewer.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applications.models import Dossier, Edition, MemberStructure
from applications.views.base import can, get_visible_dossier
from ptce_ami.accounts import permissions
from ptce_ami.accounts.enums import Role
from ptce_ami.core.redirects import safe_next
from ptce_ami.core.text import is_id, parse_ids
from reviews.forms.assignments import (
    AddDossiersForm,
    AddReviewerForm,
    AutoAssignForm,
    BatchAssignForm,
    ConfirmForm,
    DeclarationForm,
    OrganisationFormSet,
)
from reviews.models import Assignment, AssignmentStatus, ReviewerDeclaration
from reviews.services import assignments as service
from reviews.services import conflicts


def require_assigner(request):
    if not can(request, "reviews.assign_reviewers"):
        raise Http404


def report_refusals(request, refused):
    for reason in refused.values():
        messages.error(request, reason)


def report_created(request, created):
    if created:
        messages.success(
            request,
            ngettext(
                "%(count)d affectation créée ; l'évaluateur est prévenu par courriel.",
                "%(count)d affectations créées ; les évaluateurs sont prévenus par courriel.",
                len(created),
            )
            % {"count": len(created)},
        )


# From a dossier ------------------------------------------------------------------------------------------------


def staff_dossier(request, reference):
    require_assigner(request)
    return get_visible_dossier(request, reference, Dossier.objects.select_related("phase__edition", "region"))


def dossier_panel_context(dossier, user):
    """Context of templates/reviews/assignments/_dossier_panel.html on the staff dossier page (constant queries):
    the dossier's assignments with their status, due date, conflict reason and region warnings, and the form to
    add a reviewer. Empty for users who may not assign reviewers."""
    if not permissions.has_perm(user, "reviews.assign_reviewers"):
        return {"assignments_panel": None}
    assignments = list(dossier.assignments.select_related("reviewer").order_by("assigned_at", "pk"))
    warnings = conflicts.region_warnings([(dossier, assignment.reviewer_id) for assignment in assignments])
    for assignment in assignments:
        assignment.region_warning = warnings.get((dossier.pk, assignment.reviewer_id), "")
        assignment.removable = assignment.status in service.REMOVABLE_STATUSES
    return {
        "assignments_panel": {
            "dossier": dossier,
            "assignments": assignments,
            "assignable": dossier.state in service.ASSIGNABLE_STATES and dossier.submitted_at is not None,
            "form": AddReviewerForm(exclude=[assignment.reviewer_id for assignment in assignments], prefix="assign"),
            "conflict_count": sum(assignment.status == AssignmentStatus.CONFLICT for assignment in assignments),
        }
    }


@login_required
def dossier_assignments(request, reference, form=None):
    dossier = staff_dossier(request, reference)
    context = dossier_panel_context(dossier, request.user)
    if form is not None:
        context["assignments_panel"]["form"] = form
    return render(request, "reviews/assignments/dossier.html", {"dossier": dossier, **context})


@login_required
@require_POST
def dossier_assign(request, reference):
    dossier = staff_dossier(request, reference)
    taken = dossier.assignments.values_list("reviewer", flat=True)
    form = AddReviewerForm(request.POST, exclude=list(taken), prefix="assign")
    if not form.is_valid():
        return dossier_assignments(request, reference, form=form)
    try:
        service.assign(dossier, form.cleaned_data["reviewer"], by=request.user, due_at=form.due_at)
    except service.AssignmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Évaluateur affecté ; il est prévenu par courriel."))
    return redirect(safe_next(request, reverse("reviews:dossier_assignments", args=[dossier.reference])))


@login_required
@require_POST
def assignment_remove(request, assignment_id):
    require_assigner(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related("dossier").filter(dossier__in=Dossier.objects.visible_to(request.user)),
        pk=assignment_id,
    )
    try:
        service.remove(assignment)
    except service.AssignmentRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Affectation retirée."))
    return redirect(safe_next(request, reverse("reviews:dossier_assignments", args=[assignment.dossier.reference])))


# From a reviewer -----------------------------------------------------------------------------------------------


@login_required
def reviewer_list(request):
    require_assigner(request)
    edition = Edition.objects.filter(published=True).order_by("-year").first()
    reviewers = service.reviewers_with_load()
    if edition is not None:
        declared = ReviewerDeclaration.objects.filter(reviewer=OuterRef("pk"), edition=edition)
        reviewers = reviewers.annotate(has_declared=Exists(declared))
    return render(request, "reviews/assignments/reviewers.html", {"reviewers": reviewers, "edition": edition})


@login_required
def reviewer_assignments(request, user_id):
    require_assigner(request)
    reviewer = get_object_or_404(get_user_model(), pk=user_id, role=Role.EVALUATEUR)
    form = AddDossiersForm(request.POST or None, reviewer=reviewer)
    if request.method == "POST" and form.is_valid():
        pairs = [(dossier, reviewer) for dossier in form.cleaned_data["dossiers"]]
        created, refused = service.assign_pairs(pairs, by=request.user, due_at=form.due_at)
        report_created(request, created)
        report_refusals(request, refused)
        return redirect("reviews:reviewer_assignments", user_id=reviewer.pk)
    assignments = list(
        reviewer.assignments.select_related("dossier__phase__edition", "dossier__region").order_by(
            "-assigned_at", "-pk"
        )
    )
    counts = {status: 0 for status in AssignmentStatus.values}
    for assignment in assignments:
        counts[assignment.status] += 1
    declarations = reviewer.declarations.select_related("edition").annotate(organisation_count=Count("organisations"))
    return render(
        request,
        "reviews/assignments/reviewer.html",
        {
            "reviewer": reviewer,
            "assignments": assignments,
            "active_count": len(assignments) - counts[AssignmentStatus.CONFLICT],
            "pending_count": counts[AssignmentStatus.TO_CONFIRM] + counts[AssignmentStatus.IN_PROGRESS],
            "submitted_count": counts[AssignmentStatus.SUBMITTED],
            "conflict_count": counts[AssignmentStatus.CONFLICT],
            "late_count": sum(assignment.is_late for assignment in assignments),
            "declarations": declarations,
            "form": form,
        },
    )


# For a selection -----------------------------------------------------------------------------------------------


def selected_ids(request):
    values = request.POST.getlist("dossier") if request.method == "POST" else request.GET.getlist("dossier")
    return parse_ids(values)


@login_required
def assign_batch(request):
    require_assigner(request)
    dossiers = list(
        service.assignable_dossiers()
        .visible_to(request.user)
        .filter(pk__in=selected_ids(request))
        .select_related("phase__edition")
        .annotate(reviewer_count=Count("assignments", filter=~Q(assignments__status=AssignmentStatus.CONFLICT)))
        .order_by("reference")
    )
    form = BatchAssignForm(request.POST or None)
    if request.method == "POST" and dossiers and form.is_valid():
        pairs = [(dossier, reviewer) for dossier in dossiers for reviewer in form.cleaned_data["reviewers"]]
        created, refused = service.assign_pairs(pairs, by=request.user, due_at=form.due_at)
        report_created(request, created)
        report_refusals(request, refused)
        query = "&".join(f"dossier={dossier.pk}" for dossier in dossiers)
        return redirect(f"{reverse('reviews:assign_batch')}?{query}")
    return render(request, "reviews/assignments/batch.html", {"dossiers": dossiers, "form": form})


# Automatically -------------------------------------------------------------------------------------------------


def shortfall_reason(shortfall):
    parts = [
        ngettext(
            "Évaluateurs proposés : %(got)d sur %(needed)d nécessaire",
            "Évaluateurs proposés : %(got)d sur %(needed)d nécessaires",
            shortfall.needed,
        )
        % {"got": shortfall.got, "needed": shortfall.needed}
    ]
    if shortfall.conflicts:
        parts.append(
            ngettext("%(count)d en conflit d'intérêts", "%(count)d en conflit d'intérêts", shortfall.conflicts)
            % {"count": shortfall.conflicts}
        )
    if shortfall.already:
        parts.append(
            ngettext("%(count)d déjà affecté", "%(count)d déjà affectés", shortfall.already)
            % {"count": shortfall.already}
        )
    if shortfall.at_cap:
        parts.append(
            ngettext("%(count)d au plafond", "%(count)d au plafond", shortfall.at_cap) % {"count": shortfall.at_cap}
        )
    else:
        parts.append(_("plus aucun évaluateur disponible"))
    return " ; ".join(parts) + "."


def preview_context(form):
    phase = form.cleaned_data["phase"]
    dossiers, reviewers, proposal = service.auto_proposal(
        phase,
        per_dossier=form.cleaned_data["per_dossier"],
        cap=form.cleaned_data["cap"],
        dossier_ids=form.cleaned_data["dossier"],
    )
    by_id = {reviewer.pk: reviewer for reviewer in reviewers}
    proposed = {dossier.pk: [] for dossier in dossiers}
    for dossier_id, reviewer_id in proposal.pairs:
        proposed[dossier_id].append(by_id[reviewer_id])
    initial = service.load_of(list(by_id), [phase.edition_id]) if by_id else {}
    rows = [
        {
            "dossier": dossier,
            "reviewers": proposed[dossier.pk],
            "shortfall": shortfall_reason(proposal.shortfalls[dossier.pk])
            if dossier.pk in proposal.shortfalls
            else "",
        }
        for dossier in dossiers
    ]
    loads = [
        {"reviewer": reviewer, "before": initial[reviewer.pk], "after": proposal.loads[reviewer.pk]}
        for reviewer in reviewers
    ]
    return {
        "phase": phase,
        "rows": rows,
        "loads": loads,
        "pairs": [f"{dossier_id}:{reviewer_id}" for dossier_id, reviewer_id in proposal.pairs],
        "apply_fields": [
            ("phase", phase.pk),
            ("per_dossier", form.cleaned_data["per_dossier"]),
            ("cap", form.cleaned_data["cap"]),
            ("due_on", form.cleaned_data["due_on"].isoformat() if form.cleaned_data["due_on"] else ""),
            *[("dossier", dossier_id) for dossier_id in form.cleaned_data["dossier"]],
        ],
        "shortfall_count": len(proposal.shortfalls),
        "reviewer_count": len(reviewers),
    }


def parse_pairs(values):
    pairs = []
    for value in values:
        dossier_id, _sep, reviewer_id = value.partition(":")
        if is_id(dossier_id) and is_id(reviewer_id):
            pairs.append((int(dossier_id), int(reviewer_id)))
    return list(dict.fromkeys(pairs))


@login_required
def assign_auto(request):
    require_assigner(request)
    if request.method == "POST":
        return assign_auto_apply(request)
    data = request.GET if "phase" in request.GET else None
    form = AutoAssignForm(data, initial={"dossier": selected_ids(request)})
    context = {"form": form, "preview": None}
    if data is not None and form.is_valid():
        context["preview"] = preview_context(form)
    return render(request, "reviews/assignments/auto.html", context)


def assign_auto_apply(request):
    form = AutoAssignForm(request.POST)
    if not form.is_valid():
        return render(request, "reviews/assignments/auto.html", {"form": form, "preview": None})
    pairs = parse_pairs(request.POST.getlist("pair"))
    created, refused = service.apply_proposal(
        pairs, phase=form.cleaned_data["phase"], cap=form.cleaned_data["cap"], by=request.user, due_at=form.due_at
    )
    report_created(request, created)
    report_refusals(request, refused)
    if not created and not refused:
        messages.info(request, _("Aucune affectation à créer."))
    return redirect("reviews:assign_auto")


# The reviewer's side -------------------------------------------------------------------------------------------


def require_reviewer(request):
    if not can(request, "reviews.declare_interests"):
        raise Http404


def current_edition(request):
    """The edition asked for (?edition=), else that of the reviewer's latest assignment to confirm, else the
    latest published edition."""
    asked = request.GET.get("edition") or request.POST.get("edition")
    if asked:
        if not is_id(asked):
            raise Http404
        return get_object_or_404(Edition, pk=asked)
    pending = (
        Assignment.objects.filter(reviewer=request.user, status=AssignmentStatus.TO_CONFIRM)
        .order_by("-dossier__phase__edition__year")
        .values_list("dossier__phase__edition", flat=True)
        .first()
    )
    if pending:
        return Edition.objects.get(pk=pending)
    edition = Edition.objects.filter(published=True).order_by("-year").first()
    if edition is None:
        raise Http404
    return edition


@login_required
def declaration(request):
    require_reviewer(request)
    edition = current_edition(request)
    instance = ReviewerDeclaration.objects.filter(reviewer=request.user, edition=edition).first()
    instance = instance or ReviewerDeclaration(reviewer=request.user, edition=edition)
    form = DeclarationForm(request.POST or None, instance=instance)
    formset = OrganisationFormSet(request.POST or None, instance=instance, prefix="organisations")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved.declared_at = timezone.now()
            saved.save()
            form.save_m2m()
            formset.instance = saved
            formset.save()
            conflicted = conflicts.apply_declaration(saved)
        messages.success(request, _("Votre déclaration d'intérêts est enregistrée."))
        for assignment in conflicted:
            messages.warning(
                request,
                _("Un conflit d'intérêts est détecté avec le dossier %(reference)s : il vous est retiré.")
                % {"reference": assignment.dossier.reference},
            )
        return redirect(safe_next(request, reverse("reviews:queue")))
    return render(
        request,
        "reviews/assignments/declaration.html",
        {
            "form": form,
            "formset": formset,
            "edition": edition,
            "is_new": instance.pk is None,
            "next": safe_next(request, ""),
        },
    )


@login_required
def assignment_confirm(request, assignment_id):
    require_reviewer(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related("dossier__phase__edition", "dossier__region", "reviewer").exclude(
            status=AssignmentStatus.CONFLICT
        ),
        pk=assignment_id,
        reviewer=request.user,
    )
    if assignment.status != AssignmentStatus.TO_CONFIRM:
        messages.info(request, _("Vous avez déjà confirmé l'absence de conflit d'intérêts pour ce dossier."))
        return redirect("reviews:queue")
    edition = assignment.dossier.phase.edition
    if not conflicts.has_declared(request.user, edition.pk):
        messages.info(request, _("Avant de confirmer une affectation, déclarez vos intérêts pour cette édition."))
        confirm_url = reverse("reviews:assignment_confirm", args=[assignment.pk])
        return redirect(f"{reverse('reviews:declaration')}?edition={edition.pk}&next={confirm_url}")
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return confirm_decision(request, assignment, form)
    members = MemberStructure.objects.filter(dossier=assignment.dossier).order_by("position", "pk")
    return render(
        request,
        "reviews/assignments/confirm.html",
        {"assignment": assignment, "dossier": assignment.dossier, "members": members, "form": form},
    )


def confirm_decision(request, assignment, form):
    if form.cleaned_data["decision"] == ConfirmForm.CONFLICT:
        service.declare_conflict(assignment, form.cleaned_data["reason"].strip())
        messages.success(
            request,
            _("Votre conflit d'intérêts est enregistré : ce dossier vous est retiré. Merci de votre vigilance."),
        )
        return redirect("reviews:queue")
    try:
        reasons = service.confirm_no_conflict(assignment)
    except service.DeclarationMissing:
        return redirect("reviews:declaration")
    if reasons:
        messages.warning(
            request,
            _("Un conflit d'intérêts est détecté d'après votre déclaration : ce dossier vous est retiré. %(reasons)s")
            % {"reasons": " ".join(reasons)},
        )
        return redirect("reviews:queue")
    messages.success(request, _("Merci. Vous pouvez maintenant évaluer le dossier."))
    return redirect("reviews:review", assignment_id=assignment.pk)
