import re
import unicodedata

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
