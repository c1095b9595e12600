"""The plausible range of typed dates (ptce_ami.core.validators)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from ptce_ami.core.validators import validate_past_date, validate_plausible_date

PARIS = datetime.timezone(datetime.timedelta(hours=1))


@freeze_time("2026-12-14 12:00")
@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (datetime.date(1900, 1, 1), True),
        (datetime.date(2031, 12, 14), True),
        (datetime.datetime(2031, 12, 14, 23, 59, tzinfo=PARIS), True),
        (None, True),
        (datetime.date(1899, 12, 31), False),
        (datetime.date(2031, 12, 15), False),
        (datetime.date(9999, 12, 31), False),
        (datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.UTC), False),
    ],
)
def test_plausible_dates_go_from_1900_to_five_years_ahead(value, valid):
    if valid:
        validate_plausible_date(value)
    else:
        with pytest.raises(ValidationError) as raised:
            validate_plausible_date(value)
        assert raised.value.messages == [
            "Saisissez une date comprise entre le 1er janvier 1900 et le 14 décembre 2031."
        ]


@freeze_time("2026-12-14 22:30")  # 23 h 30 in Paris: "today" is the Paris date
def test_past_dates_end_today_in_paris():
    validate_past_date(datetime.date(2026, 12, 14))
    with pytest.raises(ValidationError, match="entre le 1er janvier 1900 et le 14 décembre 2026"):
        validate_past_date(datetime.date(2026, 12, 15))


@freeze_time("2028-02-29")
def test_five_years_after_a_29th_of_february():
    validate_plausible_date(datetime.date(2033, 2, 28))
    with pytest.raises(ValidationError, match="28 février 2033"):
        validate_plausible_date(datetime.date(2033, 3, 1))
