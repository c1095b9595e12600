"""The POST forms of a page, read with the standard library's html.parser: their action and their controls."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIPPED_INPUTS = {"reset", "image"}


@dataclass
class Control:
    name: str
    kind: str  # text, email, number, date, checkbox, radio, hidden, file, select, textarea, submit, password…
    value: str = ""
    options: list = field(default_factory=list)  # the values of a select's options or of a radio/checkbox group
    multiple: bool = False
    checked: bool = False
    required: bool = False


@dataclass
class Form:
    action: str  # a path
    id: str = ""
    enctype: str = ""
    controls: list = field(default_factory=list)

    @property
    def fields(self):
        """One Control per name: radios and checkboxes of one name are merged into a group with options."""
        merged = {}
        for control in self.controls:
            known = merged.get(control.name)
            if known is None:
                known = merged[control.name] = Control(
                    control.name,
                    control.kind,
                    control.value if control.kind not in ("radio", "checkbox") or control.checked else "",
                    list(control.options),
                    control.multiple,
                    control.checked,
                    control.required,
                )
                if control.kind in ("radio", "checkbox"):
                    known.options = [control.value]
                    known.value = [control.value] if control.checked else []
            elif control.kind in ("radio", "checkbox"):
                known.options.append(control.value)
                known.kind = control.kind
                if control.checked:
                    known.value.append(control.value)
            elif control.kind == "submit":
                known.options.append(control.value)
            else:
                known.multiple = True  # the same name twice (a formset's hidden copy, a multi-value field)
        return list(merged.values())

    def default_data(self):
        """What a browser would send without touching anything (the first submit button included)."""
        data = {}
        for control in self.fields:
            if control.kind in ("radio", "checkbox"):
                if control.value:
                    data[control.name] = control.value if control.kind == "checkbox" else control.value[0]
            elif control.kind == "submit":
                data.setdefault(control.name, control.value)
            elif control.kind == "select":
                data[control.name] = control.value if control.value else (control.options[:1] or [""])[0]
            elif control.kind != "file":
                data[control.name] = control.value
        return data

    @property
    def has_files(self):
        return any(control.kind == "file" for control in self.controls)


class _FormParser(HTMLParser):
    def __init__(self, page_path, method="post"):
        super().__init__(convert_charrefs=True)
        self.method = method
        self.page_path = page_path
        self.forms = []
        self.by_id = {}
        self.current = None
        self.select = None
        self.option = None
        self.textarea = None
        self.orphans = []  # controls outside any form but with form="id"

    def _form_for(self, attrs):
        if attrs.get("form"):
            return ("id", attrs["form"])
        return self.current

    def _add(self, attrs, control):
        owner = self._form_for(attrs)
        if isinstance(owner, tuple):
            self.orphans.append((owner[1], control))
        elif owner is not None:
            owner.controls.append(control)

    def handle_starttag(self, tag, attrs):
        attrs = {name: "" if value is None else value for name, value in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() == self.method:
                action = urlsplit(urljoin(self.page_path, attrs.get("action") or self.page_path)).path
                self.current = Form(action=action, id=attrs.get("id", ""), enctype=attrs.get("enctype", ""))
                self.forms.append(self.current)
                if self.current.id:
                    self.by_id[self.current.id] = self.current
            else:
                self.current = None
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            self._add(
                attrs,
                Control(
                    attrs["name"],
                    kind,
                    attrs.get("value", "on" if kind in ("checkbox", "radio") else ""),
                    checked="checked" in attrs,
                    required="required" in attrs,
                ),
            )
        elif tag == "button" and attrs.get("name"):
            if attrs.get("type", "submit").lower() == "submit":
                self._add(attrs, Control(attrs["name"], "submit", attrs.get("value", ""), options=[]))
        elif tag == "select" and attrs.get("name"):
            self.select = Control(attrs["name"], "select", multiple="multiple" in attrs, required="required" in attrs)
            self.select.value = [] if self.select.multiple else ""
            self._add(attrs, self.select)
        elif tag == "option" and self.select is not None:
            self.option = {"value": attrs.get("value"), "text": "", "selected": "selected" in attrs}
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = Control(attrs["name"], "textarea", required="required" in attrs)
            self._add(attrs, self.textarea)

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        elif self.textarea is not None:
            self.textarea.value += data

    def _close_option(self):
        if self.option is not None and self.select is not None:
            value = self.option["value"] if self.option["value"] is not None else self.option["text"].strip()
            self.select.options.append(value)
            if self.option["selected"]:
                if self.select.multiple:
                    self.select.value.append(value)
                else:
                    self.select.value = value
        self.option = None

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def close(self):
        super().close()
        for form_id, control in self.orphans:
            if form_id in self.by_id:
                self.by_id[form_id].controls.append(control)


def parse_forms(html, page_path, method="post"):
    """The forms of ``method`` ("post", or "get" for the filters) of a page."""
    parser = _FormParser(page_path, method)
    parser.feed(html)
    parser.close()
    return parser.forms
