from django import template

from ptce_ami.core import dates

register = template.Library()


@register.filter
def deadline(value):
    """{{ phase.closes_at|deadline }} → "31 juillet 2023 à 12 h 00, heure de Paris"."""
    return dates.format_deadline(value) if value else ""


@register.filter
def datetime_fr(value, arg=""):
    """{{ moment|datetime_fr }} → "21 novembre 2026 à 14 h 32"; {{ moment|datetime_fr:"seconds" }} adds seconds."""
    return dates.format_datetime(value, seconds=arg == "seconds") if value else ""


@register.filter
def date_fr(value):
    return dates.day_month_year(value) if value else ""
