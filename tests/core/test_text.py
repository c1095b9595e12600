"""Text helpers of ptce_ami.core.text: cleaning what people type, search, ids."""

import re

import pytest

from ptce_ami.core.text import accent_insensitive_pattern, clean_text, normalize_search, parse_ids


def test_normalize_search():
    assert normalize_search("Saint-Étienne l’Atelier") == "saint etienne l atelier"


@pytest.mark.parametrize(
    ("typed", "text", "matches"),
    [
        ("reemploi", "Pôle Réemploi des Pentes", True),
        ("RÉEMPLOI", "pole reemploi", True),
        ("saint etienne", "Coopérative de Saint-Étienne", True),
        ("coop' des rives", "Association Coop’ des Rives", True),
        ("françois", "Garage Francois", True),
        ("réemploi", "Pôle Remploi", False),
        ("a.b", "axb", False),  # typed punctuation is a separator, never a wildcard
    ],
)
def test_accent_insensitive_pattern(typed, text, matches):
    assert bool(re.search(accent_insensitive_pattern(typed), text, re.IGNORECASE)) is matches


def test_parse_ids_keeps_ascii_ids_only_once_in_order():
    assert parse_ids(["3", "1", "3", "²", "٣", "x", "", "1" * 19]) == [3, 1]


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [
        ("Pôle\x01 des\x1b[31m Rives\x7f", "Pôle des[31m Rives"),
        ("\x00nul\x08 \x1f\x0e", "nul "),
        ("C1\x80\x9b\x9f", "C1"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ("\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069isolé", "isolé"),
        (
            "ligne 1\x0bligne 2\x0cligne 3\x85ligne 4\u2028ligne 5\u2029fin",
            "ligne 1\nligne 2\nligne 3\nligne 4\nligne 5\nfin",
        ),
        ("tab\tlf\ncr\r\n", "tab\tlf\ncr\r\n"),
        (
            "famille 👩\u200d👩\u200d👧, ‏שלום‎, e\u0301té, l\u2019été\u00a0!",
            "famille 👩\u200d👩\u200d👧, ‏שלום‎, e\u0301té, l\u2019été\u00a0!",
        ),
    ],
)
def test_clean_text_removes_controls_and_bidi_overrides_only(typed, cleaned):
    assert clean_text(typed) == cleaned
