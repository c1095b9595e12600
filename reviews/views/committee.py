"""The selection committee's pages (instructeurs only; anyone else is not told they exist: 404): the phases, a phase's
committee view (ranked candidates, envelope, regional balance, proposals), a proposal on a dossier, the sessions
(record, adopt, minutes), the publication (outbox preview, then publish) and the reopening of a published decision.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from applications.models import Dossier, Phase
from applications.views.base import can, require_perm
from ptce_ami.accounts import permissions
from ptce_ami.core.downloads import protected_download
from ptce_ami.core.money import euros
from reviews.enums import SessionStatus
from reviews.forms.committee import CommitteeFilter, ProposalForm, ReopenForm, SessionForm
from reviews.models import CommitteeSession, Decision
from reviews.services import committee, publication
from reviews.services import selection as filters
from reviews.services.scoring import priority_flags
from reviews.views.lists import page_links, query_without

PAGE_SIZE = 50
COLUMNS = (
    ("score", gettext_lazy("Note")),
    ("rank", gettext_lazy("Rang régional")),
    ("region", gettext_lazy("Région")),
    ("requested", gettext_lazy("Aide demandée")),
)


def require_committee(request):
    if not can(request, "reviews.view_committee"):
        raise Http404


def phase_url(phase):
    return reverse("reviews:committee_phase", kwargs={"phase_id": phase.pk})


def session_url(session):
    return reverse("reviews:committee_session", kwargs={"pk": session.pk})


def money(amount):
    return euros(amount) if amount is not None else ""


# The phases ------------------------------------------------------------------------------------------------------


@login_required
def phase_list(request):
    require_committee(request)
    return render(request, "reviews/committee/phase_list.html", {"phases": committee.committee_phases()})


# A phase's committee view ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    decision: Decision | None
    score: object
    opinion: object
    flags: list
    requested: str
    amount: str


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    direction: str


def sort_links(query, sort):
    links = []
    for key, label in COLUMNS:
        current = sort.lstrip("-") == key
        direction = ("descending" if sort.startswith("-") else "ascending") if current else ""
        params = query_without(query, "page", "o")
        params["o"] = key if direction == "descending" else f"-{key}"
        links.append(SortLink(key, label, f"?{params.urlencode()}", direction))
    return links


def related(dossier, name):
    """A reverse one-to-one loaded by select_related, or None when the dossier has none."""
    return getattr(dossier, name, None)


def rows(dossiers):
    result = []
    for dossier in dossiers:
        decision = dossier.current_decisions[0] if dossier.current_decisions else None
        amount = money(decision.amount) if decision else ""
        result.append(
            Row(
                dossier,
                decision,
                related(dossier, "score"),
                related(dossier, "regional_opinion"),
                priority_flags(dossier),
                money(dossier.requested_amount),
                amount,
            )
        )
    return result


def header(current):
    return {
        "commitment": current,
        "envelope": money(current.envelope),
        "committed": money(current.committed),
        "remaining": money(current.remaining),
        "edition_envelope": money(current.edition_envelope),
        "edition_committed": money(current.edition_committed),
        "edition_remaining": money(current.edition_remaining),
    }


@login_required
def phase_view(request, phase_id):
    require_committee(request)
    phase = get_object_or_404(Phase.objects.select_related("edition"), pk=phase_id)
    filterset = CommitteeFilter(request.GET, queryset=committee.candidates(phase))
    sort = committee.sort_key(request.GET.get("o"))
    selection = filters.apply(filterset)
    # The page's ids first (by default, along the score's index: selection.ScoreOrderedIds), then only its rows.
    if sort.lstrip("-") == "score":
        ordered_ids = filters.ScoreOrderedIds(selection, descending=sort.startswith("-"))
    else:
        ordered_ids = selection.order_by(*committee.ordering(sort)).values_list("pk", flat=True)
    page = Paginator(ordered_ids, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = committee.view_figures(phase)
    ids = list(page.object_list)
    found = selection.filter(pk__in=ids).order_by().in_bulk()
    page.object_list = [found[pk] for pk in ids if pk in found]
    context = {
        "phase": phase,
        "filterset": filterset,
        "page": page,
        "rows": rows(page.object_list),
        "sort_links": sort_links(request.GET, sort),
        "pagination": page_links(request.GET, page),
        "balance": [{**row, "amount": money(row["amount"])} for row in figures["balance"]],
        "sessions": committee.phase_sessions(phase),
        "pending": figures["pending"],
        **header(figures["commitment"]),
    }
    return render(request, "reviews/committee/phase.html", context)


# A proposal --------------------------------------------------------------------------------------------------------


def candidate(request, reference):
    require_committee(request)
    queryset = Dossier.objects.select_related("phase__edition", "region", "score", "regional_opinion")
    return get_object_or_404(queryset, reference=reference, submitted_at__isnull=False)


@login_required
@require_http_methods(["GET", "POST"])
def propose(request, reference):
    dossier = candidate(request, reference)
    require_perm(request, "reviews.propose_decision", dossier)
    decision = Decision.objects.current().filter(dossier=dossier).select_related("session").first()
    initial = (
        {"outcome": decision.outcome, "amount": decision.amount, "motivation": decision.motivation} if decision else {}
    )
    form = ProposalForm(request.POST or None, phase=dossier.phase, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            committee.propose(
                dossier,
                outcome=form.cleaned_data["outcome"],
                amount=form.cleaned_data.get("amount"),
                motivation=form.cleaned_data["motivation"],
                by=request.user,
            )
        except committee.ProposalRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request, _("Proposition enregistrée pour le dossier %(reference)s.") % {"reference": dossier.reference}
            )
            return redirect(phase_url(dossier.phase))
    context = {
        "dossier": dossier,
        "decision": decision,
        "form": form,
        "flags": priority_flags(dossier),
        "score": related(dossier, "score"),
        "requested": money(committee.candidates(dossier.phase).get(pk=dossier.pk).requested_amount),
        **header(committee.commitment(dossier.phase)),
    }
    return render(request, "reviews/committee/propose.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def withdraw(request, pk):
    require_committee(request)
    require_perm(request, "reviews.manage_committee_sessions")
    decision = get_object_or_404(Decision.objects.current().select_related("dossier__phase", "session"), pk=pk)
    try:
        committee.withdraw(decision, by=request.user)
    except committee.ProposalRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("La proposition sur le dossier %(reference)s est retirée.") % {"reference": decision.dossier.reference},
        )
    return redirect(session_url(decision.session) if decision.session_id else phase_url(decision.dossier.phase))


# Sessions --------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, phase_id):
    require_committee(request)
    require_perm(request, "reviews.manage_committee_sessions")
    phase = get_object_or_404(Phase.objects.select_related("edition"), pk=phase_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = committee.create_session(phase, by=request.user, **form.cleaned_data)
        messages.success(request, _("Le comité est enregistré."))
        return redirect(session_url(session))
    return render(request, "reviews/committee/session_form.html", {"phase": phase, "form": form})


def get_session(request, pk):
    require_committee(request)
    return get_object_or_404(
        CommitteeSession.objects.select_related("phase__edition", "adopted_by", "published_by"), pk=pk
    )


@login_required
def session_detail(request, pk):
    session = get_session(request, pk)
    if session.status == SessionStatus.OPEN:
        decisions = committee.pending_decisions(session.phase)
    else:
        decisions = session.decisions.all()
    decisions = decisions.select_related("dossier__region", "decided_by", "published_by", "revoked_by").order_by(
        "outcome", "dossier__reference"
    )
    context = {
        "session": session,
        "phase": session.phase,
        "decisions": [(decision, money(decision.amount)) for decision in decisions],
        **header(committee.commitment(session.phase)),
    }
    return render(request, "reviews/committee/session_detail.html", context)


@login_required
@require_POST
def session_adopt(request, pk):
    session = get_session(request, pk)
    require_perm(request, "reviews.manage_committee_sessions")
    try:
        committee.adopt(session, by=request.user)
    except committee.ProposalRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("La liste est adoptée. Le procès-verbal est en cours de production."))
    return redirect(session_url(session))


@login_required
def session_minutes(request, pk):
    session = get_session(request, pk)
    if not session.minutes:
        raise Http404
    return protected_download(
        session.minutes, f"proces-verbal-comite-{session.held_on:%Y-%m-%d}.pdf", "application/pdf"
    )


# Publication -----------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def publish(request, pk):
    session = get_session(request, pk)
    require_perm(request, "reviews.publish_decisions")
    if request.method == "POST":
        try:
            published = publication.publish(session, by=request.user)
        except committee.ProposalRefused as refusal:
            messages.error(request, refusal.message)
            return redirect(session_url(session))
        if published:
            messages.success(
                request,
                ngettext(
                    "%(count)d décision publiée : sa lettre et ses courriels partent.",
                    "%(count)d décisions publiées : les lettres et les courriels partent.",
                    len(published),
                )
                % {"count": len(published)},
            )
        else:
            messages.warning(request, _("Ces décisions sont déjà publiées : rien n'est envoyé une seconde fois."))
        return redirect(session_url(session))
    items = publication.outbox(session) if session.status == SessionStatus.ADOPTED else []
    context = {"session": session, "phase": session.phase, "items": items}
    return render(request, "reviews/committee/publish_preview.html", context)


@login_required
def letter_preview(request, pk, decision_id):
    session = get_session(request, pk)
    require_perm(request, "reviews.publish_decisions")
    decision = get_object_or_404(
        session.decisions.provisional().select_related("dossier__phase__edition", "dossier__region"), pk=decision_id
    )
    return HttpResponse(publication.letter_preview(decision))


# Reopening -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk):
    require_committee(request)
    require_perm(request, "reviews.reopen_decision")
    decision = get_object_or_404(Decision.objects.published().select_related("dossier__phase__edition"), pk=pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publication.reopen(decision, motivation=form.cleaned_data["motivation"], by=request.user)
        except committee.ProposalRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                _("La décision sur le dossier %(reference)s est rouverte ; le porteur en est informé.")
                % {"reference": decision.dossier.reference},
            )
            return redirect(reverse("reviews:dossier", kwargs={"reference": decision.dossier.reference}))
    context = {"decision": decision, "dossier": decision.dossier, "form": form}
    return render(request, "reviews/committee/reopen.html", context, status=400 if form.errors else 200)


# The staff dossier page's panel ----------------------------------------------------------------------------------


def dossier_decisions_context(dossier, user):
    """Context of templates/reviews/committee/_dossier_panel.html: the dossier's decisions, for the national cell."""
    if not permissions.has_perm(user, "reviews.view_committee"):
        return {}
    decisions = list(
        dossier.decisions.select_related("decided_by", "published_by", "revoked_by").order_by("decided_at", "pk")
    )
    can_propose = permissions.has_perm(user, "reviews.propose_decision", dossier)
    if not (decisions or can_propose):
        return {}
    return {
        "decision_panel": {
            "decisions": decisions,
            "can_reopen": permissions.has_perm(user, "reviews.reopen_decision"),
            "propose_url": reverse("reviews:committee_propose", kwargs={"reference": dossier.reference})
            if can_propose
            else "",
        }
    }
