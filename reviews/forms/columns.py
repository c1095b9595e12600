"""The instruction list's column chooser: which columns of the catalogue (reviews/services/columns.py) to show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.forms import BaseForm
from reviews.services.columns import CATALOGUE

UNKNOWN_COLUMN = _("« %(value)s » n'est pas une colonne de la liste : cochez les colonnes proposées.")


class ColumnsForm(BaseForm):
    columns = forms.MultipleChoiceField(
        label=_("Colonnes affichées"),
        help_text=_("La référence du dossier est toujours affichée : elle mène à sa page."),
        choices=[(column.key, column.label) for column in CATALOGUE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": UNKNOWN_COLUMN},
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="colonnes", **kwargs)
        self.fields["columns"].widget.inline = True  # side by side: the catalogue is long

    def clean_query(self):
        return (self.cleaned_data.get("query") or "").lstrip("?")
