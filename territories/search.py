"""Autocomplete over communes, EPCI and départements: one query per kind, merged and ranked in Python.

Names are matched on their normalised form (``normalize_search``: no accents, case, hyphens or apostrophes):
a name that starts with the query ranks first, then a name with a word starting with the query; within each
tier, the most populated place first. A query made of a code ("69", "2A", "69001", "200046977") matches INSEE
codes, postcodes and SIRENs instead: exact matches first, then prefixes.
"""

import re
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, Value, When

from ptce_ami.core.text import normalize_search
from territories.enums import EPCIKind, PlaceKind
from territories.models import EPCI, Commune, Departement, commune_place_id
from territories.places import ALL_KINDS, commune_label, join_details, population_text

MIN_LENGTH = 2
MAX_LENGTH = 100  # the longest French commune name has 45 characters
CODE_QUERY = re.compile(r"[0-9][0-9ab][0-9]*")
# Common abbreviations of place names, expanded when followed by another word: "st etienne" → "saint etienne".
ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
EXACT, PREFIX, WORD, SIREN_PREFIX = 0, 1, 2, 3


@dataclass
class Suggestion:
    kind: str
    code: str
    id: str
    label: str
    detail: str
    tier: int
    weight: int

    def as_json(self):
        return {"id": self.id, "kind": self.kind, "label": self.label, "detail": self.detail, "code": self.code}


def normalize_query(query):
    words = normalize_search(query).split()
    expanded = [ABBREVIATIONS.get(word, word) for word in words[:-1]]
    return " ".join([*expanded, *words[-1:]])


def parse_kinds(value):
    """The kinds asked for in "commune,epci"; every kind when none is valid."""
    kinds = [kind for kind in ALL_KINDS if kind in (value or "").split(",")]
    return kinds or list(ALL_KINDS)


def autocomplete(query, kinds=ALL_KINDS, limit=10):
    """Suggestions for query (at most limit, best first) as JSON-ready dicts; [] for a query under 2 characters or
    over MAX_LENGTH."""
    text = normalize_query(query)
    if not MIN_LENGTH <= len(text) <= MAX_LENGTH or "\x00" in text:
        return []  # no place is named so (a NUL byte is refused by PostgreSQL, a huge pattern by SQLite)
    by_code = bool(CODE_QUERY.fullmatch(text))
    searchers = {PlaceKind.COMMUNE: communes, PlaceKind.EPCI: epcis, PlaceKind.DEPARTEMENT: departements}
    suggestions = []
    for kind in kinds:
        suggestions += searchers[kind](text, by_code, limit)
    suggestions.sort(key=lambda s: (s.tier, -s.weight, s.label))
    return [suggestion.as_json() for suggestion in suggestions[:limit]]


def name_filter(text):
    return Q(search_name__startswith=text) | Q(search_name__contains=f" {text}")


def tier_case(condition, then, default):
    """The rank of a row: then where condition holds, default elsewhere."""
    return Case(When(condition, then=Value(then)), default=Value(default), output_field=IntegerField())


def name_tier(text):
    return tier_case(Q(search_name__startswith=text), PREFIX, WORD)


def ranked(queryset, limit, *fields):
    return list(queryset.order_by("tier", F("population").desc(nulls_last=True), "name").values(*fields)[:limit])


# Communes ----------------------------------------------------------------------------------------------------


COMMUNE_FIELDS = (
    *("code", "kind", "name", "departement_id", "population", "tier"),
    *("epci__name", "parent__name", "parent__epci__name"),
)


def commune_code_filter(code):
    """Communes whose INSEE code or one of whose postcodes starts with code; exact matches get tier EXACT."""
    prefix = Q(code__startswith=code) | Q(postcodes__startswith=code) | Q(postcodes__contains=f" {code}")
    exact = Q(code=code) | Q(postcodes=code) | Q(postcodes__startswith=f"{code} ")
    exact |= Q(postcodes__endswith=f" {code}") | Q(postcodes__contains=f" {code} ")
    return prefix, tier_case(exact, EXACT, PREFIX)


def communes(text, by_code, limit):
    if by_code:
        condition, tier = commune_code_filter(text.upper())
    else:
        condition, tier = name_filter(text), name_tier(text)
    rows = ranked(Commune.objects.filter(condition).annotate(tier=tier), limit, *COMMUNE_FIELDS)
    return [commune_suggestion(row) for row in rows]


def commune_suggestion(row):
    return Suggestion(
        kind=PlaceKind.COMMUNE,
        code=row["code"],
        id=commune_place_id(row["code"], row["kind"]),
        label=commune_label(row["name"], row["departement_id"], row["kind"], row["parent__name"]),
        detail=join_details(row["epci__name"] or row["parent__epci__name"], population_text(row["population"])),
        tier=row["tier"],
        weight=row["population"] or 0,
    )


# EPCI --------------------------------------------------------------------------------------------------------


def epcis(text, by_code, limit):
    if by_code and not text.isdigit():
        return []
    if by_code:
        condition = Q(siren__startswith=text)
        tier = tier_case(Q(siren=text), EXACT, SIREN_PREFIX)
    else:
        condition, tier = name_filter(text), name_tier(text)
    queryset = EPCI.objects.filter(condition).annotate(tier=tier)
    rows = ranked(queryset, limit, "siren", "name", "kind", "population", "tier")
    return [epci_suggestion(row) for row in rows]


def epci_suggestion(row):
    return Suggestion(
        kind=PlaceKind.EPCI,
        code=row["siren"],
        id=f"{PlaceKind.EPCI}:{row['siren']}",
        label=row["name"],
        detail=join_details(EPCIKind(row["kind"]).label, population_text(row["population"])),
        tier=row["tier"],
        weight=row["population"] or 0,
    )


# Départements ------------------------------------------------------------------------------------------------


def departements(text, by_code, limit):
    if by_code:
        code = text.upper()
        condition = Q(code__startswith=code)
        tier = tier_case(Q(code=code), EXACT, PREFIX)
    else:
        condition, tier = name_filter(text), name_tier(text)
    queryset = Departement.objects.filter(condition).annotate(tier=tier)
    rows = ranked(queryset, limit, "code", "name", "region__name", "population", "tier")
    return [departement_suggestion(row) for row in rows]


def departement_suggestion(row):
    return Suggestion(
        kind=PlaceKind.DEPARTEMENT,
        code=row["code"],
        id=f"{PlaceKind.DEPARTEMENT}:{row['code']}",
        label=f"{row['name']} ({row['code']})",
        detail=join_details(PlaceKind.DEPARTEMENT.label, row["region__name"], population_text(row["population"])),
        tier=row["tier"],
        weight=row["population"] or 0,
    )
