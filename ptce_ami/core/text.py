"""Text helpers: cleaning what people type (``clean_text``), searching without accents, reading ids."""

import re
import unicodedata

# Characters that never belong in what people type, removed by clean_text: the C0 controls but tab, line feed
# and carriage return, DEL, the C1 controls, and the bidi embeddings, overrides and isolates (U+202A–U+202E,
# U+2066–U+2069) that make text display in another order than it is stored ("Trojan Source", CVE-2021-42574;
# "facture\u202efdp.exe" shows as "factureexe.pdf"). Joiners (ZWJ in emoji), marks (LRM, RLM) and every printable
# character stay.
# The longest search the lists accept (a pole's name is at most 200 characters).
SEARCH_MAX_LENGTH = 200

_REMOVED = [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
# Line breaks of other systems (Word's manual line break is a vertical tab) become a line feed.
_LINE_BREAKS = [0x0B, 0x0C, 0x85, 0x2028, 0x2029]
_CLEANING = {code: "\n" if code in _LINE_BREAKS else None for code in [*_REMOVED, *_LINE_BREAKS]}


def clean_text(value):
    """``value`` without control characters nor bidi overrides (see _REMOVED), other line breaks as "\\n".

    Removed rather than refused: they are invisible, so a message could not show the person what to fix (a form
    feed pasted from a PDF), and once removed a spoofing text displays as it is stored.
    """
    return value.translate(_CLEANING)


_SEPARATORS = re.compile(r"[\s\-'’_.,/()]+")


def normalize_search(value):
    """Lower-case, without accents, with hyphens and apostrophes as spaces: "Saint-Étienne" → "saint etienne"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", ascii_only.lower()).strip()


# Each base letter and the accented forms French uses, both cases (PostgreSQL's ~* may fold ASCII only).
_ACCENTED = {
    "a": "aàâäáAÀÂÄÁ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïíIÎÏÍ",
    "o": "oôöóOÔÖÓ",
    "u": "uùûüúUÙÛÜÚ",
    "y": "yÿYŸ",
}


def accent_insensitive_pattern(value):
    """A regular expression (for ``__iregex``) matching ``value`` whatever its accents, case, hyphens or
    apostrophes: "saint etienne" and "Saint-Étienne" both match "Pôle de Saint-Étienne"."""
    parts = []
    for char in normalize_search(value):
        if char == " ":
            parts.append(r"[\s\-'’_.,/()]+")
        elif char in _ACCENTED:
            parts.append(f"[{_ACCENTED[char]}]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def is_id(value):
    """An id typed in a URL or a form: ASCII digits only ("²" or "٣" are digits to Python, not to int())."""
    value = str(value)
    return value.isascii() and value.isdigit() and len(value) <= 18


def parse_ids(values):
    """The distinct ids among ``values``, in order; anything else is dropped."""
    return list(dict.fromkeys(int(value) for value in values if is_id(value)))
