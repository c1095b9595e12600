import re

import pytest
from django import forms
from django.http import QueryDict

from territories.enums import CommuneKind, PlaceKind
from territories.forms import CommuneField, TerritoryField, TerritorySelection
from territories.models import EPCI, Commune, Departement
from territories.places import resolve

pytestmark = pytest.mark.usefixtures("referential")


class TerritoryForm(forms.Form):
    territory = TerritoryField(label="Territoire du pôle")


class OptionalTerritoryForm(forms.Form):
    territory = TerritoryField(required=False)


class CommuneForm(forms.Form):
    commune = CommuneField(label="Commune du siège")


def commune(code, kind=CommuneKind.CURRENT):
    return Commune.objects.select_related("parent").get(code=code, kind=kind)


def selection(*ids):
    return resolve(list(ids)).selection


def visible_input(html):
    return re.search(r"<input [^>]*class=\"fr-input\"[^>]*>", html).group(0)


# Cleaning ----------------------------------------------------------------------------------------------------


def test_territory_field_cleans_typed_codes_of_mixed_kinds():
    form = TerritoryForm(data={"territory": "69123, 200046977, 38"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["territory"] == TerritorySelection(
        communes=[commune("69123")],
        epcis=[EPCI.objects.get(pk="200046977")],
        departements=[Departement.objects.get(pk="38")],
    )


def test_territory_field_cleans_ids_sent_by_the_enhanced_widget():
    data = QueryDict(mutable=True)
    data.setlist("territory", ["", "commune:01015:commune-deleguee", "epci:244200770", "departement:2A"])
    form = TerritoryForm(data=data)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["territory"].ids == [
        "commune:01015:commune-deleguee",
        "epci:244200770",
        "departement:2A",
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("01015", "commune:01015"),  # the commune nouvelle wins over the déléguée sharing its code
        ("commune : 01015", "commune:01015"),
        ("2a004", "commune:2A004"),
        ("42100", "commune:42218"),  # a postcode of a single commune
        ("dep:69", "departement:69"),
        ("Département:69", "departement:69"),
        ("69123; commune:69123\n69123", "commune:69123"),  # the same place once
    ],
)
def test_territory_field_understands_typed_variants(typed, expected):
    form = TerritoryForm(data={"territory": typed})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["territory"].ids == [expected]


def test_territory_field_reports_an_unknown_code_in_french():
    form = TerritoryForm(data={"territory": "69123, 99999"})

    assert form.errors["territory"] == [
        "Le code « 99999 » ne correspond à aucune commune, aucun EPCI ni aucun département."
    ]


def test_territory_field_reports_a_shared_postcode_as_ambiguous():
    form = TerritoryForm(data={"territory": "01300"})

    assert form.errors.as_data()["territory"][0].code == "ambiguous"
    assert form.errors["territory"] == [
        "Le code « 01300 » est un code postal commun à plusieurs communes (Ambléon, Arboys en Bugey) : "
        "indiquez le code INSEE de la commune voulue."
    ]


def test_territory_field_reports_every_bad_token():
    form = TerritoryForm(data={"territory": "Lyon, epci:123, 1"})

    assert len(form.errors["territory"]) == 3
    assert form.errors["territory"][0] == (
        "Le code « Lyon » ne correspond à aucune commune, aucun EPCI ni aucun département."
    )


@pytest.mark.parametrize("data", [{}, {"territory": ""}, {"territory": " , "}])
def test_territory_field_requires_a_place(data):
    form = TerritoryForm(data=data)

    assert form.errors["territory"] == ["Indiquez au moins une commune, un EPCI ou un département."]


def test_optional_territory_field_cleans_to_an_empty_selection():
    form = OptionalTerritoryForm(data={"territory": ""})

    assert form.is_valid()
    assert form.cleaned_data["territory"] == TerritorySelection()
    assert not form.cleaned_data["territory"]


def test_territory_field_limited_to_some_kinds_says_so():
    class Form(forms.Form):
        territory = TerritoryField(kinds=[PlaceKind.COMMUNE, PlaceKind.EPCI])

    form = Form(data={"territory": "38"})

    assert form.errors["territory"] == ["Le code « 38 » ne correspond à aucune commune ni aucun EPCI."]


def test_commune_field_cleans_to_a_commune():
    form = CommuneForm(data={"commune": "69381"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] == commune("69381", CommuneKind.MUNICIPAL_DISTRICT)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"commune": ""}, "Indiquez une commune."),
        ({"commune": "69123, 69266"}, "Indiquez une seule commune."),
        ({"commune": "200046977"}, "Le code « 200046977 » ne correspond à aucune commune."),
        ({"commune": "99999"}, "Le code « 99999 » ne correspond à aucune commune."),
    ],
)
def test_commune_field_errors(data, message):
    assert CommuneForm(data=data).errors["commune"] == [message]


def test_disabled_commune_field_cleans_its_initial_primary_key():
    class Form(forms.Form):
        commune = CommuneField(disabled=True)

    lyon = commune("69123")
    form = Form(data={}, initial={"commune": lyon.pk})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] == lyon


def test_fields_detect_changes_by_place_not_by_spelling():
    field = TerritoryField()

    assert not field.has_changed(["commune:69123", "departement:38"], "69123, 38")
    assert field.has_changed(["commune:69123"], "69266")
    assert not CommuneField().has_changed(commune("69123").pk, "69123")


# The selection -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "code", "kind", "expected"),
    [
        ("commune:69123", "69123", CommuneKind.CURRENT, True),
        ("commune:69123", "69381", CommuneKind.MUNICIPAL_DISTRICT, True),  # a district of the chosen commune
        ("commune:01015", "01340", CommuneKind.DELEGATED, True),  # a déléguée of the chosen commune
        ("commune:01015:commune-deleguee", "01015", CommuneKind.CURRENT, False),  # not the other way round
        ("epci:200046977", "69266", CommuneKind.CURRENT, True),  # a member of the EPCI
        ("epci:200046977", "69382", CommuneKind.MUNICIPAL_DISTRICT, True),  # a district of a member
        ("epci:200046977", "69001", CommuneKind.CURRENT, False),
        ("departement:42", "42190", CommuneKind.ASSOCIATED, True),  # in the département
        ("departement:42", "01350", CommuneKind.CURRENT, False),
    ],
)
def test_selection_contains_commune(chosen, code, kind, expected):
    assert selection(chosen).contains_commune(commune(code, kind)) is expected


def test_selection_derives_its_regions(django_assert_max_num_queries):
    chosen = selection("commune:69123", "epci:200070142", "departement:2A")

    with django_assert_max_num_queries(1):
        regions = chosen.regions()

    assert {region.code for region in regions} == {"84", "28", "94"}


def test_empty_selection_has_no_region():
    assert TerritorySelection().regions() == set()


def test_selection_of_an_epci_alone_derives_the_regions_of_its_communes():
    assert {region.code for region in selection("epci:200046977").regions()} == {"84"}


# Rendering ---------------------------------------------------------------------------------------------------


def test_widget_keeps_attributes_given_by_the_form_template():
    html = str(TerritoryForm()["territory"].as_widget(attrs={"aria-describedby": "territory-hint territory-err"}))

    assert 'aria-describedby="territory-hint territory-err"' in visible_input(html)
    assert 'name="territory"' in visible_input(html)


def test_widget_renders_a_plain_dsfr_input_with_its_listbox_and_live_region():
    html = str(TerritoryForm()["territory"])

    assert 'id="id_territory"' in visible_input(html)
    assert 'aria-describedby="id_territory_helptext"' in visible_input(html)
    assert 'role="combobox"' not in html  # added by JavaScript only: without it, the input is a plain text input
    assert '<ul class="territory-autocomplete__listbox"' in html
    assert 'id="id_territory-listbox"' in html
    assert 'aria-live="polite"' in html


def test_widget_renders_initial_places_as_dismissible_tags():
    form = TerritoryForm(initial={"territory": ["commune:69123", "epci:200046977"]})

    html = str(form["territory"])

    assert 'value="commune:69123, epci:200046977"' in visible_input(html)
    assert 'class="fr-tag fr-tag--dismiss"' in html
    assert 'data-id="commune:69123"' in html
    assert 'aria-label="Retirer Lyon (69)"' in html


def test_widget_accepts_a_selection_as_initial():
    form = TerritoryForm(initial={"territory": selection("departement:38")})

    assert 'data-id="departement:38"' in str(form["territory"])


def test_widget_keeps_what_was_typed_after_an_error():
    form = TerritoryForm(data={"territory": "69123, 99999"})

    html = str(form["territory"])

    assert 'value="69123, 99999"' in visible_input(html)
    assert 'aria-invalid="true"' in visible_input(html)
    assert 'data-pending="99999"' in html
    assert 'data-id="commune:69123"' in html


def test_commune_widget_accepts_a_primary_key_as_initial():
    """A ModelForm gives a foreign key's initial value as a primary key."""
    arbignieu = commune("01015", CommuneKind.DELEGATED)
    form = CommuneForm(initial={"commune": arbignieu.pk})

    html = str(form["commune"])

    assert 'data-multiple="false"' in html
    assert "Arbignieu (commune déléguée d&#x27;Arboys en Bugey, 01)" in html


def test_form_media_includes_the_widget_assets():
    media = str(TerritoryForm().media)

    assert "css/territory-autocomplete.css" in media
    assert "js/territory-autocomplete.js" in media
