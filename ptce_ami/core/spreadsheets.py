"""Cells that a spreadsheet would run as formulas (CSV/formula injection): the one rule, used by every export."""

# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """The cell's text, with an apostrophe in front when a spreadsheet would read it as a formula."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text
