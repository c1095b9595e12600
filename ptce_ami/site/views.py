from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import ptce_ami
from applications.views import porteur as porteur_views
from ptce_ami.accounts.enums import Role
from ptce_ami.site import health
from ptce_ami.site.data import rgaa
from reviews.models import Assignment, AssignmentStatus, late_q

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


def page(request, template):
    return render(request, template)


def legal_notice(request):
    return render(
        request,
        "site/pages/legal_notice.html",
        {
            "publication_director": settings.PUBLICATION_DIRECTOR,
            "hosting_name": settings.HOSTING_PROVIDER_NAME,
            "hosting_address": settings.HOSTING_PROVIDER_ADDRESS,
            "hosting_contact": settings.HOSTING_PROVIDER_CONTACT,
        },
    )


def personal_data(request):
    """The personal-data notice; the retention periods are read from the settings that apply them."""
    return render(
        request,
        "site/pages/personal_data.html",
        {
            "dpo_email": settings.DPO_EMAIL,
            "draft_months": getattr(settings, "RETENTION_DRAFT_MONTHS", 24),
            "closed_years": getattr(settings, "RETENTION_CLOSED_YEARS", 5),
            "laureate_years": getattr(settings, "RETENTION_LAUREATE_YEARS", 10),
            "api_call_days": settings.API_CALL_RETENTION_DAYS,
            "audit_days": settings.AUDIT_RETENTION_DAYS,
        },
    )


def cookies(request):
    return render(
        request,
        "site/pages/cookies.html",
        {
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "staff_session_minutes": settings.SESSION_STAFF_COOKIE_AGE // 60,
            "csrf_days": settings.CSRF_COOKIE_AGE // 86400,
        },
    )


def accessibility(request):
    return render(request, "site/pages/accessibility.html", {"audit": rgaa})


def accessibility_plan(request):
    return render(request, "site/pages/accessibility_plan.html", {"audit": rgaa})


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


def bad_request(request, exception):
    """The 400 page in French, rendered with the request (Django's own renders 400.html without it, and its default
    page says "Bad Request" in English). A request refused before the middleware ran (a bad Host) has no user yet."""
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    return render(request, "400.html", status=400)
