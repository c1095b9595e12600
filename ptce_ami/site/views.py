from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import ptce_ami
from applications.models import Edition, Phase
from applications.views import porteur as porteur_views
from ptce_ami.accounts.enums import Role
from ptce_ami.site import health, opendata
from reviews.models import Assignment, AssignmentStatus, late_q
from reviews.views.lists import page_links

DASHBOARD_TEMPLATES = {
    Role.PORTEUR: "site/dashboard_porteur.html",
    Role.EVALUATEUR: "site/dashboard_evaluateur.html",
    Role.PARTENAIRE: "site/dashboard_partenaire.html",
    Role.INSTRUCTEUR: "site/dashboard_instructeur.html",
    Role.ADMINISTRATEUR: "site/dashboard_instructeur.html",
}


def home(request):
    return render(request, "site/home.html")


@login_required
def dashboard(request):
    """The role-aware home page every user lands on after logging in."""
    user = request.user
    if user.role == Role.PORTEUR:
        return porteur_views.dossier_list(request)
    context = {}
    if user.role == Role.PARTENAIRE:
        context["regions"] = user.regions.order_by("name")
    if user.role == Role.EVALUATEUR:
        context["assignment_counts"] = assignment_counts(user)
    return render(request, DASHBOARD_TEMPLATES[user.role], context)


def assignment_counts(user):
    """{status: count} of a reviewer's assignments, and how many are late, in one query."""
    return Assignment.objects.filter(reviewer=user).aggregate(
        to_confirm=Count("pk", filter=Q(status=AssignmentStatus.TO_CONFIRM)),
        in_progress=Count("pk", filter=Q(status=AssignmentStatus.IN_PROGRESS)),
        submitted=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED)),
        late=Count("pk", filter=late_q()),
    )


def call(request):
    """The public page of the call: published editions, their phases and deadlines."""
    phases = Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "kind", "wave"))
    editions = Edition.objects.published().prefetch_related(phases)
    return render(request, "site/call.html", {"editions": editions, "now": timezone.now()})


LAUREATES_PAGE_SIZE = 50


@require_GET
def laureates(request):
    """The public list of the laureate PTCE (published decisions only), paginated."""
    page = Paginator(opendata.laureate_decisions(), LAUREATES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "pagination": page_links(request.GET, page),
        "laureates": opendata.lines(page.object_list),
    }
    return render(request, "site/laureates.html", context)


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


def page(request, template):
    return render(request, template)


@never_cache
@require_GET
def healthz(request):
    database_ok, database = health.database_state()
    payload = {
        "status": "ok" if database_ok else "error",
        "database": database,
        "broker": health.broker_state(),
        "version": ptce_ami.__version__,
    }
    return JsonResponse(payload, status=200 if database_ok else 503)
