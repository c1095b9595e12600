"""Helpers of ptce_ami.core.templatetags.dsfr_forms that the pack's templates rely on."""

import pytest
from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import Button, Reset, Submit
from django import forms
from django.utils.safestring import mark_safe

from ptce_ami.core.templatetags.dsfr_forms import (
    SummaryEntry,
    dsfr_alert_class,
    dsfr_button_class,
    dsfr_column_class,
    dsfr_fieldset_elements,
    dsfr_list_items,
    dsfr_row_columns,
    dsfr_strict_button_attrs,
    widget_kind,
)


@pytest.mark.parametrize(
    ("widget", "kind"),
    [
        (forms.TextInput(), "input"),
        (forms.EmailInput(), "input"),
        (forms.NumberInput(), "input"),
        (forms.PasswordInput(), "input"),
        (forms.DateInput(attrs={"type": "date"}), "input"),
        (forms.Textarea(), "input"),
        (forms.Select(), "select"),
        (forms.SelectMultiple(), "select"),
        (forms.NullBooleanSelect(), "select"),
        (forms.CheckboxInput(), "checkbox"),
        (forms.RadioSelect(), "choices"),
        (forms.CheckboxSelectMultiple(), "choices"),
        (forms.FileInput(), "upload"),
        (forms.ClearableFileInput(), "upload"),
        (forms.HiddenInput(), "hidden"),
        (forms.MultipleHiddenInput(), "hidden"),
    ],
)
def test_widget_kind(widget, kind):
    assert widget_kind(widget) == kind


def test_fieldset_elements_wraps_each_top_level_element():
    html = mark_safe('<div class="fr-input-group">a<input></div>\n<p>b</p>\n<input type="hidden" name="x">')

    assert dsfr_fieldset_elements(html) == (
        '<div class="fr-fieldset__element"><div class="fr-input-group">a<input></div></div>\n'
        '<div class="fr-fieldset__element"><p>b</p></div>\n'
        '<input type="hidden" name="x">'
    )


def test_fieldset_elements_wraps_loose_text():
    html = mark_safe("Texte libre\n<div>x</div>")

    assert dsfr_fieldset_elements(html) == (
        '<div class="fr-fieldset__element">Texte libre</div><div class="fr-fieldset__element"><div>x</div></div>'
    )


def test_fieldset_elements_leaves_comments_alone():
    html = mark_safe("<!-- note -->\n<div>x</div>")

    assert dsfr_fieldset_elements(html) == '<!-- note -->\n<div class="fr-fieldset__element"><div>x</div></div>'


def test_fieldset_elements_keeps_existing_elements_and_nested_tags():
    html = mark_safe(
        '<div class="fr-fieldset__element"><div><span>a</span></div></div><fieldset><div></div></fieldset>'
    )

    assert dsfr_fieldset_elements(html) == (
        '<div class="fr-fieldset__element"><div><span>a</span></div></div>'
        '<div class="fr-fieldset__element"><fieldset><div></div></fieldset></div>'
    )


def test_fieldset_elements_wraps_unbalanced_html_as_a_whole():
    html = mark_safe("<div><p>ouvert</div>")

    assert dsfr_fieldset_elements(html) == '<div class="fr-fieldset__element"><div><p>ouvert</div></div>'


def test_fieldset_elements_escapes_text_not_marked_safe():
    assert dsfr_fieldset_elements("<script>x</script>") == (
        '<div class="fr-fieldset__element">&lt;script&gt;x&lt;/script&gt;</div>'
    )


def test_fieldset_elements_of_nothing_is_nothing():
    assert dsfr_fieldset_elements(mark_safe("\n  ")) == "\n  "


def test_list_items_wraps_buttons_and_hides_hidden_inputs():
    html = mark_safe('<button>a</button><input type="hidden" name="step"><li>déjà</li>')

    assert (
        dsfr_list_items(html)
        == '<li><button>a</button></li><li hidden><input type="hidden" name="step"></li><li>déjà</li>'
    )


def test_row_columns_gives_plain_items_a_column():
    html = mark_safe('<div class="fr-col-12 fr-col-md-4">a</div><div class="fr-input-group">b</div>')

    assert dsfr_row_columns(html) == (
        '<div class="fr-col-12 fr-col-md-4">a</div>'
        '<div class="fr-col-12 fr-col-md"><div class="fr-input-group">b</div></div>'
    )


@pytest.mark.parametrize(
    ("css_class", "expected"),
    [
        (None, "fr-col-12 fr-col-md"),
        ("", "fr-col-12 fr-col-md"),
        ("fr-col-md-6", "fr-col-12 fr-col-md-6"),
        ("fr-col-md-4 fr-col-lg-3", "fr-col-12 fr-col-md-4 fr-col-lg-3"),
        ("fr-col-6 fr-col-md-3", "fr-col-6 fr-col-md-3"),
        ("fr-col", "fr-col"),
        ("fr-mt-2w", "fr-col-12 fr-col-md fr-mt-2w"),
    ],
)
def test_column_class(css_class, expected):
    assert dsfr_column_class(css_class) == expected


@pytest.mark.parametrize(
    ("button", "expected"),
    [
        (Submit("submit", "Envoyer"), "fr-btn"),
        (Submit("draft", "Brouillon", css_class="fr-btn--secondary"), "fr-btn fr-btn--secondary"),
        (Submit("go", "Go", css_class="fr-btn--lg fr-icon-save-line"), "fr-btn fr-btn--lg fr-icon-save-line"),
        (Button("cancel", "Annuler"), "fr-btn fr-btn--secondary"),
        (Button("back", "Retour", css_class="fr-btn--tertiary"), "fr-btn fr-btn--tertiary"),
        (Reset("reset", "Effacer"), "fr-btn fr-btn--secondary"),
    ],
)
def test_button_class(button, expected):
    assert dsfr_button_class(button) == expected


def test_strict_button_attrs_replaces_bootstrap_classes():
    button = StrictButton("Rechercher", css_id="search", css_class="fr-btn--secondary", type="submit")

    assert dsfr_strict_button_attrs(button.flat_attrs) == ' class="fr-btn fr-btn--secondary" id="search" type="submit"'


@pytest.mark.parametrize(
    ("css_class", "expected"),
    [
        ("alert", "fr-alert fr-alert--info"),
        ("alert fr-alert--warning", "fr-alert fr-alert--warning"),
        ("alert alert-block fr-alert--sm", "fr-alert fr-alert--info fr-alert--sm"),
    ],
)
def test_alert_class(css_class, expected):
    assert dsfr_alert_class(css_class) == expected


@pytest.mark.parametrize(
    ("entry", "text"),
    [
        (SummaryEntry(messages=["Erreur générale."]), "Erreur générale."),
        (
            SummaryEntry(messages=["Trop court.", "Caractère interdit."], label="Nom"),
            "Nom : Trop court. Caractère interdit.",
        ),
        (SummaryEntry(messages=["Obligatoire."], label="Nom", context="Ligne 2"), "Ligne 2 – Nom : Obligatoire."),
        (
            SummaryEntry(messages=["Obligatoire."], label="J’accepte les conditions."),
            "J’accepte les conditions : Obligatoire.",
        ),
    ],
)
def test_summary_entry_text(entry, text):
    assert entry.text == text
