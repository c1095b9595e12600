"""Form fields for places: one commune (CommuneField) or a territory of mixed places (TerritoryField)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from territories.enums import PlaceKind
from territories.models import EPCI, Commune, Departement
from territories.places import ALL_KINDS, TerritorySelection, resolve, selection_of
from territories.widgets import TerritoryAutocompleteWidget

__all__ = ["CommuneField", "TerritoryField", "TerritorySelection"]


class PlaceFieldMixin:
    """What both fields share: typed codes or ids in, places out; initial values of any reasonable shape."""

    kinds = ALL_KINDS

    def resolve(self, value):
        resolution = resolve(self.prepare_value(value), self.kinds)
        if resolution.errors:
            raise ValidationError(resolution.errors)
        return resolution.selection

    def prepare_value(self, value):
        """Turn model instances (or a commune's primary key, as a ModelForm gives it) into a TerritorySelection."""
        if isinstance(value, Commune | EPCI | Departement):
            return selection_of([value])
        if isinstance(value, int) and not isinstance(value, bool):
            commune = Commune.objects.select_related("departement", "parent").filter(pk=value).first()
            return selection_of([commune] if commune else [])
        if isinstance(value, list | tuple) and value and all(hasattr(item, "place_id") for item in value):
            return selection_of(list(value))
        return value

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        return self.place_ids(initial) != self.place_ids(data)

    def place_ids(self, value):
        return set(resolve(self.prepare_value(value), self.kinds).selection.ids)


class TerritoryField(PlaceFieldMixin, forms.Field):
    """Several places of mixed kinds; cleans to a TerritorySelection (empty, and falsy, when nothing is given).

    initial accepts a TerritorySelection, a list of ids ("commune:69123", "epci:200046977", "departement:38")
    or of model instances.
    """

    default_error_messages = {"required": _("Indiquez au moins une commune, un EPCI ou un département.")}
    default_help_text = _(
        "Saisissez le nom d'une commune, d'un EPCI ou d'un département. Sans JavaScript, indiquez leurs codes "
        "séparés par des virgules : code INSEE d'une commune, SIREN d'un EPCI, numéro de département "
        "(ex. : 69123, 200046977, 38)."
    )

    def __init__(self, *, kinds=ALL_KINDS, **kwargs):
        self.kinds = tuple(kinds)
        kwargs.setdefault("widget", TerritoryAutocompleteWidget(kinds=self.kinds, multiple=True))
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def to_python(self, value):
        return self.resolve(value)

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")


class CommuneField(PlaceFieldMixin, forms.Field):
    """One commune of any kind (current, déléguée, associée, municipal district); cleans to a Commune or None."""

    kinds = (PlaceKind.COMMUNE,)
    default_error_messages = {
        "required": _("Indiquez une commune."),
        "several": _("Indiquez une seule commune."),
    }
    default_help_text = _("Saisissez le nom de la commune. Sans JavaScript, indiquez son code INSEE (ex. : 69123).")

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", TerritoryAutocompleteWidget(kinds=self.kinds, multiple=False))
        kwargs.setdefault("help_text", self.default_help_text)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        communes = self.resolve(value).communes
        if len(communes) > 1:
            raise ValidationError(self.error_messages["several"], code="several")
        return communes[0] if communes else None
