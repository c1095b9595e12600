from django import forms
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.forms import BaseForm
from ptce_ami.site.opendata import PHASE_KINDS

FILTERS = ("region", "annee", "phase")


class LaureateFilterForm(BaseForm):
    """The filters of the public list (GET): region, year of the edition, phase. An invalid value filters nothing
    and says why next to its field."""

    region = forms.ChoiceField(label=_("Région"), required=False)
    annee = forms.TypedChoiceField(label=_("Année"), required=False, coerce=int, empty_value=None)
    phase = forms.TypedChoiceField(
        label=_("Phase"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Toutes")), *((number, kind.label) for number, kind in PHASE_KINDS.items())],
    )

    def __init__(self, data=None, *, regions, years, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["region"].choices = [("", _("Toutes")), *((region.code, region.name) for region in regions)]
        self.fields["annee"].choices = [("", _("Toutes")), *((year, year) for year in years)]

    def filters(self):
        """{"region", "year", "phase"}: the valid fields' values (None when not chosen or invalid)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"region": data.get("region") or None, "year": data.get("annee"), "phase": data.get("phase")}
