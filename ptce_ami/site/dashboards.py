"""The regional and national dashboards (issue 12, DESIGN §9) and the CSV of each of their figures.

A region's dashboard is open to the partners of that region and to State staff; the national one to State staff
only; anyone else gets a 404 (``accounts.view_region_dashboard``, ``accounts.view_national_dashboard``). Every
figure is read through a ``Scope`` that carries the region, so that a partner's page and CSV never hold another
region's rows; the figures come cached from the apps' statistics services, in a constant number of queries.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from applications.models import Edition, Phase
from applications.services import statistics as applications_statistics
from applications.services.statistics import Scope
from applications.views.base import can
from ptce_ami.core.downloads import chart_csv_response
from ptce_ami.site import figures as site_figures
from ptce_ami.site.forms import ScopeForm
from reviews.services import statistics as reviews_statistics
from reviews.views.lists import page_links
from territories.models import Region

DOSSIERS_PAGE_SIZE = 25


@dataclass
class Selection:
    """What the chooser selected: the form, the edition and phase shown, the edition's phases, the scope and the
    query string that carries the choice to the CSV links."""

    form: ScopeForm
    edition: Edition | None
    phase: Phase | None
    phases: list
    scope: Scope
    query: str


def select(request, region=None):
    """The chooser, from two queries (editions, phases): published editions for partners, every one for staff."""
    editions = Edition.objects.order_by("-year")
    if not can(request, "accounts.view_national_dashboard"):
        editions = editions.published()
    editions = list(editions)
    phases = list(Phase.objects.filter(edition__in=[edition.pk for edition in editions]).order_by("kind", "wave"))
    chose = any(name in request.GET for name in ScopeForm.base_fields)  # not a mere ?page=2
    form = ScopeForm(request.GET if chose else None, editions=editions, phases=phases)
    edition, phase = form.chosen()
    scope = Scope.of(edition=edition, phase=phase, region=region)
    chosen = {"edition": edition.pk} if edition else {}
    if phase is not None:
        chosen["phase"] = phase.pk
    edition_phases = [item for item in phases if edition and item.edition_id == edition.pk]
    return Selection(form, edition, phase, edition_phases, scope, urlencode(chosen))


def visible_region(request, code):
    """The region whose dashboard the user may see; 404 for anyone else, as for an unknown code."""
    if not can(request, "accounts.view_region_dashboard", code):
        raise Http404
    return get_object_or_404(Region, pk=code)


def require_national(request):
    if not can(request, "accounts.view_national_dashboard"):
        raise Http404


def with_csv_urls(sections, url_name, query, *args):
    for figure in site_figures.every_figure(sections):
        figure.csv_url = f"{reverse(url_name, args=[*args, figure.slug])}?{query}"
    return sections


def regional_figures(selection, region):
    scope = selection.scope
    departements = list(region.departements.order_by("code").values_list("code", "name"))
    figures = site_figures.regional(
        applications_statistics.dashboard(scope),
        reviews_statistics.dashboard(scope),
        phases=selection.phases,
        region_code=region.pk,
        region_departements=departements,
    )
    return with_csv_urls(figures, "site:region_dashboard_csv", selection.query, region.pk)


def national_figures(selection):
    scope = selection.scope
    figures = site_figures.national(
        applications_statistics.dashboard(scope),
        reviews_statistics.dashboard(scope),
        phases=selection.phases,
        region_url=lambda code: f"{reverse('site:region_dashboard', args=[code])}?{selection.query}",
    )
    return with_csv_urls(figures, "site:national_dashboard_csv", selection.query)


def csv_response(sections, slug, filename):
    figure = site_figures.by_slug(sections, slug)
    if figure is None:
        raise Http404
    return chart_csv_response(filename, figure.headers, figure.csv_rows)


def region_dossiers(request, selection):
    """The region's filed dossiers of the scope that the user may open, newest first (paginated by the caller)."""
    dossiers = applications_statistics.filed_dossiers(selection.scope).visible_to(request.user)
    return dossiers.select_related("phase").order_by("-submitted_at", "-pk")


@login_required
@require_GET
def region_dashboard(request, code):
    region = visible_region(request, code)
    selection = select(request, region)
    page = Paginator(region_dossiers(request, selection), DOSSIERS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "region": region,
        "selection": selection,
        "sections": regional_figures(selection, region),
        "page": page,
        "pagination": page_links(request.GET, page),
        "can_see_national": can(request, "accounts.view_national_dashboard"),
    }
    return render(request, "site/dashboard_region.html", context)


@login_required
@require_GET
def region_dashboard_csv(request, code, figure):
    region = visible_region(request, code)
    selection = select(request, region)
    return csv_response(regional_figures(selection, region), figure, f"{figure}-{region.pk}.csv")


@login_required
@require_GET
def national_dashboard(request):
    require_national(request)
    selection = select(request)
    context = {"selection": selection, "sections": national_figures(selection)}
    return render(request, "site/dashboard_national.html", context)


@login_required
@require_GET
def national_dashboard_csv(request, figure):
    require_national(request)
    return csv_response(national_figures(select(request)), figure, f"{figure}-national.csv")
