"""Amounts of money, the French way: the one formatter of the platform (letters, eligibility messages, pages)."""

from decimal import Decimal

NARROW_NBSP = "\u202f"


def euros(amount):
    """ "100 000 €", "80 000,50 €": French grouping and decimal comma, narrow no-break spaces (cents only when
    there are some)."""
    amount = Decimal(amount)
    cents = amount != amount.to_integral_value()
    whole, _dot, decimals = f"{abs(amount):,.{2 if cents else 0}f}".partition(".")
    text = ("-" if amount < 0 else "") + whole.replace(",", NARROW_NBSP) + ("," + decimals if cents else "")
    return f"{text}{NARROW_NBSP}€"
