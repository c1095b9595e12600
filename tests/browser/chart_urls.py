"""A page of the site's layout with the three charts and an empty one, and their CSV, for the browser test."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from ptce_ami.core.downloads import chart_csv_response

PAGE = """{% extends "base.html" %}{% load charts %}
{% block content %}
  <h1>Graphiques</h1>
  {% bar_chart sectors "Dossiers par secteur" label_header="Secteur" value_header="Dossiers" csv_url="secteurs.csv" %}
  {% column_chart days "Dépôts par jour jusqu’à la date limite" label_header="Jour" value_header="Dépôts" %}
  {% composition_chart funnel "Entonnoir des dossiers" label_header="État" value_header="Dossiers" %}
  {% bar_chart amounts "Montants engagés par région" unit="€" label_header="Région" value_header="Montant" %}
  {% bar_chart nothing "Avis régionaux" %}
{% endblock content %}"""

SECTORS = [
    ("Alimentation et agriculture durable", 14),
    ("Réemploi, réparation et économie circulaire des biens d'équipement et du textile", 9),
    ("<script>alert(1)</script>", 1),
    ("Culture", 0),
]
DAYS = [(f"{day:02d}/06", (day * 7) % 11) for day in range(1, 46)]
FUNNEL = [("Brouillons", 40), ("Déposés", 25), ("En instruction", 12), ("Éligibles", 8), ("Décidés", 5)]
AMOUNTS = [("Auvergne-Rhône-Alpes", 1_250_000_000_000), ("Bretagne", 100_000), ("Corse", 0)]


def charts_page(request):
    template = engines["django"].from_string(PAGE)
    context = {"sectors": SECTORS, "days": DAYS, "funnel": FUNNEL, "amounts": AMOUNTS, "nothing": []}
    return HttpResponse(template.render(context, request))


def sectors_csv(request):
    return chart_csv_response("secteurs.csv", ["Secteur", "Dossiers"], SECTORS)


urlpatterns = [
    path("essai-graphiques/", charts_page),
    path("essai-graphiques/secteurs.csv", sectors_csv),
    path("", include("ptce_ami.urls")),
]
