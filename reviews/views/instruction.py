"""The staff's instruction pages: the list of submitted dossiers (filters, sort, counters, saved filters, batch
actions) and the staff dossier page (every section, eligibility overrides, history, annotations, labels, the
workflow actions and the panels of messages, assignments and reviews).

Staff only: instructeurs see every submitted dossier, regional partners their regions' (scoped queryset, so
another region's dossier is a 404); reviewers and porteurs get 404 here. Read-only roles get 403 on writes.
"""

import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import workflow
from applications.enums import DossierState
from applications.models import Dossier, DossierTransition, EligibilityResult, Label
from applications.services import eligibility as eligibility_services
from applications.services import messages as message_services
from applications.services import snapshots, statistics
from applications.services.workflow import transition
from applications.views import messages as message_views
from applications.views.base import can, get_visible_dossier, require_action, require_perm
from ptce_ami.accounts import permissions
from ptce_ami.accounts.enums import Role
from ptce_ami.core import audit
from ptce_ami.core.downloads import protected_zip
from reviews.forms.columns import ColumnsForm
from reviews.forms.instruction import (
    ACTIONS,
    MOTIVATION_MISSING,
    ActionForm,
    AnnotationForm,
    BatchForm,
    LabelsForm,
    OverrideForm,
    SavedFilterForm,
)
from reviews.models import SavedFilter
from reviews.rules import WORKFLOW_PERMS
from reviews.services import columns as column_services
from reviews.services import follows as follow_services
from reviews.services import instruction as services
from reviews.services import selection as filters
from reviews.views import assignments as assignment_views
from reviews.views import bouquet as bouquet_views
from reviews.views import committee as committee_views
from reviews.views import evaluation as evaluation_views
from reviews.views import exports as export_views
from reviews.views.lists import Tab, page_links, query_without

PAGE_SIZE = 50
REFERENCE = ("reference", gettext_lazy("Référence"))


def require_staff(request):
    """Instructeurs, administrateurs and regional partners; anyone else is not told these pages exist."""
    if not can(request, "reviews.view_instruction"):
        raise Http404


def staff_dossier(request, reference, queryset=None):
    require_staff(request)
    queryset = queryset if queryset is not None else Dossier.objects.select_related("phase__edition", "region")
    return get_visible_dossier(request, reference, queryset.filter(submitted_at__isnull=False))


def staff_url(dossier):
    return reverse("reviews:dossier", kwargs={"reference": dossier.reference})


# The list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    dossier: Dossier
    score: object
    opinion: object
    unread: int
    departements: list
    # The prefetched many-to-many values, read once here: in the template, each ``dossier.labels`` built a manager.
    sectors: list
    labels: list


@dataclass(frozen=True)
class Header:
    key: str
    label: str
    url: str  # "" for a column the list cannot sort on
    direction: str  # "ascending", "descending" or "" (the column's aria-sort)
    next_direction: str


def headers(query, sort, columns):
    """The table's column headers: the reference, then the chosen columns, with a sort link where one applies."""
    entries = []
    for key, label, sortable in [(*REFERENCE, True), *((c.key, c.label, c.sortable) for c in columns)]:
        current = sort.lstrip("-") == key
        direction = ("descending" if sort.startswith("-") else "ascending") if current else ""
        target = f"-{key}" if direction == "ascending" else key
        params = query_without(query, "page", "o")
        params["o"] = target
        next_direction = _("ordre décroissant") if target.startswith("-") else _("ordre croissant")
        url = f"?{params.urlencode()}" if sortable else ""
        entries.append(Header(key, label, url, direction, next_direction))
    return entries


def current_tab(filterset):
    """The tab the list shows: the filters as the list applied them (an invalid value is ignored there too)."""
    cleaned = filterset.form.cleaned_data
    if cleaned.get("followed"):
        return "followed"
    states = cleaned.get("state") or []
    if not states:
        return "all"
    return states[0] if len(states) == 1 else ""


def tab_url(params, **chosen):
    query = query_without(params, "page", "state", "followed")
    for name, value in chosen.items():
        query[name] = value
    return f"?{query.urlencode()}"


def list_totals(filterset, user):
    """The counts of the tabs: every dossier of the selection (its filters but the state and "followed" ones), then
    each state's, in one aggregate query cached until a dossier changes state (statistics.cached_for_query, at most
    CACHE_TTL seconds), and those ``user`` follows, read from their follows."""
    states = [state for state in DossierState if state != DossierState.DRAFT]
    queryset = filters.apply(filterset, exclude=("state", "followed")).order_by()

    def count():
        return queryset.aggregate(
            all=Count("pk"), **{state.value: Count("pk", filter=Q(state=state)) for state in states}
        )

    totals = statistics.cached_for_query("instruction-tabs", queryset, count)
    return {**totals, "followed": filters.followed_count(user, queryset)}


def selection_count(filterset, totals, user):
    """The number of dossiers the list shows, from the tabs' counts where they tell it (no second count)."""
    cleaned = filterset.form.cleaned_data
    if cleaned.get("followed"):
        return filters.followed_count(user, filters.apply(filterset))
    states = cleaned.get("state") or []
    return sum(totals[state] for state in states) if states else totals["all"]


def list_tabs(filterset, params, totals):
    """The tabs on top of the list: every dossier of the selection, those the user follows, then each state, with
    their counts and the list's URL showing them, the other filters kept."""
    states = [state for state in DossierState if state != DossierState.DRAFT]
    current = current_tab(filterset)
    tabs = [
        Tab("all", _("Tous"), totals["all"], tab_url(params), current == "all"),
        Tab("followed", _("Suivis par moi"), totals["followed"], tab_url(params, followed="1"), current == "followed"),
    ]
    tabs += [
        Tab(state.value, state.label, totals[state.value], tab_url(params, state=state.value), current == state.value)
        for state in states
    ]
    return tabs


# The filter form's HTML is the same for every staff member of a scope and the same filters: rendering its
# choices (the départements, the reviewers, the labels) was half of the list's time (issue 15). Kept as long as the
# counters, and never across a state change; a label created meanwhile appears in its choices within that time.
FILTERS_CACHE_SECONDS = statistics.CACHE_TTL


def filters_cache_key(user, params):
    """What the filter form's HTML depends on: the user's scope (their regions for a partner), the language, the
    filters' values (not the page nor the sort) and the generation of the figures."""
    scope = f"user-{user.pk}" if user.role == Role.PARTENAIRE else user.role
    values = sorted((name, params.getlist(name)) for name in params if name not in ("page", "o"))
    key = repr((scope, get_language(), statistics.generation(), values))
    return hashlib.sha256(key.encode()).hexdigest()


def list_rows(page_dossiers, user, columns):
    keys = {column.key for column in columns}
    unread = {}
    if "unread" in keys:
        unread = message_services.unread_counts(user, [dossier.pk for dossier in page_dossiers]) or {}
    return [
        Row(
            dossier,
            getattr(dossier, "score", None) if "score" in keys else None,
            getattr(dossier, "regional_opinion", None) if "regional_opinion" in keys else None,
            unread.get(dossier.pk, 0),
            column_services.territory_departements(dossier) if "departements" in keys else [],
            list(dossier.sectors.all()) if "sectors" in keys else [],
            list(dossier.labels.all()) if "labels" in keys else [],
        )
        for dossier in page_dossiers
    ]


def list_context(request, params, columns_form=None):
    """The list's page for the filters, sort and page in ``params`` (a QueryDict)."""
    user = request.user
    filterset = filters.build_filter(user, params)
    sort = filters.sort_key(params)
    shown = column_services.chosen_columns(user)
    totals = list_totals(filterset, user)
    count = selection_count(filterset, totals, user)
    # The page's ids first, read in order from an index (Dossier.Meta.indexes) without joining anything, then only
    # those rows with what the columns show: a far page costs a walk along the index, not 10,000 joined rows.
    ordered_ids = filters.ordered_ids(filters.apply(filterset), sort)
    page = filters.paginator_of(ordered_ids, PAGE_SIZE, count).get_page(params.get("page"))
    ids = list(page.object_list)
    rows = column_services.for_columns(Dossier.objects.filter(pk__in=ids), shown).order_by().in_bulk()
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    query = query_without(params, "page")
    return {
        "filterset": filterset,
        "page": page,
        "columns": shown,
        "rows": list_rows(list(page.object_list), user, shown),
        "tabs": list_tabs(filterset, params, totals),
        "filters_cache_key": filters_cache_key(user, params),
        "filters_cache_seconds": FILTERS_CACHE_SECONDS,
        "sort": sort,
        "headers": headers(params, sort, shown),
        "pagination": page_links(params, page),
        "query": query.urlencode(),
        "saved_filters": SavedFilter.objects.filter(user=user),
        "saved_filter_form": SavedFilterForm(user=user, initial={"query": query.urlencode()}),
        "columns_form": columns_form
        or ColumnsForm(initial={"columns": [column.key for column in shown], "query": query.urlencode()}),
        "export_form": export_views.export_form(request, params),
        "can_assign": can(request, "reviews.assign_reviewers"),
    }


@login_required
def dossier_list(request):
    require_staff(request)
    return render(request, "reviews/instruction/dossier_list.html", list_context(request, request.GET))


@login_required
@require_POST
def columns_update(request):
    """Saves the columns the user chose for the list (or forgets them: "Rétablir les colonnes par défaut")."""
    require_staff(request)
    back = list_url(request.POST.get("colonnes-query", "").lstrip("?"))
    if "reset" in request.POST:
        column_services.reset_columns(request.user)
        messages.success(request, _("La liste affiche de nouveau les colonnes par défaut."))
        return redirect(back)
    form = ColumnsForm(request.POST)
    if not form.is_valid():
        context = list_context(request, QueryDict(form.data.get("colonnes-query", "")), columns_form=form)
        return render(request, "reviews/instruction/dossier_list.html", context, status=400)
    column_services.save_columns(request.user, form.cleaned_data["columns"])
    messages.success(request, _("Vos colonnes sont enregistrées."))
    return redirect(back)


def list_url(query=""):
    query = QueryDict(query or "").urlencode()
    return reverse("reviews:dossier_list") + (f"?{query}" if query else "")


@login_required
@require_POST
def dossier_batch(request):
    require_staff(request)
    form = BatchForm(request.POST)
    back = list_url(request.POST.get("query", ""))
    if not form.is_valid():
        messages.error(request, _("Cochez au moins un dossier, puis choisissez une action."))
        return redirect(back)
    ids = form.cleaned_data["dossier"]
    if form.cleaned_data["action"] == "assign":
        require_perm(request, "reviews.assign_reviewers", None)
        return redirect(reverse("reviews:assign_batch") + "?" + urlencode([("dossier", pk) for pk in ids]))
    dossiers = filters.staff_queryset(request.user).filter(pk__in=ids).select_related("region").order_by("reference")
    outcome = services.batch_start_review(list(dossiers), by=request.user)
    report_batch(request, outcome, len(ids))
    return redirect(back)


def report_batch(request, outcome, asked):
    moved = len(outcome.moved)
    messages.success(
        request,
        ngettext("%(count)d dossier passe en instruction.", "%(count)d dossiers passent en instruction.", moved)
        % {"count": moved},
    )
    skipped = [f"{reference} ({reason})" for reference, reason in outcome.skipped]
    missing = asked - moved - len(skipped)
    if missing > 0:
        skipped.append(
            ngettext("%(count)d dossier introuvable", "%(count)d dossiers introuvables", missing) % {"count": missing}
        )
    if skipped:
        messages.warning(request, _("Dossiers laissés de côté : %(list)s.") % {"list": " ; ".join(skipped)})


@login_required
@require_POST
def saved_filter_create(request):
    require_staff(request)
    form = SavedFilterForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, "reviews/instruction/saved_filter_form.html", {"form": form})
    saved = form.save()
    messages.success(request, _("Le filtre « %(name)s » est enregistré.") % {"name": saved.name})
    return redirect(list_url(saved.query))


@login_required
@require_POST
def saved_filter_delete(request, pk):
    require_staff(request)
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, _("Le filtre « %(name)s » est supprimé.") % {"name": saved.name})
    return redirect("reviews:dossier_list")


# The dossier page ---------------------------------------------------------------------------------------------


def page_queryset():
    transitions = DossierTransition.objects.select_related("by").order_by("at", "pk")
    return Dossier.objects.select_related("phase__edition", "owner", "region", "last_edited_by").prefetch_related(
        "sectors",
        "communes__departement",
        "epcis",
        "departements",
        "labels",
        Prefetch("transitions", queryset=transitions),
    )


def available_actions(user, dossier):
    return [
        (action, ACTIONS[action][0])
        for action in ACTIONS
        if permissions.has_perm(user, WORKFLOW_PERMS[action], dossier)
    ]


def corrections_url(dossier):
    return reverse("applications:request_corrections", kwargs={"reference": dossier.reference})


def page_context(request, dossier, *, override_form=None, annotation_form=None, labels_form=None):
    user = request.user
    members, attachments = dossier.loaded_parts()
    run = eligibility_services.latest_run(dossier) if can(request, "applications.view_eligibility", dossier) else None
    can_override = run is not None and can(request, "reviews.override_eligibility", dossier)
    results = list(run.results.all()) if run else []
    can_annotate = can(request, "reviews.annotate_dossier", dossier)
    can_label = can(request, "reviews.label_dossier", dossier)
    all_labels = list(Label.objects.all()) if can_label else []
    current_labels = list(dossier.labels.all())
    context = {}
    # The panels of the other parts of the app first: this page's own names win on a clash.
    context.update(message_views.thread_context(dossier, user) or {})
    context.update(assignment_views.dossier_panel_context(dossier, user) or {})
    context.update(evaluation_views.dossier_reviews_context(dossier, user) or {})
    context.update(bouquet_views.dossier_bouquet_context(dossier, user))
    context.update(committee_views.dossier_decisions_context(dossier, user))
    context.update(
        {
            "dossier": dossier,
            "sections": snapshots.sections(dossier),
            "members": members,
            "attachments": attachments,
            "eligibility_run": run,
            "eligibility_rows": [
                (
                    result,
                    (override_form if override_form and override_form.result.pk == result.pk else None)
                    or (OverrideForm(result=result) if can_override else None),
                )
                for result in results
            ],
            "annotations": list(dossier.annotations.select_related("author")) if can_annotate else [],
            "can_annotate": can_annotate,
            "annotation_form": annotation_form or (AnnotationForm() if can_annotate else None),
            "dossier_labels": current_labels,
            "labels_form": labels_form
            or (
                LabelsForm(initial={"labels": [label.pk for label in current_labels]}, label_choices=all_labels)
                if can_label
                else None
            ),
            "workflow_actions": available_actions(user, dossier),
            "can_follow": can(request, "reviews.follow_dossier", dossier),
            "following": follow_services.is_following(user, dossier),
            "corrections_url": corrections_url(dossier)
            if can(request, WORKFLOW_PERMS["request_corrections"], dossier)
            else "",
        }
    )
    return context


def render_page(request, dossier, status=200, **forms):
    context = page_context(request, dossier, **forms)
    return render(request, "reviews/instruction/dossier_detail.html", context, status=status)


@login_required
def dossier_detail(request, reference):
    dossier = staff_dossier(request, reference, page_queryset())
    return render_page(request, dossier)


@login_required
def dossier_zip(request, reference):
    dossier = staff_dossier(request, reference)
    entries = services.zip_entries(dossier)
    audit.record_staff_download(request, dossier, details={"zip": len(entries)})
    return protected_zip(entries, f"{dossier.reference}.zip")


@login_required
@require_http_methods(["GET", "POST"])
def dossier_action(request, reference, action):
    if action not in ACTIONS:
        raise Http404
    dossier = staff_dossier(request, reference)
    if not require_action(request, WORKFLOW_PERMS[action], dossier):
        messages.warning(request, _("Action déjà effectuée ou impossible dans l'état actuel du dossier."))
        return redirect(staff_url(dossier))
    form = ActionForm(request.POST if request.method == "POST" else None, action=action)
    if form.is_valid():
        try:
            transition(dossier, action, by=request.user, comment=form.cleaned_data["comment"])
        except workflow.InvalidTransition:
            messages.warning(request, _("Action déjà effectuée ou impossible dans l'état actuel du dossier."))
            return redirect(staff_url(dossier))
        except workflow.MotivationRequired:
            form.add_error("comment", MOTIVATION_MISSING)
        else:
            messages.success(
                request,
                _("Dossier %(reference)s : %(state)s.")
                % {"reference": dossier.reference, "state": dossier.get_state_display()},
            )
            return redirect(staff_url(dossier))
    context = {"dossier": dossier, "form": form, "action": action, "title": ACTIONS[action][1]}
    return render(request, "reviews/instruction/action_confirm.html", context)


@login_required
@require_POST
def eligibility_override(request, reference, result_id):
    dossier = staff_dossier(request, reference, page_queryset())
    require_perm(request, "reviews.override_eligibility", dossier)
    run = dossier.eligibility_runs.first()
    result = get_object_or_404(EligibilityResult, pk=result_id, run=run)
    form = OverrideForm(request.POST, result=result)
    if not form.is_valid():
        return render_page(request, dossier, override_form=form)
    try:
        eligibility_services.override_result(
            result, status=form.cleaned_data["status"], motivation=form.cleaned_data["motivation"], by=request.user
        )
    except workflow.MotivationRequired:
        form.add_error("motivation", MOTIVATION_MISSING)
        return render_page(request, dossier, override_form=form)
    messages.success(request, _("Le résultat de la règle « %(title)s » est enregistré.") % {"title": result.title})
    return redirect(f"{staff_url(dossier)}#eligibilite-{result.rule_id}")


@login_required
@require_POST
def annotation_create(request, reference):
    dossier = staff_dossier(request, reference, page_queryset())
    require_perm(request, "reviews.annotate_dossier", dossier)
    form = AnnotationForm(request.POST)
    if not form.is_valid():
        return render_page(request, dossier, annotation_form=form)
    services.add_annotation(dossier, by=request.user, body=form.cleaned_data["body"])
    messages.success(request, _("L'annotation est ajoutée."))
    return redirect(f"{staff_url(dossier)}#annotations")


@login_required
@require_POST
def labels_update(request, reference):
    dossier = staff_dossier(request, reference, page_queryset())
    require_perm(request, "reviews.label_dossier", dossier)
    form = LabelsForm(request.POST)
    if not form.is_valid():
        return render_page(request, dossier, labels_form=form)
    services.set_labels(dossier, form.cleaned_data["labels"], new_label=form.cleaned_data["new_label"])
    messages.success(request, _("Les étiquettes du dossier sont enregistrées."))
    return redirect(f"{staff_url(dossier)}#etiquettes")


@login_required
@require_POST
def dossier_follow(request, reference):
    """Follows the dossier (``follow=1``) or stops following it: the list's "Suivis par moi" tab."""
    dossier = staff_dossier(request, reference)
    require_perm(request, "reviews.follow_dossier", dossier)
    if request.POST.get("follow") == "1":
        follow_services.follow(request.user, dossier)
        messages.success(request, _("Vous suivez le dossier %(reference)s.") % {"reference": dossier.reference})
    else:
        follow_services.unfollow(request.user, dossier)
        messages.success(
            request, _("Vous ne suivez plus le dossier %(reference)s.") % {"reference": dossier.reference}
        )
    return redirect(staff_url(dossier))
