"""SIRET and SIREN numbers: validation with French error messages, formatting and a form field.

Checks are python-stdnum's (``stdnum.fr.siret``, ``stdnum.fr.siren``): the Luhn key on the 14 digits, then on
the 9 digits of the SIREN, except for La Poste's establishments (SIREN 356 000 000), whose SIRET only need a
sum of digits divisible by 5. We add what users need: separators are accepted and each mistake gets its own
message and code, so that the form can say what to fix.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.exceptions import InvalidChecksum
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

SIRET_LENGTH = 14
SIREN_LENGTH = 9

# Spaces (including the no-break spaces word processors insert), dots and hyphens.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]+")
_DIGITS = re.compile(r"[0-9]*")

MESSAGES = {
    "siret_invalid_format": _(
        "Le SIRET ne doit contenir que des chiffres (les espaces, points et tirets sont acceptés)."
    ),
    "siret_invalid_length": _("Le SIRET doit comporter 14 chiffres (vous en avez saisi %(count)d)."),
    "siret_invalid_checksum": _(
        "Ce SIRET n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été inversé."
    ),
    "siret_invalid_siren": _(
        "Ce SIRET n'est pas valide : ses 9 premiers chiffres (le SIREN) ne forment pas un numéro SIREN correct. "
        "Vérifiez-les sur l'avis de situation Sirene ou le Kbis."
    ),
    "siren_invalid_format": _(
        "Le SIREN ne doit contenir que des chiffres (les espaces, points et tirets sont acceptés)."
    ),
    "siren_invalid_length": _("Le SIREN doit comporter 9 chiffres (vous en avez saisi %(count)d)."),
    "siren_invalid_checksum": _(
        "Ce SIREN n'est pas valide : la clé de contrôle ne correspond pas. Vérifiez qu'aucun chiffre n'a été inversé."
    ),
}


def compact(value):
    """The number without surrounding blanks nor separators: "123 456-789.00012" → "12345678900012"."""
    return _SEPARATORS.sub("", str(value or ""))


def _check_digits(number, kind, length):
    """Raise for non-digits or a wrong length; ``kind`` is "siret" or "siren" (selects message and code)."""
    if not _DIGITS.fullmatch(number):
        code = f"{kind}_invalid_format"
        raise ValidationError(MESSAGES[code], code=code)
    if len(number) != length:
        code = f"{kind}_invalid_length"
        raise ValidationError(MESSAGES[code], code=code, params={"count": len(number)})


def validate_siret(value):
    """Return the compact 14-digit SIRET, or raise ValidationError with a French message.

    Codes: ``siret_invalid_format`` (a character other than digits and separators), ``siret_invalid_length``,
    ``siret_invalid_checksum`` (the key of the 14 digits; most often two digits swapped) and
    ``siret_invalid_siren`` (the 14 digits pass but their first 9 are not a valid SIREN).
    """
    number = compact(value)
    _check_digits(number, "siret", SIRET_LENGTH)
    try:
        return stdnum_siret.validate(number)
    except InvalidChecksum:
        # stdnum raises the same exception for both keys; tell them apart for the message.
        siren_is_wrong = not stdnum_siren.is_valid(number[:SIREN_LENGTH]) and luhn.is_valid(number)
        code = "siret_invalid_siren" if siren_is_wrong else "siret_invalid_checksum"
        raise ValidationError(MESSAGES[code], code=code) from None


def validate_siren(value):
    """Return the compact 9-digit SIREN, or raise ValidationError (codes ``siren_invalid_…``)."""
    number = compact(value)
    _check_digits(number, "siren", SIREN_LENGTH)
    if not stdnum_siren.is_valid(number):
        raise ValidationError(MESSAGES["siren_invalid_checksum"], code="siren_invalid_checksum")
    return number


def siren_of(siret):
    """The SIREN (first 9 digits) of a valid SIRET; raises ValidationError if the SIRET is not valid."""
    return validate_siret(siret)[:SIREN_LENGTH]


def format_siret(value):
    """Display form "123 456 789 00012". Anything that is not 14 digits is returned as given (for display only)."""
    number = compact(value)
    if len(number) != SIRET_LENGTH or not _DIGITS.fullmatch(number):
        return value
    return f"{number[0:3]} {number[3:6]} {number[6:9]} {number[9:]}"


class SiretField(forms.CharField):
    """A SIRET input: accepts separators, cleans to the compact 14 digits, explains mistakes in French.

    There is no max_length validator on purpose: a too long entry gets the "14 chiffres" message rather than
    Django's character count. The HTML ``maxlength`` leaves room for separators ("123 456 789 000 12").
    """

    default_help_text = _("14 chiffres, par exemple 123 456 789 00012")
    html_max_length = 20

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", self.default_help_text)
        kwargs.pop("max_length", None)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                "maxlength": str(self.html_max_length),
            }
        )
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return self.empty_value
        return validate_siret(value)

    def prepare_value(self, value):
        return format_siret(value) if isinstance(value, str) else value
