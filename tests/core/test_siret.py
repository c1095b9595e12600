import pytest
from django import forms
from django.core.exceptions import ValidationError
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from ptce_ami.core.siret import SiretField, format_siret, siren_of, validate_siren, validate_siret

CHECKSUM_MESSAGE = (
    "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été inversé."
)
SIREN_PART_MESSAGE = (
    "Ce SIRET n'est pas valide : ses 9 premiers chiffres (le SIREN) ne forment pas un numéro SIREN correct. "
    "Vérifiez-les sur l'avis de situation Sirene ou le Kbis."
)
FORMAT_MESSAGE = "Le SIRET ne doit contenir que des chiffres (les espaces, points et tirets sont acceptés)."


def luhn_valid_siret(siren_base, nic_base):
    """A valid SIRET built from 8 + 4 digits: the SIREN key, then the key over the 14 digits."""
    siren = siren_base + luhn.calc_check_digit(siren_base)
    return siren + nic_base + luhn.calc_check_digit(siren + nic_base)


def error_of(value, validator=validate_siret):
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return caught.value


# Valid numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("siren_base", "nic_base"),
    [("73282932", "0007"), ("12345678", "0001"), ("83412765", "0001"), ("21190272", "0001")],
)
def test_luhn_valid_sirets_are_accepted(siren_base, nic_base):
    siret = luhn_valid_siret(siren_base, nic_base)

    assert validate_siret(siret) == siret


def test_la_poste_head_office_is_accepted():
    assert validate_siret("35600000000048") == "35600000000048"


def test_la_poste_establishments_follow_their_own_rule():
    """La Poste's SIRET (SIREN 356 000 000) need a digit sum divisible by 5, not a Luhn key."""
    establishment = "35600000009075"
    assert not luhn.is_valid(establishment)

    assert validate_siret(establishment) == establishment
    assert error_of("35600000000019").messages == [CHECKSUM_MESSAGE]


@pytest.mark.parametrize(
    "typed",
    [
        "732 829 320 00074",
        "732.829.320.00074",
        "732-829-320-00074",
        "  73282932000074  ",
        "732\u00a0829\u00a0320\u00a000074",  # no-break spaces pasted from a document
        "732 829 320 000 74",
    ],
)
def test_separators_are_accepted(typed):
    assert validate_siret(typed) == "73282932000074"


# Errors ----------------------------------------------------------------------------------------------------------


def test_too_short_says_how_many_digits_were_typed():
    error = error_of("123 456 789 000")

    assert error.messages == ["Le SIRET doit comporter 14 chiffres (vous en avez saisi 12)."]
    assert error.code == "siret_invalid_length"


def test_too_long_says_how_many_digits_were_typed():
    assert error_of("732829320000741").messages == ["Le SIRET doit comporter 14 chiffres (vous en avez saisi 15)."]


def test_letters_are_refused():
    error = error_of("7328293200007A")

    assert error.messages == [FORMAT_MESSAGE]
    assert error.code == "siret_invalid_format"


def test_wrong_key_asks_to_check_for_swapped_digits():
    error = error_of("73282932000079")

    assert error.messages == [CHECKSUM_MESSAGE]
    assert error.code == "siret_invalid_checksum"


def test_two_swapped_digits_break_the_key():
    assert error_of("73282932000047").code == "siret_invalid_checksum"


def test_invalid_siren_part_has_its_own_message():
    siret = "12345678000006"
    assert luhn.is_valid(siret) and not stdnum_siren.is_valid(siret[:9])  # 14 digits pass, first 9 do not

    error = error_of(siret)

    assert error.messages == [SIREN_PART_MESSAGE]
    assert error.code == "siret_invalid_siren"


def test_error_codes_are_distinct():
    codes = {error_of(value).code for value in ("123", "12345678900A12", "73282932000079", "12345678000006")}

    assert codes == {"siret_invalid_length", "siret_invalid_format", "siret_invalid_checksum", "siret_invalid_siren"}


# SIREN and helpers -----------------------------------------------------------------------------------------------


def test_validate_siren():
    assert validate_siren("732 829 320") == "732829320"
    assert error_of("73282932", validate_siren).messages == [
        "Le SIREN doit comporter 9 chiffres (vous en avez saisi 8)."
    ]
    assert error_of("732829321", validate_siren).messages == [
        "Ce SIREN n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été inversé."
    ]
    assert error_of("73282932O", validate_siren).code == "siren_invalid_format"


def test_siren_of():
    assert siren_of("732 829 320 00074") == "732829320"
    assert siren_of("35600000009075") == "356000000"
    with pytest.raises(ValidationError):
        siren_of("73282932000079")


def test_format_siret():
    assert format_siret("73282932000074") == "732 829 320 00074"
    assert format_siret("732.829.320.00074") == "732 829 320 00074"


def test_format_siret_leaves_anything_else_as_given():
    assert format_siret("1234") == "1234"
    assert format_siret("") == ""
    assert format_siret(None) is None


# Form field ------------------------------------------------------------------------------------------------------


class MemberForm(forms.Form):
    siret = SiretField(label="SIRET")


class OptionalSiretForm(forms.Form):
    siret = SiretField(label="SIRET", required=False)


def test_field_cleans_to_the_compact_siret():
    form = MemberForm(data={"siret": " 732 829 320 00074 "})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["siret"] == "73282932000074"


def test_field_shows_the_french_message():
    form = MemberForm(data={"siret": "732 829 320 000"})

    assert not form.is_valid()
    assert form.errors["siret"] == ["Le SIRET doit comporter 14 chiffres (vous en avez saisi 12)."]
    assert form.errors.as_data()["siret"][0].code == "siret_invalid_length"


def test_field_reports_a_long_entry_with_the_digit_count_not_a_character_count():
    form = MemberForm(data={"siret": "7328293200007412345"})

    assert form.errors["siret"] == ["Le SIRET doit comporter 14 chiffres (vous en avez saisi 19)."]


def test_field_required_and_optional():
    assert not MemberForm(data={"siret": "  "}).is_valid()
    optional = OptionalSiretForm(data={"siret": ""})
    assert optional.is_valid()
    assert optional.cleaned_data["siret"] == ""


def test_field_widget_helps_typing():
    html = str(MemberForm()["siret"])

    assert 'inputmode="numeric"' in html
    assert 'autocomplete="off"' in html
    assert 'maxlength="20"' in html
    assert len("123 456 789 000 12") <= 20
    assert MemberForm().fields["siret"].help_text == "14 chiffres, par exemple 123 456 789 00012"


def test_field_displays_a_stored_siret_with_spaces():
    html = str(MemberForm(initial={"siret": "73282932000074"})["siret"])

    assert 'value="732 829 320 00074"' in html
