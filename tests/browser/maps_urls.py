"""A page of the site's layout with both maps (France by region with links, Auvergne-Rhône-Alpes by département)
and the CSV of the first, for the browser test."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from ptce_ami.core.downloads import chart_csv_response
from territories import maps

PAGE = """{% extends "base.html" %}{% load maps %}
{% block content %}
  <h1>Cartes</h1>
  {% region_map by_region caption="Dossiers par région" unit=dossiers csv_url="regions.csv" links=links %}
  {% departement_map "84" by_departement caption=ara_caption value_header="Dossiers" %}
{% endblock content %}"""

BY_REGION = {"84": 42, "11": 30, "93": 18, "76": 12, "75": 9, "53": 7, "44": 5, "32": 3, "01": 2, "04": 1, "94": 1}
BY_DEPARTEMENT = {"69": 15, "38": 9, "63": 6, "42": 4, "74": 3, "73": 2, "01": 1}
UNIT = ("dossier", "dossiers")
LINKS = {code: f"/essai-cartes/region/{code}/" for code in ("84", "11", "01")}


def maps_page(request):
    template = engines["django"].from_string(PAGE)
    context = {
        "by_region": BY_REGION,
        "by_departement": BY_DEPARTEMENT,
        "links": LINKS,
        "dossiers": UNIT,
        "ara_caption": "Dossiers par département en Auvergne-Rhône-Alpes",
    }
    return HttpResponse(template.render(context, request))


def regions_csv(request):
    chart = maps.region_map(BY_REGION, "Dossiers par région")
    return chart_csv_response("regions.csv", ["Région", "Dossiers"], chart.rows)


urlpatterns = [
    path("essai-cartes/", maps_page),
    path("essai-cartes/regions.csv", regions_csv),
    path("", include("ptce_ami.urls")),
]
