"""Every form of the project cleans what people type and reads French numbers (ptce_ami.core.forms).

The walk finds the forms by themselves (every Form subclass defined in our packages), so that a new form that
does not inherit the base fails here; only the Django admin's forms are left out: its pages are for
administrators, and its generated forms do not go through ours anyway.
"""

import importlib
import inspect
import pkgutil
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django import forms
from django.http import QueryDict

from applications.enums import RuleStatus
from applications.forms.dossiers import PorteurForm
from applications.models import EligibilityResult
from ptce_ami.accounts.models import User
from ptce_ami.core.forms import BaseForm, InputCleaningMixin, cleaned_input
from ptce_ami.core.text import clean_text
from reviews.services.bouquet import offers
from reviews.services.grants import SpendingLine
from reviews.services.selection import DossierFilter
from tests.accounts.factories import UserFactory
from tests.applications.factories import DossierFactory, PhaseFactory
from tests.reviews.factories import BouquetRequestFactory, GridFactory

pytestmark = pytest.mark.django_db

PACKAGES = ("applications", "reviews", "territories", "ptce_ami")
NOT_MODULES = (".migrations", ".settings", ".test_settings", ".wsgi", ".asgi")

HOSTILE = "Pôle\x01 des\x1b[0m Rives\x7f \u202efdp.exe\u2066\u2069 \x00fin 👩\u200d👩\u200d👧"
CLEANED = "Pôle des[0m Rives fdp.exe fin 👩\u200d👩\u200d👧"

# How to build the arguments that a form's __init__ requires, by name.
ARGUMENTS = {
    "dossier": lambda: DossierFactory(),
    "staff": lambda: True,
    "grid": lambda: GridFactory(phase=PhaseFactory()),
    "reviewer": lambda: UserFactory(evaluateur=True),
    "action": lambda: "reopen",
    "result": lambda: EligibilityResult(rule_id="R1", status=RuleStatus.FAIL),
    "user": lambda: UserFactory(),
    "offers": lambda: offers(DossierFactory()),
    "bouquet_request": lambda: BouquetRequestFactory(),
    "payment": lambda: SimpleNamespace(pk=1, label="Premier versement"),
    "report": lambda: SimpleNamespace(pk=1),
    "indicators": lambda: ["Emplois créés ou consolidés"],
    "spending": lambda: [SpendingLine("personnel", "Personnel", Decimal(1000), None)],
    "side": lambda: "resources",
    "phase": lambda: PhaseFactory(phase2=True),
    "regions": lambda: [SimpleNamespace(code="84", name="Auvergne-Rhône-Alpes")],
    "years": lambda: [2026],
}


def project_form_classes():
    for package in PACKAGES:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if not any(part in module.name for part in NOT_MODULES):
                importlib.import_module(module.name)
    found, pending = set(), [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            pending.append(subclass)
            module = subclass.__module__
            if module.split(".")[0] in PACKAGES and not module.endswith(".admin"):
                found.add(subclass)
    # A ModelForm without a model (a shared base) cannot be built.
    usable = [cls for cls in found if getattr(getattr(cls, "_meta", None), "model", True) is not None]
    return sorted(usable, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


FORM_CLASSES = project_form_classes()


def required_arguments(cls):
    names = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for parameter in list(inspect.signature(init).parameters.values())[1:]:
            if parameter.default is parameter.empty and parameter.kind in (
                parameter.KEYWORD_ONLY,
                parameter.POSITIONAL_OR_KEYWORD,
            ):
                names.add(parameter.name)
    return names


def build(cls, data=None):
    missing = required_arguments(cls) - set(ARGUMENTS)
    assert not missing, f"{cls.__qualname__} needs {missing}: say how to build it in ARGUMENTS"
    kwargs = {name: ARGUMENTS[name]() for name in required_arguments(cls)}
    return cls(data=data, **kwargs), kwargs


def rebuild(cls, kwargs, data):
    return cls(data=data, **kwargs)


def is_password(field):
    return isinstance(field.widget, forms.PasswordInput)


def data_for(form, value):
    data = QueryDict(mutable=True)
    for name in form.fields:
        data.setlist(form.add_prefix(name), [value])
    return data


def test_the_walk_finds_the_forms_of_every_app():
    names = {cls.__qualname__ for cls in FORM_CLASSES}

    assert {"PoleForm", "PorteurForm", "MessageForm", "AttachmentForm", "ReviewForm", "SignupForm"} <= names
    assert len(FORM_CLASSES) >= 40


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_form_inherits_the_input_cleaning(cls):
    assert issubclass(cls, InputCleaningMixin)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_form_cleans_control_characters_but_keeps_passwords(cls):
    unbound, kwargs = build(cls)
    form = rebuild(cls, kwargs, data_for(unbound, HOSTILE))

    form.is_valid()

    for name, field in form.fields.items():
        typed = form[name].data
        if is_password(field):
            assert typed == HOSTILE, name
        else:
            values = typed if isinstance(typed, list) else [typed]
            assert all(clean_text(value) == value for value in values if isinstance(value, str)), name
        if isinstance(field, forms.CharField) and not is_password(field) and name in form.cleaned_data:
            assert form.cleaned_data[name] in (CLEANED, CLEANED.strip()), name


def number_fields():
    for cls in FORM_CLASSES:
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.IntegerField):
                yield cls, name


NUMBER_FIELDS = list(number_fields())


def test_the_walk_finds_the_number_fields():
    found = {f"{cls.__qualname__}.{name}" for cls, name in NUMBER_FIELDS}

    assert {
        "PorteurForm.animation_fte",
        "ProjetForm.jobs_expected",
        "AutoAssignForm.per_dossier",
        "AutoAssignForm.cap",
        "RegionalOpinionForm.rank",
    } <= found


@pytest.mark.parametrize(("cls", "name"), NUMBER_FIELDS, ids=lambda value: getattr(value, "__qualname__", value))
def test_every_number_field_reads_french_numbers_in_a_text_input(cls, name):
    unbound, kwargs = build(cls)
    field = unbound.fields[name]
    decimal = isinstance(field, forms.DecimalField | forms.FloatField)
    typed, expected = ("1 234,5", Decimal("1234.5")) if decimal else ("1\u00a0234", 1234)

    form = rebuild(cls, kwargs, {unbound.add_prefix(name): typed})

    assert (field.widget.input_type, field.widget.attrs["inputmode"]) == ("text", "decimal" if decimal else "numeric")
    assert not {"min", "max", "step"} & set(field.widget.attrs)
    assert field.to_python(form[name].data) == expected


def test_a_decimal_is_shown_the_french_way():

    form = PorteurForm(initial={"animation_fte": Decimal("0.50")})

    assert 'value="0,50"' in str(form["animation_fte"])


def test_the_instruction_filters_clean_and_read_french_scores():
    filterset = DossierFilter(QueryDict("q=P%C3%B4le%01%E2%80%AE&score_min=12,5&score_max=99.5"))

    assert filterset.form.is_valid(), filterset.form.errors
    assert filterset.form.cleaned_data["q"] == "Pôle"
    assert (filterset.form.cleaned_data["score_min"], filterset.form.cleaned_data["score_max"]) == (
        Decimal("12.5"),
        Decimal("99.5"),
    )


def test_cleaned_input_keeps_the_data_when_nothing_changes():
    data = QueryDict("name=P%C3%B4le&sectors=1&sectors=2")

    assert cleaned_input(data) is data


def test_cleaned_input_cleans_every_value_of_a_list():
    data = QueryDict("sectors=1%01&sectors=%E2%80%AE2")

    assert cleaned_input(data).getlist("sectors") == ["1", "2"]


def test_fields_added_after_the_base_init_are_cleaned_too():
    class Form(BaseForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["late"] = forms.CharField()

    form = Form(data={"late": "tard\x1b"})

    assert form.is_valid()
    assert form.cleaned_data["late"] == "tard"


@pytest.mark.django_db
def test_an_id_too_large_for_the_database_is_an_unknown_choice_next_to_the_field():
    """A choice of objects by id got a 31-digit id from the fuzzer: the database could not take it (a server error)."""

    class Pick(BaseForm):
        one = forms.ModelChoiceField(queryset=User.objects.all())
        several = forms.ModelMultipleChoiceField(queryset=User.objects.all())

    huge = "1" + "0" * 30
    form = Pick({"one": huge, "several": [huge, "-" + huge]})

    assert not form.is_valid()
    assert set(form.errors) == {"one", "several"}
    assert "Sélectionnez un choix valide" in form.errors["one"][0]
