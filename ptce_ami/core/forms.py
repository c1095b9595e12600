"""The base of every form of the platform (``BaseForm``, ``BaseModelForm``, or ``InputCleaningMixin`` first in the
bases of a Django form): what people type is cleaned once, before any field reads it.

- Text: every submitted value loses its control characters and bidi overrides (ptce_ami.core.text.clean_text),
  whatever the field: text, e-mail, hidden, choice. Passwords are kept as typed: they are never shown, and a
  password changed on the way would no longer be the one its owner types.
- Numbers: every number field (IntegerField, DecimalField, FloatField) reads French numbers, "0,5" as well as
  "0.5", "1 200" as well as "1200", shows "0,5", and is a text input with a numeric keyboard: ``type="number"``
  cannot show "0,5" and, in some browsers, sends nothing for what it does not understand.

- Object ids: a choice of objects by id (ModelChoiceField, ModelMultipleChoiceField) refuses a number too large for
  the database's integers as an unknown choice, next to the field: the database would otherwise fail on it (SQLite
  cannot even bind it), a server error.

tests/core/test_input_cleaning.py walks every form of the project and checks both on each.
"""

import re

from django import forms

from ptce_ami.core.text import clean_text

# Spaces between digits are thousands separators: "1 200", "1\u00a0200", "1\u202f200".
_DIGIT_GROUPS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d)")
_NUMBER_INPUT_ONLY = ("min", "max", "step")
# The largest id a database integer column holds (PostgreSQL's and SQLite's 64-bit integers).
_MAX_ID = 2**63 - 1


class InputCleaningMixin:
    """Cleans the submitted data and localizes the number fields (see the module's docstring).

    Applies to the fields the form has when this ``__init__`` ends: declare number and password fields on the
    class (or in Meta), not in a subclass's ``__init__``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numbers, passwords, ids = set(), set(), set()
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField):  # DecimalField and FloatField are IntegerFields
                localize_number_field(field)
                numbers.add(self.add_prefix(name))
            elif isinstance(field.widget, forms.PasswordInput):
                passwords.add(self.add_prefix(name))
            elif isinstance(field, forms.ModelChoiceField):  # ModelMultipleChoiceField is one too
                ids.add(self.add_prefix(name))
        if self.is_bound:
            self.data = cleaned_input(self.data, numbers=numbers, passwords=passwords, ids=ids)


def out_of_range_id(value):
    """An id beyond any database integer, made a value the field refuses as an unknown choice (it no longer reads as a
    number: "…" after its first digits); any other value as it is."""
    digits = value.strip().lstrip("+-")
    if digits.isascii() and digits.isdigit() and int(digits) > _MAX_ID:
        return f"{value.strip()[:20]}…"
    return value


class BaseForm(InputCleaningMixin, forms.Form):
    pass


class BaseModelForm(InputCleaningMixin, forms.ModelForm):
    pass


def localize_number_field(field):
    field.localize = True
    if isinstance(field.widget, forms.NumberInput):
        attrs = {key: value for key, value in field.widget.attrs.items() if key not in _NUMBER_INPUT_ONLY}
        attrs.setdefault(
            "inputmode", "decimal" if isinstance(field, forms.DecimalField | forms.FloatField) else "numeric"
        )
        field.widget = forms.TextInput(attrs=attrs)
    field.widget.is_localized = True


def cleaned_input(data, *, numbers=(), passwords=(), ids=()):
    """``data`` (a QueryDict or a dict) with each value cleaned; ``data`` itself when nothing changes."""

    def clean(key, value):
        if not isinstance(value, str) or key in passwords:
            return value
        value = clean_text(value)
        if key in ids:
            return out_of_range_id(value)
        return _DIGIT_GROUPS.sub("", value) if key in numbers else value

    if hasattr(data, "lists"):
        items = {key: [clean(key, value) for value in values] for key, values in data.lists()}
        if all(items[key] == values for key, values in data.lists()):
            return data
        cleaned = data.copy()
        for key, values in items.items():
            cleaned.setlist(key, values)
        return cleaned
    cleaned = {
        key: [clean(key, item) for item in value] if isinstance(value, list | tuple) else clean(key, value)
        for key, value in data.items()
    }
    return data if cleaned == dict(data) else cleaned
