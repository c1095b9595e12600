"""Bounds of the dates people type, shared by model fields (so that the admin checks them too) and form fields.

One plausible range for every typed date: from 1 January 1900 to five years from today; a date of the past (the
start of a cooperation) also ends today. Only bounds that never shrink go on model fields, so that a row valid
yesterday stays valid today: "not in the past" (a due date) is checked by its form, at the time it is typed.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ptce_ami.core.dates import day_month_year

EARLIEST_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 5


def latest_date():
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def as_date(value):
    """The Paris date of a datetime; a date as it is."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def check_date_between(value, earliest, latest):
    if value is not None and not earliest <= as_date(value) <= latest:
        raise ValidationError(
            _("Saisissez une date comprise entre le %(earliest)s et le %(latest)s.")
            % {"earliest": day_month_year(earliest), "latest": day_month_year(latest)},
            code="date_out_of_range",
        )


def validate_plausible_date(value):
    """A date (or datetime) between 1 January 1900 and five years from today."""
    check_date_between(value, EARLIEST_DATE, latest_date())


def validate_past_date(value):
    """A date (or datetime) between 1 January 1900 and today."""
    check_date_between(value, EARLIEST_DATE, timezone.localdate())
