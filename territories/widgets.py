"""The territory autocomplete widget: a text input of codes, enhanced into a combobox by JavaScript.

Without JavaScript the user types codes separated by commas ("69123, 200046977, 38"). With JavaScript
(static/js/territory-autocomplete.js) the input becomes a WAI-ARIA 1.2 combobox; chosen places are shown as
DSFR dismissible tags and submitted as hidden inputs of the same name carrying place ids ("commune:69123").
The widget renders only the control, its listbox, its tags and a live region: labels, hints and errors are
the form template's job, and attributes it passes (aria-describedby, aria-invalid…) stay on the visible input.
"""

from django import forms
from django.urls import reverse

from territories.places import ALL_KINDS, place_label, resolve, split_tokens


class TerritoryAutocompleteWidget(forms.TextInput):
    template_name = "territories/widgets/territory_autocomplete.html"

    class Media:
        css = {"all": ["css/territory-autocomplete.css"]}
        js = ["js/territory-autocomplete.js"]

    def __init__(self, attrs=None, kinds=ALL_KINDS, multiple=True):
        attrs = {"autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        classes = attrs.get("class", "").split()
        attrs["class"] = " ".join(classes if "fr-input" in classes else ["fr-input", *classes])
        super().__init__(attrs)
        self.kinds = tuple(kinds)
        self.multiple = multiple

    def value_from_datadict(self, data, files, name):
        """Typed codes (one input) or place ids (several hidden inputs), joined by commas."""
        if name not in data:
            return None
        values = data.getlist(name) if hasattr(data, "getlist") else data[name]
        if isinstance(values, list | tuple):
            return ", ".join(value.strip() for value in values if value and value.strip())
        return values

    def format_value(self, value):
        tokens = split_tokens(value) if not hasattr(value, "ids") else value.ids
        return ", ".join(tokens)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        resolution = resolve(value, self.kinds)
        # Tokens that designate no place stay in the search box once JavaScript has turned the rest into tags.
        base_id = context["widget"]["attrs"].get("id") or name
        context["widget"].update(
            {
                "tags": [{"id": place.place_id, "label": place_label(place)} for place in resolution.selection.places],
                "pending": ", ".join(error.params["code"] for error in resolution.errors),
                "listbox_id": f"{base_id}-listbox",
                "status_id": f"{base_id}-status",
                "url": reverse("territories:autocomplete"),
                "kinds": ",".join(self.kinds),
                "multiple": self.multiple,
            }
        )
        return context
