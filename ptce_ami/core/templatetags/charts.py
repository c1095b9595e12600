"""``{% bar_chart items title %}``, ``{% column_chart items title %}``, ``{% composition_chart items title %}``:
a chart drawn on the server (ptce_ami.core.charts), its numbers in a table « Voir les données » and, given
``csv_url``, a link to download them. ``items`` are pairs (label, number); ``unit`` is "", "€" or "%".
"""

from django import template
from django.utils.translation import gettext as _

from ptce_ami.core import charts

register = template.Library()


def context(chart, label_header, value_header, csv_url):
    return {
        "chart": chart,
        "label_header": label_header or _("Catégorie"),
        "value_header": value_header or _("Valeur"),
        "csv_url": csv_url,
        "text_colour": charts.TEXT_COLOUR,
        "axis_colour": charts.AXIS_COLOUR,
    }


@register.inclusion_tag("includes/charts/chart.html")
def bar_chart(items, title, unit="", label_header="", value_header="", csv_url=""):
    return context(charts.horizontal_bars(items, title, unit), label_header, value_header, csv_url)


@register.inclusion_tag("includes/charts/chart.html")
def column_chart(items, title, unit="", label_header="", value_header="", csv_url=""):
    return context(charts.columns(items, title, unit), label_header, value_header, csv_url)


@register.inclusion_tag("includes/charts/chart.html")
def composition_chart(items, title, unit="", label_header="", value_header="", csv_url=""):
    return context(charts.composition(items, title, unit), label_header, value_header, csv_url)
