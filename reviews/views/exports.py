"""Exports of the instruction list: ask for one, follow its progress, download it (only who asked for it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from applications.views.base import can, require_perm
from ptce_ami.core.downloads import protected_download
from reviews.forms.exports import ExportForm
from reviews.models import Export, ExportKind, ExportStatus
from reviews.services import exports

RECENT_EXPORTS = 20


def export_form(request, params=None):
    """The export form of the instruction list, carrying the list's current filters (``params``, else the
    request's query string) for the list's template."""
    query = (request.GET if params is None else params).copy()
    query.pop("page", None)
    return ExportForm(initial={"query": query.urlencode()})


def require_exporter(request):
    # Exports are staff pages: other roles do not learn they exist.
    if not can(request, "reviews.export_dossiers"):
        raise Http404


def get_own_export(request, pk):
    require_exporter(request)
    return get_object_or_404(Export, pk=pk, requested_by=request.user)


@login_required
@require_POST
def export_create(request):
    require_exporter(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("L'export n'a pas pu être demandé : choisissez le format CSV ou XLSX."))
        return redirect("reviews:export_list")
    kind = form.cleaned_data["kind"]
    if kind != ExportKind.DOSSIERS:
        require_perm(request, "reviews.export_finance")
    export = exports.request_export(
        request.user, query=form.cleaned_data["query"], export_format=form.cleaned_data["format"], kind=kind
    )
    return redirect("reviews:export_detail", pk=export.pk)


@login_required
def export_list(request):
    require_exporter(request)
    exports = Export.objects.filter(requested_by=request.user)[:RECENT_EXPORTS]
    context = {
        "exports": exports,
        "form": ExportForm(),
        "can_export_finance": can(request, "reviews.export_finance"),
        "export_kinds": [ExportKind.DECISIONS, ExportKind.GRANTS],
    }
    return render(request, "reviews/exports/export_list.html", context)


@login_required
def export_detail(request, pk):
    export = get_own_export(request, pk)
    return render(request, "reviews/exports/export_detail.html", {"export": export, "status": status_data(export)})


@login_required
def export_status(request, pk):
    return JsonResponse(status_data(get_own_export(request, pk)))


@login_required
def export_download(request, pk):
    export = get_own_export(request, pk)
    if export.status != ExportStatus.READY or not export.file:
        raise Http404
    return protected_download(export.file, export.file.name.rsplit("/", 1)[-1])


def status_data(export):
    ready = export.status == ExportStatus.READY
    return {
        "status": export.status,
        "label": export.get_status_display(),
        "done": export.done,
        "total": export.total,
        "progress": export.progress,
        "count": (
            ngettext("%(done)d dossier écrit sur %(total)d", "%(done)d dossiers écrits sur %(total)d", export.done)
            if export.kind == ExportKind.DOSSIERS
            else ngettext("%(done)d ligne écrite sur %(total)d", "%(done)d lignes écrites sur %(total)d", export.done)
        )
        % {"done": export.done, "total": export.total},
        "finished": export.status in (ExportStatus.READY, ExportStatus.FAILED),
        "download_url": reverse("reviews:export_download", kwargs={"pk": export.pk}) if ready else "",
    }
