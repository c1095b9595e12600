"""The public pages: anonymous, read-only. What they may show is decided in ptce_ami.site.opendata."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from applications.enums import AttachmentKind
from applications.models import Edition, Phase
from ptce_ami.core.downloads import chart_csv_response
from ptce_ami.site import figures as figures_labels
from ptce_ami.site import opendata
from ptce_ami.site.public.forms import LaureateFilterForm
from reviews.views.lists import page_links, query_without
from territories.models import Region

LAUREATES_PAGE_SIZE = 50
HISTORY_PAGE = "page_historique"  # the page of the list of the calls before the platform


@require_GET
def call(request):
    """The call: published editions, their phases and deadlines, how to apply, the figures of past editions."""
    now = timezone.now()
    figures = opendata.call_figures(published_editions(), now)
    history = opendata.history_figures(figures)
    context = {
        "figures": figures,
        "history": history,
        "laureates_per_year": opendata.laureates_per_year(figures, history),
        "filed_per_edition": [(f.edition.name, f.filed) for f in reversed(figures) if f.filed is not None],
        "documents": documents_to_prepare(figures, now),
        "now": now,
    }
    return render(request, "site/call.html", context)


def published_editions():
    phases = Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "kind", "wave"))
    return Edition.objects.published().prefetch_related(phases)


def documents_to_prepare(figures, now):
    """The attachments required by the phases open or to come (by every published phase when none is), in the
    order of AttachmentKind."""
    phases = [phase_figures.phase for edition in figures for phase_figures in edition.phases]
    coming = [phase for phase in phases if not phase.has_closed(now)]
    kinds = {kind for phase in coming or phases for kind in phase.required_attachments()}
    return [kind.label for kind in AttachmentKind if kind in kinds]


@require_GET
def call_figures_csv(request):
    figures = opendata.call_figures(published_editions())
    headers = [_("Année"), _("Appel"), _("Phase"), _("Dossiers déposés"), _("Lauréats"), _("Montants engagés (€)")]
    history = opendata.history_figures(figures)
    rows = [(row["year"], row["call"], "", None, row["laureates"], None) for row in history]
    for edition in reversed(figures):
        for phase in edition.phases:
            rows.append(
                (
                    edition.edition.year,
                    edition.edition.name,
                    figures_labels.phase_label(phase.phase, first_wave=False),
                    phase.filed,
                    phase.laureates,
                    phase.committed if phase.decided else None,
                )
            )
    return chart_csv_response("chiffres-ami-ptce.csv", headers, rows)


@require_GET
def laureates(request):
    """The map and list of the laureate PTCE, filtered by region, year and phase (GET: works without JavaScript)."""
    regions, form = filter_form(request)
    filters = form.filters()
    decisions = opendata.filtered(opendata.laureate_decisions(), **filters)
    page = Paginator(decisions, LAUREATES_PAGE_SIZE).get_page(request.GET.get("page"))
    history = opendata.history_laureates(**filters).order_by("-year", "name", "pk")
    history_page = Paginator(history, LAUREATES_PAGE_SIZE).get_page(request.GET.get(HISTORY_PAGE))
    rows = region_rows(request, regions, filters)
    context = {
        "form": form,
        "filtered": any(filters.values()),
        "page": page,
        "pagination": page_links(request.GET, page),
        "laureates": opendata.lines(page.object_list),
        "history_page": history_page,
        "history_pagination": page_links(request.GET, history_page, name=HISTORY_PAGE),
        "laureate_regions": [row for row in rows if row["count"]],
        "map_values": {row["code"]: row["count"] for row in rows},
        "map_links": {row["code"]: row["url"] for row in rows},
        "map_unit": (_("lauréat"), _("lauréats")),
        "regions_csv_url": with_query(
            reverse("site:laureates_regions_csv"), request.GET, "region", "page", HISTORY_PAGE
        ),
    }
    return render(request, "site/laureates.html", context)


def filter_form(request):
    """Every region (for the filters and the map) and the bound filter form. Two queries."""
    regions = list(Region.objects.order_by("name"))
    return regions, LaureateFilterForm(request.GET or None, regions=regions, years=opendata.laureate_years())


def region_rows(request, regions, filters):
    """[{code, name, count, url, current}] of every region, for the map and its table: the laureates of the chosen
    year and phase, on the platform and in the calls before it (not of the chosen region: the map shows them all),
    each linked to the list of its region. Two queries."""
    every_region = filters | {"region": None}
    counts = opendata.laureates_per_region(opendata.filtered(opendata.open_laureates(), **every_region))
    history = opendata.history_per_region(opendata.history_laureates(**every_region))
    query = query_without(request.GET, "region", "page", HISTORY_PAGE)
    rows = []
    for region in regions:
        query["region"] = region.code
        rows.append(
            {
                "code": region.code,
                "name": region.name,
                "count": counts.get(region.code, 0) + history.get(region.code, 0),
                "url": f"{reverse('site:laureates')}?{query.urlencode()}",
                "current": region.code == filters["region"],
            }
        )
    return rows


def with_query(url, query, *without):
    query = query_without(query, *without).urlencode()
    return f"{url}?{query}" if query else url


@require_GET
def laureates_regions_csv(request):
    """The map's numbers: laureates per region, for the year and phase chosen on the list."""
    regions, form = filter_form(request)
    rows = region_rows(request, regions, form.filters())
    headers = [_("Code de la région"), _("Région"), _("Lauréats")]
    return chart_csv_response("laureats-par-region.csv", headers, [(r["code"], r["name"], r["count"]) for r in rows])


@require_GET
def laureate(request, reference):
    """A laureate's public page: only a published, current laureate decision whose porteur agreed to publication;
    anything else (not decided, provisional, not retained, reopened, no consent) is a 404."""
    decision = get_object_or_404(opendata.laureate_decisions(), dossier__reference=reference)
    return render(request, "site/public/laureate.html", {"laureate": opendata.lines([decision])[0]})


@require_GET
def laureates_csv(request):
    """The open data file, streamed as it is written."""
    response = StreamingHttpResponse(opendata.csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{opendata.CSV_FILENAME}"'
    return response


@require_GET
def laureates_schema(request):
    context = {"columns": opendata.COLUMNS, "licence": opendata.LICENCE, "licence_url": opendata.LICENCE_URL}
    return render(request, "site/laureates_schema.html", context)
