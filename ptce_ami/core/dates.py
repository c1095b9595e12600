"""Dates written the French way, without ambiguity: "31 juillet 2023 à 12 h 00, heure de Paris"."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def day_month_year(value):
    """ "1er juin 2026", "31 juillet 2023" (the first of the month is an ordinal in French)."""
    day = _("1er") if value.day == 1 else str(value.day)
    return f"{day} {date_format(value, 'F Y')}"


def format_datetime(value, *, seconds=False):
    """ "31 juillet 2023 à 12 h 00" in Paris time; with ``seconds``: "… à 12 h 00 min 05 s"."""
    local = timezone.localtime(value)
    if seconds:
        time = _("%(hour)d h %(minute)02d min %(second)02d s") % {
            "hour": local.hour,
            "minute": local.minute,
            "second": local.second,
        }
    else:
        time = _("%(hour)d h %(minute)02d") % {"hour": local.hour, "minute": local.minute}
    return _("%(date)s à %(time)s") % {"date": day_month_year(local), "time": time}


def format_deadline(value):
    return _("%(datetime)s, heure de Paris") % {"datetime": format_datetime(value)}
