"""``{% load maps %}``: choropleth maps drawn on the server (territories.maps), with a legend, their numbers in a
table « Voir les données » and, given ``csv_url``, a link to download them.

``{% region_map values caption unit="" csv_url="" links=None label_header="" value_header="" %}``
    France by region, the overseas regions in insets; ``values``: {INSEE region code: number}.
``{% departement_map region_code values caption unit="" csv_url="" links=None label_header="" value_header="" %}``
    The départements of one region; ``values``: {INSEE département code: number}.

``unit``: "", "€", "%" (written with each number), a word ("dossiers") or a pair (singular, plural) such as
("lauréat", "lauréats") written after the number in each area's name and in the legend's title; the table gives
the numbers alone, under ``value_header``. Codes missing from ``values`` count as zero; ``links`` ({code: url})
makes each area a link named "Name : value unit" (the map is then a group of links rather than one image).
The outlines come from ``@gouvfr/dsfr-chart`` 2.0.4 (MIT, 2025), see territories/data/geometry/README.md.
"""

from django import template
from django.utils.translation import gettext as _

from ptce_ami.core import charts
from territories import maps

register = template.Library()


def context(chart, unit, csv_url, label_header, value_header):
    return {
        "chart": chart,
        "role": "group" if any(area.url for area in chart.areas) else "img",
        "csv_url": csv_url,
        "label_header": label_header,
        "value_header": value_header or _("Valeur"),
        "legend_title": maps.legend_title(unit),
        "text_colour": charts.TEXT_COLOUR,
        "frame_colour": charts.AXIS_COLOUR,
        "outline_colour": charts.OUTLINE_COLOUR,
    }


@register.inclusion_tag("territories/maps/map.html")
def region_map(values, caption, unit="", csv_url="", links=None, label_header="", value_header=""):
    chart = maps.region_map(values, caption, unit, links)
    return context(chart, unit, csv_url, label_header or _("Région"), value_header)


@register.inclusion_tag("territories/maps/map.html")
def departement_map(region_code, values, caption, unit="", csv_url="", links=None, label_header="", value_header=""):
    chart = maps.departement_map(region_code, values, caption, unit, links)
    return context(chart, unit, csv_url, label_header or _("Département"), value_header)
