"""Search helpers of ptce_ami.core.text."""

import re

import pytest

from ptce_ami.core.text import accent_insensitive_pattern, normalize_search, parse_ids


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
