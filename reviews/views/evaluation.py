"""Evaluation pages: the reviewer's queue and scoring page, the regional partners' opinions and ranks.

A reviewer reaches an assignment only through their own assignments (another reviewer's, or one removed by a
conflict of interest, answers 404); partners reach only their regions' dossiers (Dossier.objects.visible_to).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.services import snapshots
from applications.views.base import can, get_visible_dossier, require_action
from reviews.forms.evaluation import RegionalOpinionForm, ReviewForm, rank_taken_message
from reviews.models import Assignment, AssignmentStatus, ReviewStatus
from reviews.services import evaluation as services
from reviews.services.evaluation import RankTaken, ReviewIncomplete, ReviewLocked
from reviews.views.lists import Tab, page_links, query_without

# The buttons of a review: the grid's "Rendre l'évaluation" (CHECK), then the confirmation page's (CONFIRM).
CHECK, CONFIRM = "submit", "confirm_submit"


def require_role_perm(request, perm):
    """Pages of one role: the others get 404, as if the page did not exist for them."""
    if not can(request, perm):
        raise Http404


def dossier_reviews_context(dossier, user):
    """Context of templates/reviews/evaluation/_dossier_panel.html on the staff dossier page."""
    return {"evaluation_panel": services.evaluation_panel(dossier, user)}


def tabs_of(params, labels, counts, current):
    """The tabs on top of a paginated list (``?tab=``), each with its count; choosing one goes to its first page."""
    tabs = []
    for key, label in labels.items():
        query = query_without(params, "page", "tab")
        query["tab"] = key
        tabs.append(Tab(key, label, counts[key], f"?{query.urlencode()}", key == current))
    return tabs


def tabbed_page(request, catalogue, counts, tab, page, rows):
    """The context a list shown one tab and one page at a time shares (the queue, the regional opinions)."""
    return {
        "rows": rows,
        "page": page,
        "pagination": page_links(request.GET, page),
        "tabs": tabs_of(request.GET, catalogue, counts, tab),
        "current_tab": catalogue[tab],
    }


@login_required
def queue(request):
    """The reviewer's assignments, one tab and one page at a time: to do (the default), to confirm, in progress,
    late, submitted."""
    require_role_perm(request, "reviews.view_review_queue")
    tab = services.queue_tab(request.GET.get("tab"))
    counts = services.queue_counts(request.user)
    page, rows = services.reviewer_queue(request.user, tab, request.GET.get("page"), counts[tab])
    context = {
        **tabbed_page(request, services.QUEUE_TABS, counts, tab, page, rows),
        "assigned": counts["todo"] + counts["submitted"],
    }
    return render(request, "reviews/evaluation/queue.html", context)


def own_assignment(request, assignment_id):
    assignments = Assignment.objects.active().filter(reviewer=request.user)
    related = ("dossier__phase__edition", "dossier__region", "dossier__owner")
    return get_object_or_404(assignments.select_related(*related), pk=assignment_id)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, assignment_id):
    require_role_perm(request, "reviews.view_review_queue")
    assignment = own_assignment(request, assignment_id)
    if assignment.status == AssignmentStatus.TO_CONFIRM:
        messages.info(request, _("Confirmez d'abord l'absence de conflit d'intérêts avec ce dossier."))
        return redirect(services.confirm_url(assignment))
    own = services.review_of(assignment)
    grid = services.grid_of(assignment, own)
    if grid is None:
        # The migration creates a default grid per kind of phase; staff may have deleted it in the admin.
        messages.error(
            request,
            _(
                "La grille d'évaluation de cette phase n'est pas encore définie : l'évaluation sera possible dès "
                "que l'équipe d'instruction l'aura publiée."
            ),
        )
        return redirect("reviews:queue")
    editable = require_action(request, "reviews.score_assignment", assignment)
    if not editable and request.method == "POST":
        messages.info(request, _("Action déjà effectuée : cette évaluation n'est plus modifiable."))
        return redirect("reviews:review", assignment_id=assignment.pk)
    form = None
    if editable:
        # "Rendre l'évaluation" asks for a confirmation first (CHECK); the confirmation page submits (CONFIRM).
        submitting = CHECK in request.POST or CONFIRM in request.POST
        form = ReviewForm(request.POST or None, grid=grid, review=own, submitting=submitting)
        if CHECK in request.POST and form.is_valid():
            return confirm_submission(request, assignment, form)
        if request.method == "POST":
            saved = save(request, assignment, form, submitting)
            if saved:
                return redirect("reviews:review", assignment_id=assignment.pk)
    return render(request, "reviews/evaluation/review.html", page_context(assignment, grid, own, form))


def confirm_submission(request, assignment, form):
    """The step before a review is submitted for good: the draft is saved, and the page shows what submitting
    records (levels, total, recommendation) with a button that posts the same data again."""
    try:
        services.save_review(assignment, form.review_input())
    except ReviewLocked:
        messages.info(request, _("Action déjà effectuée : cette évaluation n'est plus modifiable."))
        return redirect("reviews:review", assignment_id=assignment.pk)
    draft = services.review_of(assignment)
    scores = services.score_rows(draft)
    context = {
        "assignment": assignment,
        "dossier": assignment.dossier,
        "draft": draft,
        "scores": scores,
        "total": services.total_of(scores),
        "form": form,
        "confirm": CONFIRM,
    }
    return render(request, "reviews/evaluation/review_confirm.html", context)


def save(request, assignment, form, submitting):
    """Save the draft (partial is fine) or submit (complete); False when the page shows the form's errors."""
    if not form.is_valid():
        return False
    try:
        services.save_review(assignment, form.review_input(), submit=submitting)
    except ReviewIncomplete as incomplete:
        form.add_missing_errors(incomplete)
        return False
    except ReviewLocked:
        messages.info(request, _("Action déjà effectuée : cette évaluation n'est plus modifiable."))
        return True
    if submitting:
        messages.success(
            request, _("Votre évaluation est rendue. Les évaluations des autres évaluateurs sont visibles.")
        )
    else:
        messages.success(request, _("Brouillon enregistré. Vous pouvez le reprendre à tout moment."))
    return True


def page_context(assignment, grid, own, form):
    dossier = assignment.dossier
    members, attachments = dossier.loaded_parts()
    submitted = own is not None and own.status == ReviewStatus.SUBMITTED
    return {
        "assignment": assignment,
        "dossier": dossier,
        "sections": snapshots.sections(dossier),
        "members": members,
        "attachments": attachments,
        "grid": grid,
        "form": form,
        "own": own,
        "own_scores": services.score_rows(own) if submitted else [],
        "others": services.other_reviews(own),
        "dossier_score": getattr(dossier, "score", None) if submitted else None,
        "priority_flags": services.priority_flags(dossier),
    }


# Regional opinions ------------------------------------------------------------------------------------------------


@login_required
def regional_opinions(request):
    require_role_perm(request, "reviews.view_regional_opinions")
    tab = services.opinion_tab(request.GET.get("tab"))
    counts = services.opinion_counts(request.user)
    page, rows = services.opinion_rows(request.user, tab, request.GET.get("page"), counts[tab])
    context = {
        **tabbed_page(request, services.OPINION_TABS, counts, tab, page, rows),
        "any": counts["all"],
        "can_give": can(request, "reviews.give_regional_opinions"),
    }
    return render(request, "reviews/evaluation/regional_opinions.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def regional_opinion(request, reference):
    require_role_perm(request, "reviews.view_regional_opinions")
    dossier = get_visible_dossier(request, reference)
    opinion = services.opinion_of(dossier)
    if not can(request, "reviews.give_regional_opinion", dossier):
        # Instructeurs read the region's opinion; a partner cannot give one on a dossier not (yet) eligible.
        if request.method == "POST" or not can(request, "reviews.read_regional_opinions", dossier):
            raise PermissionDenied
        return render(request, "reviews/evaluation/regional_opinion.html", {"dossier": dossier, "opinion": opinion})
    form = RegionalOpinionForm(request.POST or None, instance=opinion, dossier=dossier)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_regional_opinion(
                dossier,
                opinion=data["opinion"],
                text=data["text"],
                rank=data["rank"],
                shift=data["shift"],
                by=request.user,
            )
        except RankTaken as taken:
            form.add_error("rank", rank_taken_message(taken.holder))
        else:
            messages.success(
                request, _("L'avis régional sur %(reference)s est enregistré.") % {"reference": reference}
            )
            return redirect("reviews:regional_opinions")
    context = {"dossier": dossier, "opinion": opinion, "form": form, "ranking": services.region_ranking(dossier)}
    return render(request, "reviews/evaluation/regional_opinion.html", context)
