"""Grants of phase-2 laureates: the porteurs' progress reports (their « Mon aide » section is on the dossier page,
reviews/templatetags/grants.py), the staff list of grants and a grant's page with its actions.

Porteurs: an outsider gets 404 (scoped dossier); staff on a porteur's report form get 403. Staff: instructeurs manage
every grant, regional partners read their regions' (403 on writes); other roles do not learn the pages exist (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications.enums import ReportKind
from applications.views.base import can, get_visible_dossier, require_perm
from reviews.enums import GrantStatus, PaymentStatus, ReportStatus, Year3Decision
from reviews.forms.exports import ExportForm
from reviews.forms.grants import (
    AgreementForm,
    FollowUpSessionForm,
    GrantFilter,
    PaymentForm,
    ReportForm,
    ReportReviewForm,
    ResumptionForm,
    SuspensionForm,
    Year3Form,
)
from reviews.models import ExportKind, Grant, Payment, ProgressReport
from reviews.services import grants
from reviews.services import selection as filters
from reviews.views.lists import page_links, query_without

PAGE_SIZE = 50


# The porteurs' report ----------------------------------------------------------------------------------------------


def porteur_report(request, reference, kind):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "reviews.file_reports", dossier)
    if kind not in ReportKind.values:
        raise Http404
    grant = get_object_or_404(Grant.objects.select_related("dossier"), dossier=dossier)
    report = get_object_or_404(ProgressReport, grant=grant, kind=kind)
    report.grant = grant
    return dossier, grant, report


def report_initial(report, indicators, spending):
    initial = {"narrative": report.narrative}
    values = report.indicators or {}
    initial.update({f"indicator_{index}": values.get(name, "") for index, name in enumerate(indicators)})
    initial.update({f"spent_{line.category}": line.spent for line in spending})
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request, reference, kind):
    dossier, grant, report = porteur_report(request, reference, kind)
    indicators = grants.declared_indicators(dossier)
    spending = grants.spending_lines(report)
    report.spending_lines = spending
    form = None
    if report.editable_by_porteur:
        submitting = "submit" in request.POST
        data = request.POST if request.method == "POST" else None
        initial = report_initial(report, indicators, spending)
        form = ReportForm(data, initial=initial, indicators=indicators, spending=spending, submitting=submitting)
        if form.is_valid():
            return save_report(request, dossier, report, form, submitting)
    elif request.method == "POST":
        messages.info(request, _("Action déjà effectuée : ce rapport n'est plus modifiable."))
        return redirect("grants:report", reference=dossier.reference, kind=report.kind)
    context = {"dossier": dossier, "grant": grant, "report": report, "form": form, "spending": spending}
    return render(request, "reviews/grants/report_form.html", context)


def save_report(request, dossier, report, form, submitting):
    try:
        grants.save_report(
            report,
            narrative=form.cleaned_data["narrative"],
            indicators=form.indicator_values(),
            spending=form.spending_values(),
            by=request.user,
            submit=submitting,
        )
    except grants.GrantRefused as refusal:
        messages.info(request, refusal.message)
        return redirect("grants:report", reference=dossier.reference, kind=report.kind)
    if submitting:
        messages.success(request, _("Votre rapport est déposé : l'équipe de l'AMI PTCE va l'examiner."))
        return redirect(reverse("applications:dossier", kwargs={"reference": dossier.reference}) + "#mon-aide")
    messages.success(request, _("Votre brouillon est enregistré."))
    return redirect("grants:report", reference=dossier.reference, kind=report.kind)


# Staff: the list ---------------------------------------------------------------------------------------------------


def require_grant_staff(request):
    if not can(request, "reviews.view_grants"):
        raise Http404


def paid_subquery():
    paid = Payment.objects.filter(grant=OuterRef("pk"), status=PaymentStatus.PAID).values("grant")
    return Coalesce(
        Subquery(paid.annotate(total=Sum("amount")).values("total")[:1]),
        0,
        output_field=DecimalField(max_digits=12, decimal_places=2),
    )


def to_review_subquery():
    submitted = ProgressReport.objects.filter(grant=OuterRef("pk"), status=ReportStatus.SUBMITTED)
    return Coalesce(Subquery(submitted.values("grant").annotate(count=Count("pk")).values("count")[:1]), 0)


def staff_grants(user):
    return Grant.objects.visible_to(user).select_related("dossier__region", "dossier__phase__edition")


@login_required
def grant_list(request):
    require_grant_staff(request)
    filterset = GrantFilter(request.GET, queryset=staff_grants(request.user), user=request.user)
    selection = filters.apply(filterset).annotate(paid=paid_subquery(), to_review=to_review_subquery())
    page = Paginator(selection.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "pagination": page_links(request.GET, page),
        "can_export": can(request, "reviews.export_finance"),
        "export_form": ExportForm(),
        "export_kinds": [ExportKind.DECISIONS, ExportKind.GRANTS],
        "query": query_without(request.GET, "page").urlencode(),
    }
    return render(request, "reviews/grants/grant_list.html", context)


# Staff: a grant's page ---------------------------------------------------------------------------------------------


def staff_grant(request, reference):
    require_grant_staff(request)
    return get_object_or_404(staff_grants(request.user).select_related("decision"), dossier__reference=reference)


def page_context(request, grant, bound=None):
    """The grant's page: its tranches, reports, follow-up sessions and history; the forms of staff who may act
    (``bound``: the form that was posted, shown with its errors)."""
    payments = list(grant.payments.select_related("recorded_by"))
    reports = list(grant.reports.select_related("submitted_by", "reviewed_by"))
    followups = list(grant.followups.select_related("recorded_by"))
    manage = can(request, "reviews.manage_grants")
    planned = grants.planned_budget(grant.dossier_id)
    for report in reports:
        report.spending_lines = grants.spending_lines(report, planned) if report.submitted_at else []
    bound = bound or {}
    context = {
        "grant": grant,
        "dossier": grant.dossier,
        "payments": payments,
        "reports": reports,
        "followups": followups,
        "events": grant.events.select_related("by").order_by("-at", "-pk"),
        "paid": grants.paid_total(payments),
        "followup_warning": grants.followup_warning(followups),
        "can_manage": manage,
    }
    if not manage:
        return context
    active = grant.status == GrantStatus.ACTIVE
    for payment in payments:
        payable = active and payment.status == PaymentStatus.PAYABLE
        payment.form = bound.get(("payment", payment.pk)) or (PaymentForm(payment=payment) if payable else None)
    for report in reports:
        submitted = report.status == ReportStatus.SUBMITTED
        report.review_form = bound.get(("review", report.pk)) or (
            ReportReviewForm(report=report) if submitted else None
        )
    final_approved = any(r.kind == ReportKind.FINAL and r.status == ReportStatus.APPROVED for r in reports)
    context.update(
        {
            "agreement_form": bound.get("agreement")
            or AgreementForm(initial={"signed_on": grant.agreement_signed_on}),
            "suspension_form": bound.get("suspend") or (SuspensionForm() if active else None),
            "resumption_form": bound.get("resume") or (ResumptionForm() if grant.is_suspended else None),
            "followup_form": bound.get("followup") or FollowUpSessionForm(),
            "year3_form": bound.get("year3") or (Year3Form() if final_approved and not grant.year3_decision else None),
        }
    )
    return context


@login_required
def grant_detail(request, reference):
    grant = staff_grant(request, reference)
    return render(request, "reviews/grants/grant_detail.html", page_context(request, grant))


def do_agreement(request, grant, pk):
    form = AgreementForm(request.POST)
    if form.is_valid():
        grants.record_agreement(grant, signed_on=form.cleaned_data["signed_on"], by=request.user)
        return form, _("La date de signature de la convention est enregistrée.")
    return form, None


def do_payment(request, grant, pk):
    payment = get_object_or_404(grant.payments, pk=pk)
    form = PaymentForm(request.POST, payment=payment)
    if form.is_valid():
        grants.record_payment(payment, paid_on=form.cleaned_data["paid_on"], by=request.user)
        return form, _("Le versement « %(label)s » est enregistré.") % {"label": payment.label}
    return form, None


def do_suspend(request, grant, pk):
    form = SuspensionForm(request.POST)
    if form.is_valid():
        grants.suspend(grant, motivation=form.cleaned_data["motivation"], by=request.user)
        return form, _("L'aide est suspendue ; le porteur en est informé par courriel.")
    return form, None


def do_resume(request, grant, pk):
    form = ResumptionForm(request.POST)
    if form.is_valid():
        grants.resume(grant, motivation=form.cleaned_data["motivation"], by=request.user)
        return form, _("L'aide est rétablie ; le porteur en est informé par courriel.")
    return form, None


def do_review(request, grant, pk):
    report = get_object_or_404(grant.reports, pk=pk)
    form = ReportReviewForm(request.POST, report=report)
    if form.is_valid():
        approve = form.cleaned_data["outcome"] == ReportReviewForm.APPROVE
        report.grant = grant
        grants.review_report(report, approve=approve, notes=form.cleaned_data["notes"], by=request.user)
        if approve:
            return form, _("Le rapport est approuvé : la tranche qui l'attendait peut être versée.")
        return form, _("Les compléments sont demandés au porteur.")
    return form, None


def do_followup(request, grant, pk):
    form = FollowUpSessionForm(request.POST)
    if form.is_valid():
        grants.record_followup(grant, **form.cleaned_data, by=request.user)
        return form, _("La réunion du comité de suivi est enregistrée.")
    return form, None


def do_year3(request, grant, pk):
    form = Year3Form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        grants.decide_year3(
            grant, decision=data["decision"], amount=data["amount"], motivation=data["motivation"], by=request.user
        )
        if data["decision"] == Year3Decision.GRANTED:
            return form, _("L'aide complémentaire de 3e année est accordée.")
        return form, _("L'aide complémentaire de 3e année est refusée.")
    return form, None


ACTIONS = {
    "agreement": do_agreement,
    "payment": do_payment,
    "suspend": do_suspend,
    "resume": do_resume,
    "review": do_review,
    "followup": do_followup,
    "year3": do_year3,
}


@login_required
@require_POST
def grant_action(request, reference, action, pk=None):
    grant = staff_grant(request, reference)
    require_perm(request, "reviews.manage_grants")
    if action not in ACTIONS:
        raise Http404
    try:
        form, done = ACTIONS[action](request, grant, pk)
    except grants.GrantRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("reviews:grant", reference=reference)
    if done:
        messages.success(request, done)
        return redirect("reviews:grant", reference=reference)
    key = (action, pk) if pk is not None else action
    context = page_context(request, grant, bound={key: form})
    return render(request, "reviews/grants/grant_detail.html", context, status=400)
