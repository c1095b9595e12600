"""The bouquet de services: the porteurs' page of a PTCE émergent (request services, follow them), the staff list of
requests and a request's page (follow-up, compagnon), and the panel of the staff dossier page.

Porteurs: an outsider gets 404 (scoped dossier); the porteurs of a dossier that is not a PTCE émergent get 403 with
the reason. Staff: instructeurs follow every request, regional partners read their regions' (403 on writes);
other roles do not learn these pages exist (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.views.base import can, get_visible_dossier, require_perm
from ptce_ami.accounts import permissions
from ptce_ami.core.dates import format_datetime
from reviews.forms.bouquet import BouquetRequestFilter, FollowUpForm, ServiceRequestForm
from reviews.services import bouquet
from reviews.services import selection as filters
from reviews.views.lists import page_links, query_without

PAGE_SIZE = 50


# The porteurs' page -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def services(request, reference):
    dossier = get_visible_dossier(request, reference)
    require_perm(request, "applications.edit_as_porteur", dossier)
    require_perm(request, "reviews.request_services", dossier)
    offers = bouquet.offers(dossier)
    form = ServiceRequestForm(request.POST if request.method == "POST" else None, offers=offers)
    if form.is_valid():
        try:
            made = bouquet.request_service(
                dossier, service=form.cleaned_data["service"], note=form.cleaned_data["note"], by=request.user
            )
        except bouquet.NotEmergent:
            raise PermissionDenied(permissions.refusal("reviews.request_services")) from None
        except bouquet.AlreadyRequested as refusal:
            form.add_error("service", already_requested(refusal.request))
        else:
            messages.success(
                request,
                _("Votre demande « %(service)s » est transmise à l'équipe de l'AMI PTCE.")
                % {"service": made.get_service_display()},
            )
            return redirect("bouquet:services", reference=dossier.reference)
    context = {"dossier": dossier, "offers": offers, "requested": [o for o in offers if o.request], "form": form}
    return render(request, "reviews/bouquet/services.html", context)


def already_requested(request):
    return _("Ce service a déjà été demandé pour ce pôle le %(when)s (suivi : %(status)s).") % {
        "when": format_datetime(request.requested_at),
        "status": request.get_status_display(),
    }


# Staff -------------------------------------------------------------------------------------------------------------


def require_bouquet_staff(request):
    if not can(request, "reviews.view_bouquet_requests"):
        raise Http404


@login_required
def request_list(request):
    require_bouquet_staff(request)
    filterset = BouquetRequestFilter(request.GET, queryset=bouquet.staff_requests(request.user), user=request.user)
    selection = filters.apply(filterset).order_by("-requested_at", "-pk")
    page = Paginator(selection, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filterset": filterset,
        "page": page,
        "pagination": page_links(request.GET, page),
        "query": query_without(request.GET, "page").urlencode(),
    }
    return render(request, "reviews/bouquet/request_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request, pk):
    require_bouquet_staff(request)
    queryset = bouquet.staff_requests(request.user).select_related("requested_by", "dossier__owner")
    bouquet_request = get_object_or_404(queryset, pk=pk)
    can_follow = can(request, "reviews.follow_bouquet_requests")
    form = None
    if request.method == "POST":
        require_perm(request, "reviews.follow_bouquet_requests")
        form = FollowUpForm(request.POST, bouquet_request=bouquet_request)
        if form.is_valid():
            bouquet.follow_up(
                bouquet_request,
                status=form.cleaned_data["status"],
                compagnon=form.cleaned_data.get("compagnon"),
                staff_notes=form.cleaned_data["staff_notes"],
                by=request.user,
            )
            messages.success(request, _("Le suivi de la demande est enregistré."))
            return redirect("reviews:bouquet_request", pk=bouquet_request.pk)
    elif can_follow:
        form = FollowUpForm(bouquet_request=bouquet_request)
    context = {
        "bouquet_request": bouquet_request,
        "dossier": bouquet_request.dossier,
        "changes": bouquet_request.changes.select_related("by", "compagnon"),
        "form": form,
    }
    return render(request, "reviews/bouquet/request_detail.html", context)


def dossier_bouquet_context(dossier, user):
    """Context of templates/reviews/bouquet/_dossier_panel.html on the staff dossier page: the dossier's requests,
    for a PTCE émergent or a dossier that has some (a decision reopened since)."""
    if not permissions.has_perm(user, "reviews.view_bouquet_requests"):
        return {}
    requests = list(dossier.bouquet_requests.select_related("compagnon"))
    if not (requests or dossier.is_ptce_emergent):
        return {}
    return {"bouquet_panel": {"requests": requests, "list_url": reverse("reviews:bouquet_requests")}}
