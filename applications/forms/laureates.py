"""The laureate history in the admin: the change form and the CSV/XLSX import (django-import-export).

The import shows a validated preview first (a dry run, rolled back) and writes only on confirmation. It serves both
the history behind rule R07 and the phase-1 laureates selected before the platform: a file with the columns nom,
siren, région, année, courriel gives « PTCE émergent » (phase 1) records with their porteur's address, which the
porteur then claims to start phase 2. Optional columns: nature (« phase 1 » or « financé »), appel, autres noms,
structure porteuse, source, note. Headers are read without regard to case, accents or spaces ("Région", "ANNEE",
"E-mail" work); each error is shown at its line of the file and its column, in French.

A row is the same laureate as a record of the history (and updates it) when they share the year, the nature and the
SIREN, or, without SIREN, the normalised name.
"""

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from applications.eligibility.laureates import name_key
from applications.enums import LaureateCall
from applications.models import LaureateRecord
from applications.services import laureate_history
from ptce_ami.core.forms import BaseModelForm
from ptce_ami.core.siret import compact, validate_siren
from ptce_ami.core.text import normalize_search

FIRST_YEAR, LAST_YEAR = 2010, 2100

# Column → the headers accepted for it (normalised: lower case, no accents, words separated by one space).
COLUMNS = {
    "nom": ("nom", "nom du pole", "pole", "nom du ptce", "ptce", "name"),
    "siren": ("siren", "siren du porteur", "siren de la structure porteuse", "siren porteur", "siren lead"),
    "région": ("region", "region s"),
    "année": ("annee", "annee de selection", "year"),
    "courriel": ("courriel", "e mail", "email", "mail", "adresse electronique", "courriel du porteur", "contact"),
    "nature": ("nature", "type", "kind"),
    "appel": ("appel", "call"),
    "autres noms": ("autres noms", "alias", "aliases"),
    "structure porteuse": ("structure porteuse", "porteur", "lead"),
    "source": ("source", "url", "source url"),
    "note": ("note", "notes", "commentaire"),
}
HEADERS = {header: column for column, headers in COLUMNS.items() for header in headers}

FUNDED_WORDS = {"finance", "financee", "funded", "phase 2", "aap", "oui"}
PHASE1_WORDS = {"phase 1", "label", "emergent", "ptce emergent", "phase1", "non"}


def spreadsheet_number(value):
    """A number a spreadsheet typed as such (2022, 2022.0) as its digits; other values as stripped text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


class SirenWidget(widgets.CharWidget):
    """A SIREN with or without separators; a spreadsheet that made it a number lost its leading zeros: put back."""

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return ""
        number = spreadsheet_number(value)
        if isinstance(value, int | float) and number.isdigit():
            number = number.zfill(9)
        try:
            return validate_siren(compact(number))
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from None


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        if isinstance(value, datetime.date):
            return value.year
        text = spreadsheet_number(value)
        if not (text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
            raise ValueError(
                _("« %(value)s » n'est pas une année : écrivez-la en 4 chiffres, par exemple 2022.") % {"value": text}
            )
        return int(text)


class KindWidget(widgets.Widget):
    """« phase 1 » (the label, the default) or « financé » (AAP 2013, AAP 2015, AMI phase 2)."""

    def clean(self, value, row=None, **kwargs):
        word = normalize_search(str(value or ""))
        if not word:
            return None
        if word in FUNDED_WORDS:
            return LaureateCall.FUNDED
        if word in PHASE1_WORDS:
            return LaureateCall.PHASE1
        raise ValueError(
            _("Nature inconnue : « %(value)s ». Écrivez « phase 1 » (label PTCE émergent) ou « financé ».")
            % {"value": str(value).strip()}
        )

    def render(self, value, obj=None, **kwargs):
        return LaureateCall(value).label if value in LaureateCall.values else ""


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return spreadsheet_number(value) if value is not None else ""


class LaureateRecordResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="nom", widget=TextWidget())
    lead_siren = fields.Field(attribute="lead_siren", column_name="siren", widget=SirenWidget())
    region_name = fields.Field(attribute="region_name", column_name="région", widget=TextWidget())
    year = fields.Field(attribute="year", column_name="année", widget=YearWidget())
    contact_email = fields.Field(attribute="contact_email", column_name="courriel", widget=TextWidget())
    kind = fields.Field(attribute="kind", column_name="nature", widget=KindWidget())
    call = fields.Field(attribute="call", column_name="appel", widget=TextWidget())
    aliases = fields.Field(attribute="aliases", column_name="autres noms", widget=TextWidget())
    lead = fields.Field(attribute="lead", column_name="structure porteuse", widget=TextWidget())
    source_url = fields.Field(attribute="source_url", column_name="source", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="note", widget=TextWidget())

    class Meta:
        model = LaureateRecord
        fields = (
            "name",
            "lead_siren",
            "region_name",
            "year",
            "contact_email",
            "kind",
            "call",
            "aliases",
            "lead",
            "source_url",
            "note",
        )
        import_id_fields = ()
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.regions = None
        self.known = {}

    @classmethod
    def get_display_name(cls):
        return _("Historique des lauréats")

    def before_import(self, dataset, **kwargs):
        """Headers as the file spells them → our column names; the referential's regions, read once."""
        dataset.headers = [HEADERS.get(normalize_search(str(header or "")), header) for header in dataset.headers]
        self.regions = laureate_history.region_index()

    def get_instance(self, instance_loader, row):
        """The record of the same year and nature with the same SIREN, or without SIREN the same normalised name."""
        try:
            year = YearWidget().clean(row.get("année"))
            kind = KindWidget().clean(row.get("nature")) or LaureateCall.PHASE1
            siren = SirenWidget().clean(row.get("siren"))
        except ValueError:
            return None
        if year is None:
            return None
        if (year, kind) not in self.known:
            self.known[(year, kind)] = list(LaureateRecord.objects.filter(year=year, kind=kind))
        key = name_key(str(row.get("nom") or ""))
        for record in self.known[(year, kind)]:
            if (siren and record.lead_siren == siren) or (not siren and key and name_key(record.name) == key):
                return record
        return None

    def import_instance(self, instance, row, **kwargs):
        """The columns, then what a phase-1 list leaves out: the nature (phase 1), the call ("AMI 2022 phase 1"),
        the region of the referential when one region is named."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if not instance.kind:
            instance.kind = LaureateCall.PHASE1
        if not instance.call and instance.year:
            instance.call = default_call(instance.year, instance.kind)
        elif not instance.call and "year" in errors:
            errors["call"] = []  # derived from the year: the year's error says it all
        unknown = laureate_history.unknown_regions(instance.region_name, self.regions)
        if unknown:
            errors.setdefault("region_name", []).append(
                ValidationError(
                    _("Région inconnue : « %(names)s ». Écrivez son nom, par exemple « Occitanie ».")
                    % {"names": "», « ".join(unknown)}
                )
            )
        instance.region = laureate_history.region_of(instance.region_name, self.regions)
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The errors keyed by the file's column names (« siren », « année »…) rather than the model's fields."""
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            columns = {field.attribute: field.column_name for field in self.fields.values()}
            raise ValidationError(
                {
                    columns.get(key, _("ligne") if key == NON_FIELD_ERRORS else key): messages
                    for key, messages in error.message_dict.items()
                    if messages
                }
            ) from None


def default_call(year, kind):
    """The call's name as the history spells it (rule R07 names the edition from it: "AMI 2022")."""
    if kind == LaureateCall.PHASE1:
        return f"AMI {year} phase 1"
    if year < 2021:
        return f"AAP {year}"
    return f"AMI {year} phase 2"


class SpreadsheetCSV(base_formats.CSV):
    """CSV as spreadsheets write it in France too: « ; » between columns, or « , »."""

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes) and self.encoding:
            in_stream = in_stream.decode(self.encoding)
        first_line = in_stream.split("\n", 1)[0]
        kwargs.setdefault("delimiter", ";" if first_line.count(";") > first_line.count(",") else ",")
        return super().create_dataset(in_stream, **kwargs)


IMPORT_FORMATS = [SpreadsheetCSV, base_formats.XLSX]


class LaureateRecordForm(BaseModelForm):
    """The admin's form: the SIREN with or without spaces, checked; the region of the referential follows the
    region named when one is."""

    lead_siren = forms.CharField(
        label=gettext_lazy("SIREN de la structure porteuse"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("9 chiffres, espaces acceptés. La règle 7 compare d'abord les SIREN."),
    )
    source_url = forms.URLField(label=gettext_lazy("source"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = LaureateRecord
        fields = [
            "name",
            "aliases",
            "year",
            "call",
            "kind",
            "lead",
            "lead_siren",
            "region_name",
            "region",
            "contact_email",
            "source_url",
            "note",
        ]
        help_texts = {
            "region": gettext_lazy("Renseignée d'après le nom de la région quand une seule région est nommée."),
        }

    def clean_lead_siren(self):
        value = self.cleaned_data["lead_siren"]
        return validate_siren(value) if compact(value) else ""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("region") and cleaned.get("region_name"):
            cleaned["region"] = laureate_history.region_of(cleaned["region_name"], laureate_history.region_index())
        elif cleaned.get("region") and not cleaned.get("region_name"):
            cleaned["region_name"] = cleaned["region"].name
        return cleaned
