"""Hypothesis strategies of hostile input: text, numbers, dates, choices, files, and whole POST payloads built from a
parsed form (each field kept, replaced by something hostile, dropped, or sent twice)."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import strategies as st

from tests.applications.factories import PDF_BYTES

LONG_TEXT = ["A" * 100_000, "é" * 20_000 + "\u202e" * 10, "mot " * 5_000]
CONTROL = [
    "\x00",
    "avant\x00après",
    "\x1b[31mrouge\x1b[0m",
    "ligne\rretour",
    "\r\n\r\n",
    "\x07\x08\x0b\x0c\x7f",
    "\u0085\u2028\u2029",
    "\ud7ff\ue000\uffff",
]
BIDI = ["\u202egnp.exe", "\u2066isolé\u2069", "\u202a\u202b\u202c\u202d", "\u200b\u200e\u200f\ufeff", "\u2067\u2068"]
MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "%(name)s %s {0}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "https://evil.example/\r\nSet-Cookie: x=1",
]
DATES = [
    "0000-00-00",
    "9999-12-31",
    "31/02/2025",
    "2025-02-31",
    "demain",
    "1-1-1",
    "99999-01-01",
    "0001-01-01",
    "29/02/2023",
    "2025-13-01",
    "1970-01-01T00:00:00Z",
]
NUMBERS = [
    "1e308",
    "-1e308",
    str(10**30),
    "-" + str(10**30),
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "-0,5",
    "NaN",
    "Infinity",
    "-Infinity",
    "1,5,5",
    "0x10",
    "١٢٣",  # Arabic-Indic digits
    "²",
    "12 000,50 €",
    "beaucoup",
]
EMAILS = ["a@b", "x" * 300 + "@example.fr", "test@exämple.fr", "<a@b.fr>", "a@b.fr\nBcc: c@d.fr", "@"]
ALL_FIXED = LONG_TEXT + CONTROL + BIDI + MARKUP + DATES + NUMBERS + EMAILS + ["", " "]

weird_text = st.text(
    alphabet=st.sampled_from(list("aé 1,.-<>\"'&;/\\%") + ["\x00", "\x1b", "\r", "\u202e", "\u2066", "\ufeff", "😀"]),
    max_size=40,
)
anything = st.sampled_from(ALL_FIXED) | weird_text
FOR_KIND = {
    "date": st.sampled_from(DATES) | anything,
    "datetime-local": st.sampled_from(DATES) | anything,
    "number": st.sampled_from(NUMBERS) | anything,
    "email": st.sampled_from(EMAILS) | anything,
}


def hostile_value(control):
    """A hostile value for one control: of its kind, or anything, or an unknown choice."""
    if control.kind in ("select", "radio", "checkbox"):
        choices = [o for o in control.options if o] or [""]
        return st.sampled_from(choices + ["n'existe-pas", "-1", "999999999", "9223372036854775808", "\x00"]) | anything
    if control.kind == "hidden" and control.name.endswith(("TOTAL_FORMS", "INITIAL_FORMS")):
        return st.sampled_from(["-1", "1000000", "abc", "", "2", "0", "\x00"]) | anything
    return FOR_KIND.get(control.kind, anything)


def hostile_file():
    too_big = settings.ATTACHMENT_MAX_SIZE + 1
    return st.sampled_from(
        [
            ("vide.pdf", b"", "application/pdf"),
            ("../../x.pdf", PDF_BYTES, "application/pdf"),
            ("..\\..\\x.pdf", PDF_BYTES, "application/pdf"),
            ("faux.pdf", b"MZ\x90\x00\x03\x00\x00\x00" * 8, "application/pdf"),
            ("script.exe", b"MZ\x90\x00", "application/x-msdownload"),
            ("page.html", b"<script>alert(1)</script>", "text/html"),
            ("nul\x00.pdf", PDF_BYTES, "application/pdf"),
            ("\u202efdp.exe", PDF_BYTES, "application/pdf"),
            ("a" * 300 + ".pdf", PDF_BYTES, "application/pdf"),
            ("gros.pdf", b"%PDF-1.4\n" + b"0" * too_big, "application/pdf"),
        ]
    ).map(lambda spec: SimpleUploadedFile(spec[0], spec[1], content_type=spec[2]))


KEEP, HOSTILE, DROP, TWICE = "keep", "hostile", "drop", "twice"


@st.composite
def payloads(draw, form):
    """A POST payload for ``form`` (a tests.fuzz.forms.Form): a dict of lists (repeated keys are lists)."""
    data = {name: value if isinstance(value, list) else [value] for name, value in form.default_data().items()}
    controls = [c for c in form.fields if c.name != "csrfmiddlewaretoken"]
    mutable = [c for c in controls if c.kind != "submit"]
    touched = False
    for control in mutable:
        move = draw(st.sampled_from([KEEP, KEEP, HOSTILE, HOSTILE, DROP, TWICE]))
        if control.kind == "file":
            if move in (HOSTILE, TWICE):
                data[control.name] = [draw(hostile_file()) for _ in range(1 if move == HOSTILE else 2)]
                touched = True
            continue
        if move == HOSTILE:
            data[control.name] = [draw(hostile_value(control))]
        elif move == DROP:
            data.pop(control.name, None)
        elif move == TWICE:
            data[control.name] = [draw(hostile_value(control)), draw(hostile_value(control))]
        touched = touched or move != KEEP
    if mutable and not touched:
        control = draw(st.sampled_from(mutable))
        if control.kind == "file":
            data[control.name] = [draw(hostile_file())]
        else:
            data[control.name] = [draw(hostile_value(control))]
    # Sometimes a field the form does not know, and sometimes another submit button of the form.
    if draw(st.booleans()):
        data[draw(st.sampled_from(["inconnu", "id", "pk", "owner", "state", "is_staff", "role"]))] = [draw(anything)]
    buttons = [c for c in controls if c.kind == "submit"]
    if buttons and draw(st.booleans()):
        button = draw(st.sampled_from(buttons))
        data[button.name] = [draw(st.sampled_from([button.value, *button.options, "\x00", "autre"]))]
    return {name: values if len(values) != 1 else values[0] for name, values in data.items()}
