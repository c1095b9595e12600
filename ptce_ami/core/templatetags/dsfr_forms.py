"""Template helpers of the crispy-forms "dsfr" template pack (``templates/dsfr/``, see ``docs/forms.md``).

The pack's templates stay declarative: every decision (which DSFR component a widget maps to, which classes
and ARIA attributes its control gets, what the error summary lists) is taken here, where it can be tested.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import PurePosixPath

from crispy_forms.bootstrap import Tab
from django import forms, template
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME, BaseFormSet
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@dataclass(frozen=True)
class _Component:
    """The DSFR component a kind of widget is rendered as."""

    template: str
    group_class: str
    control_class: str = ""
    has_control_error_class: bool = False
    has_group_disabled_class: bool = False


_COMPONENTS = {
    "input": _Component("dsfr/field/control_group.html", "fr-input-group", "fr-input", True, True),
    "select": _Component("dsfr/field/control_group.html", "fr-select-group", "fr-select", True, True),
    "upload": _Component("dsfr/field/upload_group.html", "fr-upload-group", "fr-upload", False, True),
    "checkbox": _Component("dsfr/field/checkbox_group.html", "fr-checkbox-group"),
    "choices": _Component("dsfr/field/choices_fieldset.html", "fr-fieldset"),
}

# Formset bookkeeping fields are optional by nature: "(facultatif)" on them would be noise.
_NEVER_MARKED_OPTIONAL = {DELETION_FIELD_NAME, ORDERING_FIELD_NAME}


def widget_kind(widget):
    """Name of the DSFR component for a widget: input, select, upload, checkbox, choices or hidden."""
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple is a RadioSelect too
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.FileInput):
        return "upload"
    if isinstance(widget, forms.Select):
        return "select"
    return "input"


def is_required(field):
    """Required now, or required later: a draft's field may be left empty today but must be filled to submit
    (the form sets ``field.required_later = True``); either way it is not "(facultatif)"."""
    return field.required or getattr(field, "required_later", False)


def is_marked_optional(bound_field):
    """DSFR marks optional fields with "(facultatif)" instead of starring required ones."""
    return not is_required(bound_field.field) and bound_field.name not in _NEVER_MARKED_OPTIONAL


def _join(*values):
    """Space-separated tokens (classes, ids) without blanks or duplicates, in their first order."""
    tokens = []
    for value in values:
        for token in str(value or "").split():
            if token not in tokens:
                tokens.append(token)
    return " ".join(tokens)


@dataclass
class ChoiceOption:
    id: str
    label: str
    hint: str
    input: str


@dataclass
class ClearCheckbox:
    name: str
    id: str
    checked: bool
    disabled: bool


class DsfrField:
    """Everything the field templates of the pack need to render one bound field.

    Ids derive from the control's id: ``<id>-hint`` (help text), ``<id>-messages`` (errors),
    ``<id>-legend`` (choices), ``<id>-current`` (file already uploaded). The control's
    ``aria-describedby`` lists the ids given by the widget's attrs, then those of these elements that
    are rendered; nothing else.
    """

    def __init__(
        self,
        bound_field,
        *,
        show_errors=True,
        show_label=True,
        inline=False,
        wrapper_class="",
        row_number=None,
        readonly=False,
    ):
        widget = bound_field.field.widget
        self.field = bound_field
        self.kind = widget_kind(widget)
        self.component = _COMPONENTS[self.kind]
        self.template = self.component.template
        self.id = widget.attrs.get("id") or bound_field.auto_id or ""
        self.label = bound_field.label
        self.label_for = bound_field.id_for_label or ""
        self.label_hidden = not show_label
        # In a table row, the visually hidden label says which row: "Nom – ligne 2".
        self.row_label = gettext("ligne %(number)s") % {"number": row_number} if row_number else ""
        self.help_text = bound_field.help_text
        self.optional = is_marked_optional(bound_field)
        self.errors = list(bound_field.errors) if show_errors else []
        # Remarks that do not block the save (a draft's field needed later): ``form.field_warnings[name]``.
        self.warnings = list(getattr(bound_field.form, "field_warnings", {}).get(bound_field.name, ()))
        self.disabled = bool(bound_field.field.disabled or widget.attrs.get("disabled"))
        self.inline = bool(inline or getattr(widget, "inline", False))
        self.wrapper_class = wrapper_class or ""
        self.readonly = bool(readonly)
        self.hint_id = self._sub_id("hint") if self.help_text else ""
        self.messages_id = self._sub_id("messages") if self.errors or self.warnings else ""
        self.legend_id = self._sub_id("legend")
        self.current_file = ""
        self.current_file_id = ""
        self.clear = None
        self.options = []
        self.control = ""
        if self.kind == "choices":
            self.options = self._render_options()
        elif self.kind != "hidden":
            self.control = self._render_control()

    def _sub_id(self, suffix):
        return f"{self.id}-{suffix}" if self.id else ""

    @property
    def group_class(self):
        component = self.component
        return _join(
            component.group_class,
            f"{component.group_class}--error" if self.errors else "",
            f"{component.group_class}--disabled" if self.disabled and component.has_group_disabled_class else "",
            self.wrapper_class,
        )

    @property
    def option_class(self):
        return _join("fr-fieldset__element", "fr-fieldset__element--inline" if self.inline else "")

    @property
    def option_group_class(self):
        is_checkboxes = isinstance(self.field.field.widget, forms.CheckboxSelectMultiple)
        return "fr-checkbox-group" if is_checkboxes else "fr-radio-group"

    @property
    def fieldset_labelledby(self):
        return _join(self.legend_id, self.messages_id)

    def _aria_attrs(self):
        describedby = _join(
            self.field.field.widget.attrs.get("aria-describedby"), self.hint_id, self.current_file_id, self.messages_id
        )
        # False drops the attribute, including the one Django computes for its own (absent) ids.
        return {"aria-describedby": describedby or False, "aria-invalid": "true" if self.errors else False}

    def _render_control(self):
        bound_field = self.field
        widget = bound_field.field.widget
        component = self.component
        value = bound_field.value()
        if isinstance(widget, forms.ClearableFileInput) and widget.is_initial(value):
            self.current_file = PurePosixPath(str(value)).name
            self.current_file_id = self._sub_id("current")
        attrs = bound_field.build_widget_attrs({}, widget)
        attrs.update(self._aria_attrs())
        attrs["class"] = _join(
            *_without_bootstrap(widget.attrs.get("class")),
            component.control_class,
            f"{component.control_class}--error" if self.errors and component.has_control_error_class else "",
        )
        if not attrs["class"]:
            del attrs["class"]
        if self.readonly and self.kind == "input":
            attrs["readonly"] = True
        if bound_field.auto_id and "id" not in widget.attrs:
            attrs["id"] = bound_field.auto_id
        if bound_field.field.localize:
            widget.is_localized = True
        if isinstance(widget, forms.ClearableFileInput):
            html = self._render_clearable_file_input(widget, value, attrs)
        else:
            html = widget.render(bound_field.html_name, value, attrs=attrs, renderer=bound_field.form.renderer)
        if bound_field.field.show_hidden_initial:
            html += bound_field.as_hidden(only_initial=True)
        return mark_safe(html)

    def _render_clearable_file_input(self, widget, value, attrs):
        """Only the ``<input type="file">``: the current file and the "clear" box are in the template."""
        context = widget.get_context(self.field.html_name, value, attrs)
        data = context["widget"]
        if data["is_initial"] and not data["required"]:
            self.clear = ClearCheckbox(
                name=data["checkbox_name"],
                id=data["checkbox_id"],
                checked=bool(data["attrs"].get("checked")),
                disabled=self.disabled,
            )
        data["attrs"].pop("checked", None)  # Django puts the clear box's state on the file input's attrs.
        data["value"] = None
        return self.field.form.renderer.render("django/forms/widgets/file.html", context)

    def _render_options(self):
        renderer = self.field.form.renderer
        aria_invalid = "true" if self.errors else False
        options = []
        for subwidget in self.field.subwidgets:
            data = dict(subwidget.data)
            # django-dsfr's DsfrBaseForm marks choice widgets with a non-HTML "dsfr" attribute.
            attrs = {name: value for name, value in data["attrs"].items() if name != "dsfr"}
            attrs["aria-invalid"] = aria_invalid
            data["attrs"] = attrs
            label, hint = data["label"], ""
            if isinstance(label, dict):  # django-dsfr's rich choices: {"label": ..., "help_text": ...}
                label, hint = label.get("label", ""), label.get("help_text", "")
            html = renderer.render("django/forms/widgets/input.html", {"widget": data})
            options.append(ChoiceOption(id=attrs.get("id", ""), label=label, hint=hint, input=mark_safe(html)))
        return options


@register.simple_tag(takes_context=True)
def dsfr_field(context, bound_field):
    """``{% dsfr_field field as f %}``: a DsfrField, with the options crispy-forms put in the context."""
    return DsfrField(
        bound_field,
        show_errors=context.get("form_show_errors", True),
        show_label=context.get("form_show_labels", True),
        inline=context.get("inline_class") == "inline",  # crispy's InlineRadios and InlineCheckboxes
        wrapper_class=context.get("wrapper_class") or "",
        row_number=context.get("dsfr_row_number"),
        readonly=context.get("dsfr_readonly") or False,
    )


# Error summary -------------------------------------------------------------------------------------------------


@dataclass
class SummaryEntry:
    messages: list
    label: str = ""
    href: str = ""
    context: str = ""

    @property
    def text(self):
        """ "Élément 2 – Adresse électronique : Saisissez une adresse électronique valide." """
        text = " ".join(str(message) for message in self.messages)
        if self.label:
            # A label may be a sentence ("J’accepte les conditions."): no stop before the colon.
            label = str(self.label).rstrip(" .:")
            text = gettext("%(label)s : %(message)s") % {"label": label, "message": text}
        if self.context:
            text = gettext("%(context)s – %(message)s") % {"context": self.context, "message": text}
        return text


@dataclass
class ErrorSummary:
    id: str
    title_id: str
    entries: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.entries)


def _error_target(bound_field):
    """Id to link to from the summary: the control, or the first choice of a group of radios/checkboxes."""
    if widget_kind(bound_field.field.widget) == "choices":
        subwidgets = bound_field.subwidgets
        return subwidgets[0].id_for_label if subwidgets else bound_field.auto_id
    return bound_field.id_for_label


def _form_entries(form, context=""):
    entries = [SummaryEntry(messages=[error], context=context) for error in form.non_field_errors()]
    # Fields a layout left out are not in the page: their errors are listed, without a dead link.
    rendered_fields = getattr(form, "rendered_fields", None)
    for name in form.fields:
        bound_field = form[name]
        if not bound_field.errors:
            continue
        linkable = not bound_field.is_hidden and (rendered_fields is None or name in rendered_fields)
        target = _error_target(bound_field) if linkable else ""
        entries.append(
            SummaryEntry(
                messages=list(bound_field.errors),
                label=bound_field.label,
                href=f"#{target}" if target else "",
                context=context,
            )
        )
    return entries


@register.simple_tag(takes_context=True)
def dsfr_error_summary(context, form):
    """``{% dsfr_error_summary form as summary %}``: what the error summary lists, for a form or a formset.

    The entries of a formset's forms start with "Élément 2", or "Ligne 2" in a table (``dsfr_table``).
    """
    if isinstance(form, BaseFormSet):
        row_word = gettext("Ligne %(number)s") if context.get("dsfr_table") else gettext("Élément %(number)s")
        entries = [SummaryEntry(messages=[error]) for error in form.non_form_errors()]
        for number, subform in enumerate(form.forms, start=1):
            entries += _form_entries(subform, context=row_word % {"number": number})
    else:
        entries = _form_entries(form)
    base_id = f"{form.prefix}-error-summary" if form.prefix else "error-summary"
    return ErrorSummary(id=base_id, title_id=f"{base_id}-title", entries=entries)


@dataclass
class TableColumn:
    label: str
    optional: bool
    help_text: str


@register.simple_tag
def dsfr_table_columns(formset):
    """``{% dsfr_table_columns formset as columns %}``: one header per visible field of the formset's forms."""
    return [
        TableColumn(label=bound_field.label, optional=is_marked_optional(bound_field), help_text=bound_field.help_text)
        for bound_field in formset.empty_form.visible_fields()
    ]


@register.simple_tag(takes_context=True)
def dsfr_required_notice(context, form):
    """Whether to say "Sauf mention contraire, tous les champs sont obligatoires." above the fields.

    DSFR marks optional fields rather than required ones, and announces the rule once per form. A helper
    opts out with ``helper.dsfr_required_notice = False``.
    """
    if context.get("dsfr_required_notice", True) is False:
        return False
    if isinstance(form, BaseFormSet):
        form = form.empty_form
    return any(is_required(bound_field.field) for bound_field in form.visible_fields())


# Layout objects ------------------------------------------------------------------------------------------------

_BOOTSTRAP_CLASS = re.compile(r"^btn(-|$)|^(alert|alert-block|ctrlHolder|error|hidden|tab-pane|uneditable-input)$")
_BUTTON_VARIANTS = ("fr-btn--secondary", "fr-btn--tertiary", "fr-btn--tertiary-no-outline")


def _without_bootstrap(classes):
    """crispy-forms gives some layout objects Bootstrap or uni-form classes ("btn btn-primary", "alert"): drop them."""
    return [token for token in str(classes or "").split() if not _BOOTSTRAP_CLASS.match(token)]


def _button_class(classes, *, primary):
    author_classes = _without_bootstrap(classes)
    has_variant = any(token in _BUTTON_VARIANTS for token in author_classes)
    return _join("fr-btn", "" if primary or has_variant else "fr-btn--secondary", *author_classes)


@register.filter
def dsfr_button_class(button):
    """Classes of a Submit (primary), Button or Reset (secondary unless the author chose a variant)."""
    return _button_class(button.field_classes, primary=button.input_type == "submit")


_CLASS_ATTRIBUTE = re.compile(r'\sclass="([^"]*)"')


@register.filter
def dsfr_strict_button_attrs(flat_attrs):
    """StrictButton only keeps its attributes as a rendered string: rewrite its class attribute there."""

    def replace(match):
        return format_html(' class="{}"', _button_class(match.group(1), primary=True))

    return mark_safe(_CLASS_ATTRIBUTE.sub(replace, str(conditional_escape(flat_attrs))))


@register.filter
def dsfr_column_class(css_class):
    """Column classes on the DSFR grid: full width on mobile, the author's width (or an equal share) above."""
    classes = _without_bootstrap(css_class)
    if not any(token == "fr-col" or token.startswith("fr-col-") for token in classes):
        return _join("fr-col-12", "fr-col-md", *classes)
    if not any(re.fullmatch(r"fr-col(-\d+)?", token) for token in classes):
        return _join("fr-col-12", *classes)
    return _join(*classes)


@register.filter
def dsfr_css_class(css_class):
    """The author's classes of a layout object, without those crispy-forms adds for Bootstrap."""
    return _join(*_without_bootstrap(css_class))


@register.filter
def dsfr_alert_class(css_class):
    classes = _without_bootstrap(css_class)
    has_type = any(token.startswith("fr-alert--") and token != "fr-alert--sm" for token in classes)
    return _join("fr-alert", "" if has_type else "fr-alert--info", *classes)


@register.filter
def dsfr_is_tab(layout_object):
    """crispy's Tab renders through div.html: the template needs to know it draws a tab panel."""
    return isinstance(layout_object, Tab)


# Wrapping each rendered layout item --------------------------------------------------------------------------
#
# crispy-forms hands container templates (Fieldset, FormActions…) their children as one rendered string,
# while DSFR wants one wrapper per child (div.fr-fieldset__element, li). The helpers below find the
# top-level elements of that string and wrap each one.

_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass
class _Span:
    start: int
    end: int
    tag: str
    attrs: dict


class _TopLevelElements(HTMLParser):
    """Offsets of the top-level elements of an HTML fragment; ``balanced`` is False if its tags do not nest."""

    def __init__(self, html):
        super().__init__(convert_charrefs=False)
        self.html = html
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", html)]
        self.depth = 0
        self.balanced = True
        self.spans = []
        self._open = None
        self.feed(html)
        self.close()
        self.balanced = self.balanced and self.depth == 0

    def _offset(self):
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _add_void(self, tag, attrs):
        start = self._offset()
        self.spans.append(_Span(start, start + len(self.get_starttag_text()), tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        if self.depth == 0:
            self._add_void(tag, attrs)

    def handle_starttag(self, tag, attrs):
        if tag in _VOID_ELEMENTS:
            self.handle_startendtag(tag, attrs)
            return
        if self.depth == 0:
            self._open = (self._offset(), tag, dict(attrs))
        self.depth += 1

    def handle_endtag(self, tag):
        if tag in _VOID_ELEMENTS:
            return
        self.depth -= 1
        if self.depth < 0:
            self.balanced = False
            self.depth = 0
        elif self.depth == 0:
            start, open_tag, attrs = self._open
            self.spans.append(_Span(start, self.html.index(">", self._offset()) + 1, open_tag, attrs))


def _wrap_top_level(html, wrap):
    """Replace each top-level element of ``html`` by ``wrap(chunk, span)``; loose text gets ``span=None``.

    ``html`` is markup crispy-forms rendered (safe); anything else is escaped first.
    """
    html = str(conditional_escape(html))
    parser = _TopLevelElements(html)
    if not parser.balanced:
        return wrap(html.strip(), None) if html.strip() else html
    parts, position = [], 0

    def add_gap(gap):
        parts.append(wrap(gap.strip(), None) if _COMMENT.sub("", gap).strip() else gap)

    for span in parser.spans:
        add_gap(html[position : span.start])
        parts.append(wrap(html[span.start : span.end], span))
        position = span.end
    add_gap(html[position:])
    return "".join(parts)


def _is_hidden_input(span):
    return span is not None and span.tag == "input" and (span.attrs.get("type") or "").lower() == "hidden"


def _has_class(span, css_class):
    return span is not None and css_class in (span.attrs.get("class") or "").split()


@register.filter
def dsfr_fieldset_elements(html):
    """Wrap each item of a fieldset in ``div.fr-fieldset__element`` (hidden inputs stay as they are)."""

    def wrap(chunk, span):
        if _is_hidden_input(span) or _has_class(span, "fr-fieldset__element"):
            return chunk
        return f'<div class="fr-fieldset__element">{chunk}</div>'

    return mark_safe(_wrap_top_level(html, wrap))


@register.filter
def dsfr_list_items(html):
    """Wrap each button of a group in ``li`` (a hidden input gets a hidden ``li``: a list holds only items)."""

    def wrap(chunk, span):
        if span is not None and span.tag == "li":
            return chunk
        return f"<li hidden>{chunk}</li>" if _is_hidden_input(span) else f"<li>{chunk}</li>"

    return mark_safe(_wrap_top_level(html, wrap))


def _is_column(span):
    return span is not None and any(
        token == "fr-col" or token.startswith("fr-col-") for token in (span.attrs.get("class") or "").split()
    )


@register.filter
def dsfr_row_columns(html):
    """Give each item of a Row that is not a Column an equal-width column, so that ``Row("a", "b")`` works."""

    def wrap(chunk, span):
        if _is_hidden_input(span) or _is_column(span):
            return chunk
        return f'<div class="fr-col-12 fr-col-md">{chunk}</div>'

    return mark_safe(_wrap_top_level(html, wrap))


def _has_errors(value):
    if isinstance(value, BaseFormSet):
        return value.is_bound and not value.is_valid()
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    return False


@register.simple_tag(takes_context=True)
def page_has_form_errors(context):
    """``{% page_has_form_errors as has_errors %}``: whether a form of the page was sent back with errors.

    base.html prefixes the page's <title> with "Erreur :" then, as State services do, so that a screen reader
    hears at once that the submission failed. The forms are looked for in the view's context, alone or in a list
    (a step shows several), so that no view has to say it.
    """
    for value in context.flatten().values():
        candidates = value if isinstance(value, list | tuple) else [value]
        if any(_has_errors(candidate) for candidate in candidates):
            return True
    return False
