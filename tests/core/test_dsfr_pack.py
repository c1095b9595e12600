"""The crispy-forms "dsfr" template pack (templates/dsfr/): DSFR markup, ARIA wiring, error summary."""

from pathlib import Path

import dsfr
import pytest
from crispy_forms.bootstrap import (
    Alert,
    AppendedText,
    FieldWithButtons,
    InlineField,
    StrictButton,
    Tab,
    TabHolder,
    UneditableField,
)
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Button, ButtonHolder, Fieldset, Hidden, Layout, MultiField, Reset, Submit
from django import forms
from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from dsfr.forms import DsfrBaseForm

from tests.core.dsfr_pack_forms import (
    FIELDS_IN_ERROR,
    INVALID_DATA,
    NON_FIELD_ERROR,
    ApplicationForm,
    MemberFormSet,
)
from tests.core.html_dom import parse

TEXT_LIKE_FIELDS = ["name", "email", "members_count", "budget", "founded_on", "summary", "siret", "reference"]


def render(template_code, **context):
    return engines["django"].from_string("{% load crispy_forms_tags %}" + template_code).render(context)


def render_form(form):
    return parse(render("{% crispy form %}", form=form))


@pytest.fixture
def unbound():
    return render_form(ApplicationForm())


@pytest.fixture
def bound():
    return render_form(ApplicationForm(data=INVALID_DATA))


def field_name(control):
    return control.attrs["name"]


def assert_references_resolve(page, authored_elsewhere=()):
    """Every id named by for, href="#…", aria-describedby and aria-labelledby exists in the page.

    ``authored_elsewhere``: ids that widget attrs name and that the page, not the form, provides.
    """
    for element in page.iter():
        referenced = element.ids_in("aria-describedby") + element.ids_in("aria-labelledby")
        if element.tag == "label" and "for" in element.attrs:
            referenced.append(element.attrs["for"])
        if element.tag == "a" and element.attrs.get("href", "").startswith("#"):
            referenced.append(element.attrs["href"][1:])
        for element_id in set(referenced) - set(authored_elsewhere):
            assert page.by_id(element_id) is not None, f"{element} refers to missing #{element_id}"


# Templates ------------------------------------------------------------------------------------------------------

CRISPY_TEMPLATES = [
    "field.html",
    "errors.html",
    "errors_formset.html",
    "whole_uni_form.html",
    "whole_uni_formset.html",
    "uni_form.html",
    "uni_formset.html",
    "multifield.html",
    "table_inline_formset.html",
    *(
        f"layout/{name}.html"
        for name in [
            "alert",
            "baseinput",
            "button",
            "buttonholder",
            "checkboxselectmultiple_inline",
            "column",
            "div",
            "field_with_buttons",
            "fieldset",
            "formactions",
            "inline_field",
            "modal",
            "multifield",
            "prepended_appended_text",
            "radioselect_inline",
            "row",
            "tab",
            "tab-link",
            "uneditable_input",
        ]
    ),
]


@pytest.mark.parametrize("name", CRISPY_TEMPLATES)
def test_pack_provides_every_template_crispy_looks_up(name):
    origin = Path(get_template(f"dsfr/{name}").origin.name)

    assert origin == settings.BASE_DIR / "templates" / "dsfr" / name


def test_pack_shadows_no_django_dsfr_template():
    ours = {
        path.relative_to(settings.BASE_DIR / "templates") for path in (settings.BASE_DIR / "templates/dsfr").rglob("*")
    }
    theirs_root = Path(dsfr.__file__).parent / "templates"
    theirs = {path.relative_to(theirs_root) for path in (theirs_root / "dsfr").rglob("*")}

    assert ours & theirs == set()
    assert Path("dsfr/accordion-group.html") not in ours


def test_undefined_template_variables_fail_the_tests():
    # The pack is only proven free of undefined variables if pytest-django's check is on.
    with pytest.raises(pytest.fail.Exception):
        render("{{ undefined_variable }}")


# One component per widget ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXT_LIKE_FIELDS)
def test_text_like_field_renders_as_input_group(unbound, name):
    control = unbound.find(name=name)
    group = control.parent
    label = group.find("label")

    assert control.tag == ("textarea" if name == "summary" else "input")
    assert "fr-input" in control.classes
    assert "fr-input-group" in group.classes
    assert label.classes == ["fr-label"]
    assert label.attrs["for"] == control.id == f"id_{name}"


def test_input_types_come_from_the_widgets(unbound):
    types = {name: unbound.find(name=name).attrs.get("type") for name in TEXT_LIKE_FIELDS if name != "summary"}

    assert types == {
        "name": "text",
        "email": "email",
        "members_count": "number",
        "budget": "number",
        "founded_on": "date",
        "siret": "text",
        "reference": "text",
    }


def test_help_text_is_a_hint_inside_the_label(unbound):
    control = unbound.find(name="name")
    hint = unbound.by_id("id_name-hint")

    assert hint.classes == ["fr-hint-text"]
    assert hint.text == "Tel qu’il figure dans les statuts."
    assert hint.parent.tag == "label"
    assert control.ids_in("aria-describedby") == ["id_name-hint"]


def test_widget_attrs_are_kept(unbound):
    name = unbound.find(name="name")
    members_count = unbound.find(name="members_count")

    assert (name.attrs["autocomplete"], name.attrs["data-counter"], name.attrs["maxlength"]) == (
        "organization",
        "100",
        "100",
    )
    assert members_count.attrs["inputmode"] == "numeric"
    assert members_count.attrs["min"] == "3"


def test_aria_describedby_of_the_widget_is_merged(bound):
    siret = bound.find(name="siret")

    assert siret.ids_in("aria-describedby") == ["siret-where", "id_siret-messages"]


def test_select_renders_as_select_group(unbound):
    select = unbound.find("select", name="region")

    assert select.classes == ["fr-select"]
    assert select.parent.classes == ["fr-select-group"]
    assert select.parent.find("label").attrs["for"] == select.id
    assert [option.text for option in select.find_all("option")] == [
        "Sélectionner une région",
        "Auvergne-Rhône-Alpes",
        "Île-de-France",
    ]


def test_boolean_field_renders_as_checkbox_group_input_first(unbound):
    checkbox = unbound.find(name="accepts_terms")
    group = checkbox.parent

    assert group.classes == ["fr-checkbox-group"]
    assert [child.tag for child in group.elements] == ["input", "label"]
    assert group.elements[1].attrs["for"] == checkbox.id


@pytest.mark.parametrize(
    ("name", "input_type", "group_class", "inline"),
    [("sectors", "checkbox", "fr-checkbox-group", False), ("legal_form", "radio", "fr-radio-group", True)],
)
def test_choices_render_in_a_fieldset_with_legend(unbound, name, input_type, group_class, inline):
    fieldset = unbound.by_id(f"id_{name}")
    legend = fieldset.elements[0]
    inputs = fieldset.find_all("input", name=name)

    assert fieldset.tag == "fieldset"
    assert fieldset.classes == ["fr-fieldset"]
    assert legend.tag == "legend"
    assert "fr-fieldset__legend" in legend.classes
    assert fieldset.ids_in("aria-labelledby") == [legend.id]
    assert len(inputs) == 3
    for index, choice in enumerate(inputs):
        assert choice.attrs["type"] == input_type
        assert choice.id == f"id_{name}_{index}"
        assert choice.parent.classes == [group_class]
        assert choice.parent.parent.classes == ["fr-fieldset__element"] + (
            ["fr-fieldset__element--inline"] if inline else []
        )
        assert choice.parent.find("label").attrs["for"] == choice.id


def test_choices_keep_their_values_and_checked_state(bound):
    sectors = bound.find_all("input", name="sectors")

    assert [(choice.attrs["value"], "checked" in choice.attrs) for choice in sectors] == [
        ("culture", True),
        ("digital", False),
        ("food", True),
    ]


def test_inline_widget_attribute_puts_choices_inline():
    class Form(forms.Form):
        answer = forms.ChoiceField(choices=[("y", "Oui"), ("n", "Non")], widget=forms.RadioSelect)

    form = Form()
    form.fields["answer"].widget.inline = True  # django-dsfr's InlineRadioSelect does so
    page = parse(render("{{ form|crispy }}", form=form))

    assert all(
        "fr-fieldset__element--inline" in element.classes for element in page.find_all(cls="fr-fieldset__element")
    )


def test_file_field_renders_as_upload_group(unbound):
    upload = unbound.find(name="statutes")

    assert upload.attrs["type"] == "file"
    assert upload.classes == ["fr-upload"]
    assert upload.parent.classes == ["fr-upload-group"]
    assert unbound.by_id("id_statutes-hint").text == "Format PDF, 10 Mo au plus."
    assert upload.ids_in("aria-describedby") == ["id_statutes-hint"]


class StoredFile:
    url = "/media/dossiers/statuts.pdf"

    def __str__(self):
        return "dossiers/statuts.pdf"


def test_clearable_file_input_shows_current_file_and_clear_checkbox():
    class Form(forms.Form):
        statutes = forms.FileField(label="Statuts", required=False)

    page = parse(render("{{ form|crispy }}", form=Form(initial={"statutes": StoredFile()})))
    upload = page.find(name="statutes")
    clear = page.find(name="statutes-clear")

    assert page.by_id("id_statutes-current").text == "Fichier actuel : statuts.pdf"
    assert upload.ids_in("aria-describedby") == ["id_statutes-current"]
    assert "value" not in upload.attrs
    assert "checked" not in upload.attrs
    assert clear.attrs["type"] == "checkbox"
    assert clear.parent.classes == ["fr-checkbox-group", "fr-checkbox-group--sm", "fr-mt-2w"]
    assert clear.parent.find("label").attrs["for"] == clear.id
    assert page.find_all("a") == []  # stored files are served through permission-checked views only
    assert_references_resolve(page)


def test_required_file_field_with_current_file_has_no_clear_checkbox():
    class Form(forms.Form):
        statutes = forms.FileField(label="Statuts")

    page = parse(render("{{ form|crispy }}", form=Form(initial={"statutes": StoredFile()})))

    assert page.find_all(name="statutes-clear") == []
    assert "required" not in page.find(name="statutes").attrs


def test_hidden_field_is_rendered_as_is(unbound):
    hidden = unbound.find(name="campaign")

    assert hidden.attrs == {"type": "hidden", "name": "campaign", "value": "2026", "id": "id_campaign"}
    assert hidden.parent.tag == "fieldset"


def test_disabled_field_marks_its_group(unbound):
    reference = unbound.find(name="reference")

    assert "disabled" in reference.attrs
    assert reference.parent.classes == ["fr-input-group", "fr-input-group--disabled"]


# Required and optional ------------------------------------------------------------------------------------------


def test_only_optional_fields_say_facultatif(unbound):
    marked = set()
    for element in unbound.find_all("label") + unbound.find_all("legend"):
        if "(facultatif)" in element.text:
            control = unbound.by_id(element.attrs.get("for") or element.parent.id)
            marked.add(control.attrs.get("name") or control.id.removeprefix("id_"))

    assert marked == {"budget", "siret", "statutes", "reference"}
    assert "*" not in unbound.text


def test_required_notice_is_shown_once_above_the_fields(unbound):
    notice = [p for p in unbound.find_all("p") if "Sauf mention contraire" in p.text]

    assert [p.text for p in notice] == ["Sauf mention contraire, tous les champs sont obligatoires."]


def test_required_notice_can_be_turned_off():
    form = ApplicationForm()
    form.helper.dsfr_required_notice = False

    assert "Sauf mention contraire" not in render("{% crispy form %}", form=form)


def test_required_notice_is_absent_when_no_field_is_required():
    class Form(forms.Form):
        comment = forms.CharField(required=False)

    assert "Sauf mention contraire" not in render("{{ form|crispy }}", form=Form())


# Errors ---------------------------------------------------------------------------------------------------------


def test_unbound_form_has_no_error_markup(unbound):
    html_classes = {css_class for element in unbound.iter() for css_class in element.classes}

    assert unbound.find_all(aria_invalid="true") == []
    assert unbound.find_all(cls="fr-messages-group") == []
    assert unbound.find_all(cls="fr-alert") == []
    assert [css_class for css_class in html_classes if css_class.endswith("--error")] == []


def test_aria_invalid_only_on_fields_in_error(bound):
    assert {field_name(control) for control in bound.find_all(aria_invalid="true")} == FIELDS_IN_ERROR
    for control in bound.controls():
        if field_name(control) not in FIELDS_IN_ERROR:
            assert "aria-invalid" not in control.attrs


@pytest.mark.parametrize("name", sorted(FIELDS_IN_ERROR - {"legal_form"}))
def test_error_messages_are_referenced_by_the_control(bound, name):
    form = ApplicationForm(data=INVALID_DATA)
    control = bound.find(name=name)
    messages = bound.by_id(f"id_{name}-messages")
    group = messages.parent

    assert messages.id in control.ids_in("aria-describedby")
    assert messages.classes == ["fr-messages-group"]
    assert [p.text for p in messages.elements] == form.errors[name]
    assert all(p.classes == ["fr-message", "fr-message--error"] for p in messages.elements)
    assert group.contains(control)
    assert any(css_class.endswith("-group--error") for css_class in group.classes)


def test_error_classes_of_each_component(bound):
    assert bound.find(name="email").classes == ["fr-input", "fr-input--error"]
    assert bound.find(name="email").parent.classes == ["fr-input-group", "fr-input-group--error"]
    assert bound.find(name="region").classes == ["fr-select", "fr-select--error"]
    assert bound.find(name="region").parent.classes == ["fr-select-group", "fr-select-group--error"]
    assert bound.find(name="accepts_terms").parent.classes == ["fr-checkbox-group", "fr-checkbox-group--error"]
    assert bound.by_id("id_legal_form").classes == ["fr-fieldset", "fr-fieldset--error"]
    assert bound.find(name="name").parent.classes == ["fr-input-group"]


def test_errors_of_choices_are_part_of_the_fieldset_name(bound):
    fieldset = bound.by_id("id_legal_form")
    messages = bound.by_id("id_legal_form-messages")

    assert fieldset.ids_in("aria-labelledby") == ["id_legal_form-legend", "id_legal_form-messages"]
    assert messages.parent is fieldset
    assert messages.text == "Ce champ est obligatoire."


def test_field_with_hint_and_error_is_described_by_both(bound):
    summary = bound.find(name="summary")

    assert summary.ids_in("aria-describedby") == ["id_summary-hint", "id_summary-messages"]


@pytest.mark.parametrize("data", [None, INVALID_DATA], ids=["unbound", "bound"])
def test_every_reference_resolves_and_ids_are_unique(data):
    page = render_form(ApplicationForm(data=data))

    assert_references_resolve(page)
    ids = [element.id for element in page.iter() if element.id]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("data", [None, INVALID_DATA], ids=["unbound", "bound"])
def test_every_control_has_a_label(data):
    page = render_form(ApplicationForm(data=data))

    for control in page.controls():
        labels = page.find_all("label", **{"for": control.id})
        assert len(labels) == 1, control
        assert labels[0].text


# Error summary --------------------------------------------------------------------------------------------------


def test_error_summary_lists_the_fields_in_error_with_working_links(bound):
    summary = bound.find(cls="fr-alert")
    links = summary.find_all("a")
    targets = [bound.by_id(link.attrs["href"].removeprefix("#")) for link in links]

    assert {field_name(target) for target in targets} == FIELDS_IN_ERROR
    assert len(links) == len(FIELDS_IN_ERROR)
    assert all(target.tag in ("input", "select", "textarea") for target in targets)
    assert links[0].text == "Adresse électronique : Saisissez une adresse de courriel valide."


def test_error_summary_links_radios_to_the_first_choice(bound):
    hrefs = [link.attrs["href"] for link in bound.find(cls="fr-alert").find_all("a")]

    assert "#id_legal_form_0" in hrefs


def test_error_summary_is_an_announced_focusable_alert(bound):
    summary = bound.find(cls="fr-alert")
    title = summary.find("h2")

    assert summary.classes == ["fr-alert", "fr-alert--error", "fr-mb-4w"]
    assert (summary.attrs["role"], summary.attrs["tabindex"]) == ("alert", "-1")
    assert summary.ids_in("aria-labelledby") == [title.id]
    assert title.classes == ["fr-alert__title"]
    assert title.text == "Le formulaire contient 9 erreurs"


def test_error_summary_comes_first_and_lists_non_field_errors(bound):
    summary = bound.find(cls="fr-alert")
    items = summary.find("ul").elements

    assert next(bound.iter()) is bound.find("form")
    assert bound.find("form").elements[0] is summary
    assert items[0].text == NON_FIELD_ERROR
    assert items[0].find_all("a") == []


def test_error_summary_title_in_the_singular():
    class Form(forms.Form):
        email = forms.EmailField(label="Adresse électronique")

    page = parse(render("{{ form|crispy }}", form=Form(data={})))

    assert page.find("h2").text == "Le formulaire contient 1 erreur"


def test_error_summary_does_not_link_fields_the_layout_leaves_out():
    form = ApplicationForm(data=INVALID_DATA)
    form.helper.layout.fields.remove("siret")
    page = render_form(form)
    items = [item for item in page.find(cls="fr-alert").find("ul").elements if "SIRET" in item.text]

    assert [item.find_all("a") for item in items] == [[]]
    assert_references_resolve(page)


def test_hidden_errors_are_shown_when_form_show_errors_is_off():
    form = ApplicationForm(data=INVALID_DATA)
    form.helper.form_show_errors = False
    page = render_form(form)

    assert page.find_all(cls="fr-alert") == []
    assert page.find_all(cls="fr-messages-group") == []
    assert page.find_all(aria_invalid="true") == []
    assert_references_resolve(page)


# Layout objects ---------------------------------------------------------------------------------------------------


def test_fieldset_wraps_each_item_in_a_fieldset_element(unbound):
    fieldset = unbound.find_all("fieldset", cls="fr-fieldset")[0]
    legend, *items = fieldset.elements

    assert (legend.tag, legend.classes, legend.text) == ("legend", ["fr-fieldset__legend"], "Le pôle")
    assert [item.classes for item in items if item.tag != "input"] == [["fr-fieldset__element"]] * 5
    assert [item.attrs.get("type") for item in items if item.tag == "input"] == ["hidden"]


def test_nested_choices_fieldset_sits_in_a_fieldset_element(unbound):
    sectors = unbound.by_id("id_sectors")

    assert sectors.parent.classes == ["fr-fieldset__element"]
    assert sectors.parent.parent.elements[0].text == "Son activité"


def test_row_and_columns_use_the_dsfr_grid(unbound):
    row = unbound.find(cls="fr-grid-row")

    assert row.classes == ["fr-grid-row", "fr-grid-row--gutters"]
    assert [column.classes for column in row.elements] == [["fr-col-12", "fr-col-md-6"]] * 2
    assert [column.find("input").attrs["name"] for column in row.elements] == ["members_count", "budget"]


def test_form_actions_are_a_dsfr_button_group(unbound):
    group = unbound.find("ul", cls="fr-btns-group")
    buttons = [item.find("button") for item in group.elements]

    assert group.classes == ["fr-btns-group", "fr-btns-group--inline-md"]
    assert [item.tag for item in group.elements] == ["li", "li"]
    assert [(button.attrs["type"], button.classes, button.text) for button in buttons] == [
        ("submit", ["fr-btn"], "Déposer le dossier"),
        ("submit", ["fr-btn", "fr-btn--secondary"], "Enregistrer le brouillon"),
    ]


def test_helper_inputs_render_as_a_button_group():
    class Form(forms.Form):
        email = forms.EmailField()

    form = Form()
    form.helper = FormHelper()
    form.helper.form_tag = False
    form.helper.add_input(Submit("submit", "Envoyer"))
    form.helper.add_input(Button("cancel", "Annuler"))
    page = parse(render("{% crispy form %}", form=form))

    buttons = page.find("ul", cls="fr-btns-group").find_all("button")

    assert page.find_all("form") == []
    assert [(button.attrs["type"], button.classes) for button in buttons] == [
        ("submit", ["fr-btn"]),
        ("button", ["fr-btn", "fr-btn--secondary"]),
    ]


def test_form_tag_has_novalidate_multipart_and_csrf():
    form = parse(render("{% crispy form %}", form=ApplicationForm(), csrf_token="token")).find("form")

    assert (form.attrs["method"], form.attrs["enctype"]) == ("post", "multipart/form-data")
    assert "novalidate" in form.attrs
    assert form.find("input", name="csrfmiddlewaretoken").attrs["value"] == "token"


class LayoutObjectsForm(forms.Form):
    query = forms.CharField(label="Rechercher un pôle")
    amount = forms.DecimalField(label="Montant demandé")
    comment = forms.CharField(label="Commentaire", required=False)
    topics = forms.MultipleChoiceField(
        label="Thèmes", choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    reference = forms.CharField(label="Référence", initial="AMI-1")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            TabHolder(
                Tab("Recherche", FieldWithButtons("query", StrictButton("Rechercher", type="submit"))),
                Tab("Montant", AppendedText("amount", "€")),
            ),
            Alert("Les montants sont <strong>hors taxes</strong>.", css_class="fr-alert--warning"),
            MultiField("Précisions", InlineField("comment"), "topics", help_text="Deux questions."),
            UneditableField("reference"),
            ButtonHolder(Button("cancel", "Annuler"), Reset("reset", "Effacer"), Hidden("step", "2")),
        )


@pytest.fixture
def layout_objects():
    return render_form(LayoutObjectsForm(data={"query": "", "reference": "AMI-1"}))


def test_tabs_use_dsfr_markup(layout_objects):
    tabs = layout_objects.find(cls="fr-tabs")
    buttons = tabs.find("ul", cls="fr-tabs__list").find_all("button")
    panels = tabs.find_all(cls="fr-tabs__panel")

    assert [button.attrs["aria-selected"] for button in buttons] == ["true", "false"]
    assert [panel.attrs["aria-labelledby"] for panel in panels] == [button.id for button in buttons]
    assert [button.attrs["aria-controls"] for button in buttons] == [panel.id for panel in panels]


def test_field_with_buttons_and_appended_text(layout_objects):
    query = layout_objects.find(name="query")
    amount = layout_objects.find(name="amount")
    unit = amount.parent.find("span")

    assert query.parent.classes == ["fr-input-wrap", "fr-input-wrap--addon"]
    assert query.parent.find("button").classes == ["fr-btn"]
    assert (unit.text, unit.attrs["aria-hidden"]) == ("€", "true")
    assert layout_objects.find("label", **{"for": "id_amount"}).text == "Montant demandé (€)"


def test_alert_multifield_inline_and_uneditable_fields(layout_objects):
    alert = layout_objects.find("div", cls="fr-alert--warning")
    multifield = layout_objects.find_all("fieldset")[0]
    comment_label = layout_objects.find("label", **{"for": "id_comment"})

    assert alert.classes == ["fr-alert", "fr-alert--warning", "fr-mb-3w"]
    assert alert.find("strong").text == "hors taxes"
    assert multifield.elements[0].text == "Précisions Deux questions."
    assert [item.classes for item in multifield.elements[1:]] == [["fr-fieldset__element"]] * 2
    assert comment_label.classes == ["fr-label", "fr-sr-only"]
    assert "readonly" in layout_objects.find(name="reference").attrs


def test_button_holder_lists_buttons(layout_objects):
    holder = layout_objects.find("ul", cls="fr-btns-group")

    assert [item.attrs.get("hidden") for item in holder.elements] == [None, None, ""]
    assert [button.classes for button in holder.find_all("button")] == [["fr-btn", "fr-btn--secondary"]] * 2
    assert holder.find(name="step").attrs["type"] == "hidden"


def test_layout_objects_keep_references_valid(layout_objects):
    assert_references_resolve(layout_objects)


# Without a helper, django-dsfr's form base --------------------------------------------------------------------------


def test_crispy_filter_renders_the_same_components():
    page = parse(render("{{ form|crispy }}", form=ApplicationForm(data=INVALID_DATA)))

    assert page.find_all("form") == []
    assert page.find(cls="fr-alert").find("h2").text == "Le formulaire contient 9 erreurs"
    assert page.find(name="email").parent.classes == ["fr-input-group", "fr-input-group--error"]
    assert page.by_id("id_legal_form").tag == "fieldset"
    assert_references_resolve(page, authored_elsewhere={"siret-where"})


def test_single_field_and_errors_filters():
    form = ApplicationForm(data=INVALID_DATA)
    field = parse(render("{{ form.email|as_crispy_field }}", form=form))
    errors = parse(render("{{ form|as_crispy_errors }}", form=form))

    assert field.find(name="email").parent.classes == ["fr-input-group", "fr-input-group--error"]
    assert errors.find(cls="fr-alert").find("h2").text == "Le formulaire contient 9 erreurs"


def test_dsfr_base_form_renders_the_same():
    class Form(DsfrBaseForm):
        name = forms.CharField(label="Nom")
        answer = forms.ChoiceField(label="Réponse", choices=[("y", "Oui"), ("n", "Non")], widget=forms.RadioSelect)

    page = parse(render("{{ form|crispy }}", form=Form(data={})))

    assert page.find(name="name").classes == ["fr-input", "fr-input--error"]
    assert all("dsfr" not in choice.attrs for choice in page.find_all(name="answer"))
    assert_references_resolve(page)


# Formsets -------------------------------------------------------------------------------------------------------

FORMSET_DATA = {
    "form-TOTAL_FORMS": "2",
    "form-INITIAL_FORMS": "0",
    "form-0-name": "",
    "form-0-role": "founder",
    "form-1-name": "Doublon",
}


def management_values(page):
    return {
        name: page.find(name=f"form-{name}").attrs.get("value")
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }


def test_formset_filter_renders_management_form_and_each_form():
    page = parse(render("{{ formset|crispy }}", formset=MemberFormSet()))

    assert management_values(page) == {
        "TOTAL_FORMS": "1",
        "INITIAL_FORMS": "0",
        "MIN_NUM_FORMS": "0",
        "MAX_NUM_FORMS": "1000",
    }
    assert page.find(name="form-0-name").parent.classes == ["fr-input-group"]
    assert "(facultatif)" not in page.find("label", **{"for": "id_form-0-DELETE"}).text


def test_formset_with_helper_layout_uses_forloop_in_legends():
    helper = FormHelper()
    helper.layout = Layout(Fieldset("Membre {{ forloop.counter }}", "name", "role", "DELETE"))
    helper.add_input(Submit("submit", "Enregistrer"))
    page = parse(render("{% crispy formset helper %}", formset=MemberFormSet(data=FORMSET_DATA), helper=helper))
    form = page.find("form")

    assert [legend.text for legend in form.find_all("legend")] == ["Membre 1", "Membre 2"]
    assert form.find(name="form-TOTAL_FORMS").attrs["value"] == "2"
    assert [link.attrs["href"] for link in form.find(cls="fr-alert").find_all("a")] == ["#id_form-0-name"]
    assert "Élément 2 – Cette structure figure déjà dans la liste." in form.find(cls="fr-alert").text
    assert_references_resolve(page)


@pytest.fixture
def table():
    helper = FormHelper()
    helper.template = "dsfr/table_inline_formset.html"
    helper.form_tag = False
    helper.table_caption = "Membres du pôle"
    return parse(render("{% crispy formset helper %}", formset=MemberFormSet(data=FORMSET_DATA), helper=helper))


def test_table_inline_formset_is_a_dsfr_table(table):
    wrapper = table.find(cls="fr-table")
    headers = wrapper.find("thead").find_all("th")
    rows = wrapper.find("tbody").find_all("tr")

    assert wrapper.find("table").find("caption").text == "Membres du pôle"
    assert [(th.attrs["scope"], th.text) for th in headers] == [
        ("col", "Nom Nom de la structure membre."),
        ("col", "Rôle (facultatif)"),
        ("col", "Supprimer"),
    ]
    assert [len(row.find_all("td")) for row in rows] == [3, 3, 1]
    assert management_values(table)["TOTAL_FORMS"] == "2"


def test_table_cells_have_visually_hidden_labels_naming_the_row(table):
    label = table.find("label", **{"for": "id_form-1-name"})

    assert "fr-sr-only" in label.classes
    assert label.text == "Nom – ligne 2 Nom de la structure membre."


def test_table_checkbox_keeps_its_box_visible(table):
    # DSFR draws the box with the label: only the label's text is visually hidden.
    label = table.find("label", **{"for": "id_form-1-DELETE"})

    assert label.classes == ["fr-label"]
    assert label.elements[0].classes == ["fr-sr-only"]
    assert label.text == "Supprimer – ligne 2"


def test_table_shows_errors_in_cells_and_rows(table):
    cell = table.find(name="form-0-name").closest("td")
    row_error = table.find("tbody").find_all("tr")[2]

    assert cell.find(cls="fr-messages-group").text == "Ce champ est obligatoire."
    assert table.find(name="form-0-name").attrs["aria-invalid"] == "true"
    assert row_error.find("td").attrs["colspan"] == "3"
    assert row_error.text == "Cette structure figure déjà dans la liste."
    assert "Ligne 1 – Nom : Ce champ est obligatoire." in table.find(cls="fr-alert").text
    assert_references_resolve(table)


def test_table_keeps_an_empty_row_template(table):
    template = table.find("template")

    assert template.id == "form-empty-form"
    assert template.find(name="form-__prefix__-name").classes == ["fr-input"]


# Snapshot -------------------------------------------------------------------------------------------------------


def test_complete_form_snapshot(snapshot):
    html = render("{% crispy form %}", form=ApplicationForm(data=INVALID_DATA))

    # Blank lines left by template tags carry no meaning; leave them out of the snapshot.
    assert "\n".join(line.rstrip() for line in html.splitlines() if line.strip()) == snapshot
