"""A small DOM built with the standard library's html.parser, for assertions on rendered HTML."""

import re
from html.parser import HTMLParser

_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
_CONTROLS = ("input", "select", "textarea", "button")


class Element:
    def __init__(self, tag, attrs, parent=None):
        self.tag = tag
        self.attrs = {name: "" if value is None else value for name, value in attrs}
        self.parent = parent
        self.children = []

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"

    @property
    def id(self):
        return self.attrs.get("id")

    @property
    def classes(self):
        return self.attrs.get("class", "").split()

    def ids_in(self, attribute):
        """The ids listed by an attribute such as aria-describedby."""
        return self.attrs.get(attribute, "").split()

    @property
    def elements(self):
        return [child for child in self.children if isinstance(child, Element)]

    def iter(self):
        for child in self.elements:
            yield child
            yield from child.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        """Descendants by tag, class and attributes (``aria_invalid="true"`` for aria-invalid)."""
        attrs = {name.replace("_", "-"): value for name, value in attrs.items()}
        return [
            element
            for element in self.iter()
            if (tag is None or element.tag == tag)
            and (cls is None or cls in element.classes)
            and all(element.attrs.get(name) == value for name, value in attrs.items())
        ]

    def find(self, tag=None, cls=None, **attrs):
        """The only descendant that matches."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one {tag or ''}.{cls or ''} {attrs}, found {len(found)}"
        return found[0]

    def ancestors(self):
        element = self.parent
        while element is not None:
            yield element
            element = element.parent

    def closest(self, tag=None, cls=None):
        for element in self.ancestors():
            if (tag is None or element.tag == tag) and (cls is None or cls in element.classes):
                return element
        return None

    def contains(self, other):
        return any(ancestor is self for ancestor in other.ancestors())

    @property
    def text(self):
        parts = []

        def collect(element):
            for child in element.children:
                if isinstance(child, Element):
                    collect(child)
                else:
                    parts.append(child)

        collect(self)
        return re.sub(r"\s+", " ", "".join(parts)).strip()


class Document(Element):
    def __init__(self):
        super().__init__("#document", [])

    def by_id(self, element_id):
        found = [element for element in self.iter() if element.id == element_id]
        assert len(found) <= 1, f"id {element_id!r} is used {len(found)} times"
        return found[0] if found else None

    def controls(self):
        """Visible form controls (not hidden inputs, not buttons)."""
        return [
            element
            for element in self.iter()
            if element.tag in _CONTROLS[:3]
            and element.attrs.get("type") not in ("hidden", "submit", "button", "reset")
            and element.closest("template") is None
        ]


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.document = Document()
        self.stack = [self.document]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in _VOID_ELEMENTS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag):
        open_tags = [element.tag for element in self.stack]
        assert tag in open_tags, f"</{tag}> closes nothing"
        while self.stack[-1].tag != tag:
            unclosed = self.stack.pop()
            raise AssertionError(f"<{unclosed.tag}> is not closed before </{tag}>")
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html):
    """Parse a rendered fragment; fails on tags that do not nest."""
    builder = _Builder()
    builder.feed(str(html))
    builder.close()
    assert builder.stack == [builder.document], f"unclosed tags: {[element.tag for element in builder.stack[1:]]}"
    return builder.document


def field_error_messages(html, name):
    """The error messages shown under the control named ``name``, checking that they describe it."""
    document = parse(html)
    control = document.find(name=name)
    group = document.by_id(f"id_{name}-messages")
    assert group is not None, f"no messages under {name}"
    assert group.id in control.ids_in("aria-describedby")
    assert control.attrs.get("aria-invalid") == "true"
    return [element.text for element in group.find_all("p", cls="fr-message--error")]
