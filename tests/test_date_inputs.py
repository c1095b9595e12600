"""Native date pickers show the date in the browser's own format: our help texts never announce another one."""

import importlib
import pkgutil
import re

from django import forms

import applications
import ptce_ami
import reviews
import territories

NATIVE_PICKERS = {"date", "datetime-local", "time", "month", "week"}
FORMAT_HINT = re.compile(r"format|jj|mm/|aaaa|hh:mm", re.IGNORECASE)


def import_form_modules():
    for package in (applications, reviews, territories, ptce_ami):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if "forms" in module.name.rsplit(".", 1)[-1] or ".forms." in module.name:
                importlib.import_module(module.name)


def our_form_classes():
    import_form_modules()
    seen, pending = [], [forms.BaseForm]
    while pending:
        cls = pending.pop()
        for subclass in cls.__subclasses__():
            pending.append(subclass)
            if subclass.__module__.split(".")[0] in {"applications", "reviews", "territories", "ptce_ami"}:
                seen.append(subclass)
    return seen


def native_picker_fields():
    for form_class in our_form_classes():
        for name, field in form_class.base_fields.items():
            if getattr(field.widget, "input_type", None) in NATIVE_PICKERS:
                yield f"{form_class.__module__}.{form_class.__qualname__}.{name}", field


def test_the_scan_finds_the_date_fields_of_porteurs_and_staff():
    names = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name, _field in native_picker_fields()}

    assert {"PoleForm.started_on", "CorrectionRequestForm.due_at"} <= names
    assert any(name.endswith(".due_on") for name in names)  # reviewers' due dates (staff)


def test_no_native_date_picker_is_announced_with_a_format():
    announced = {
        name: str(field.help_text)
        for name, field in native_picker_fields()
        if FORMAT_HINT.search(str(field.help_text))
    }

    assert announced == {}
