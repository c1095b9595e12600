"""Claiming a phase-1 laureate of an earlier edition (selected before the platform) by the SIREN of its lead."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.forms import BaseForm


class ClaimForm(BaseForm):
    siren = forms.CharField(
        label=_("SIREN de la structure porteuse"),
        help_text=_("9 chiffres, par exemple 123 456 789 (les 9 premiers chiffres du SIRET)."),
        error_messages={"required": _("Indiquez le SIREN de la structure porteuse.")},
    )

    def clean_siren(self):
        value = "".join(self.cleaned_data["siren"].split())  # "123 456 789" as typed from a Kbis
        if not (len(value) == 9 and value.isdigit()):
            raise forms.ValidationError(_("Un SIREN compte 9 chiffres, par exemple 123 456 789."), code="invalid")
        return value
