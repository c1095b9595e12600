import math

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def points(value):
    """{{ score.spread|points }} → "12,5 points", "1,5 point", "0 point" (French: singular below 2)."""
    if value is None:
        return ""
    whole = math.floor(value)
    return ngettext("%(value)s point", "%(value)s points", whole) % {"value": floatformat(value, -2)}
