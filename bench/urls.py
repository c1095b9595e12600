"""The bench's URLconf: the product's, and the floor (/bench/floor/), a bare view that is not the product's."""

from django.shortcuts import render
from django.urls import include, path

from applications.models import Dossier


def floor(request):
    """One indexed query (the dossier's unique reference) and a small template: the least a page can cost."""
    dossier = Dossier.objects.only("reference", "name", "state").get(reference=request.GET.get("reference", ""))
    return render(request, "bench/floor.html", {"dossier": dossier})


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("ptce_ami.urls")),
]
handler400 = "ptce_ami.site.views.bad_request"
