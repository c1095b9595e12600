"""The form that asks for an export of the instruction list's selection."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.forms import BaseModelForm
from reviews.models import Export, ExportFormat, ExportKind


class ExportForm(BaseModelForm):
    """The list's query string (hidden), what the export holds (hidden: the instruction list's dossiers unless a
    finance export's button says otherwise) and the format; one submit button per format on the list page."""

    class Meta:
        model = Export
        fields = ["query", "kind", "format"]
        labels = {"format": _("Format du fichier")}
        widgets = {"query": forms.HiddenInput, "kind": forms.HiddenInput, "format": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        # Own ids: the form sits on the instruction list beside the filters' form.
        kwargs.setdefault("auto_id", "export-%s")
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = ExportFormat.choices
        self.fields["format"].initial = ExportFormat.XLSX
        self.fields["kind"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("export", _("Exporter la sélection")))

    def clean_query(self):
        return self.cleaned_data["query"].lstrip("?")

    def clean_kind(self):
        return self.cleaned_data["kind"] or ExportKind.DOSSIERS
