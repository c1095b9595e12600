import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’_.,/()]+")


def normalize_search(value):
    """Lower-case, without accents, with hyphens and apostrophes as spaces: "Saint-Étienne" → "saint etienne"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", ascii_only.lower()).strip()
