"""Places (communes, EPCI, départements): their ids, their labels, and a territory made of several of them.

A place id is ``<kind>:<code>``: ``commune:69123``, ``epci:200046977``, ``departement:69``. A commune that is
not a current commune carries its kind as a third part (``commune:01015:commune-deleguee``), since 584
communes déléguées share the code of the commune nouvelle they belong to.

Typed input (forms without JavaScript) may omit the kind: a 9-digit code is a SIREN, a 5-character code an
INSEE commune code (or, failing that, a postcode of a single commune), a 2- or 3-character code a département.
"""

import operator
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ptce_ami.core.text import normalize_search
from territories.enums import CommuneKind, PlaceKind
from territories.models import EPCI, Commune, Departement, Region

ALL_KINDS = (PlaceKind.COMMUNE, PlaceKind.EPCI, PlaceKind.DEPARTEMENT)
# When a bare code matches several communes, the current commune wins, then a district, a déléguée, an associée.
COMMUNE_KIND_PREFERENCE = (
    CommuneKind.CURRENT,
    CommuneKind.MUNICIPAL_DISTRICT,
    CommuneKind.DELEGATED,
    CommuneKind.ASSOCIATED,
)
KIND_ALIASES = {
    "commune": PlaceKind.COMMUNE,
    "epci": PlaceKind.EPCI,
    "departement": PlaceKind.DEPARTEMENT,
    "dep": PlaceKind.DEPARTEMENT,
    "dept": PlaceKind.DEPARTEMENT,
}
_CODE = re.compile(r"[0-9][0-9AB][0-9]{0,7}")
_TOKEN_SEPARATORS = re.compile(r"[,;\s]+")

UNKNOWN_MESSAGES = {
    frozenset(ALL_KINDS): _("Le code « %(code)s » ne correspond à aucune commune, aucun EPCI ni aucun département."),
    frozenset({PlaceKind.COMMUNE, PlaceKind.EPCI}): _(
        "Le code « %(code)s » ne correspond à aucune commune ni aucun EPCI."
    ),
    frozenset({PlaceKind.COMMUNE, PlaceKind.DEPARTEMENT}): _(
        "Le code « %(code)s » ne correspond à aucune commune ni aucun département."
    ),
    frozenset({PlaceKind.EPCI, PlaceKind.DEPARTEMENT}): _(
        "Le code « %(code)s » ne correspond à aucun EPCI ni aucun département."
    ),
    frozenset({PlaceKind.COMMUNE}): _("Le code « %(code)s » ne correspond à aucune commune."),
    frozenset({PlaceKind.EPCI}): _("Le code « %(code)s » ne correspond à aucun EPCI."),
    frozenset({PlaceKind.DEPARTEMENT}): _("Le code « %(code)s » ne correspond à aucun département."),
}
AMBIGUOUS_POSTCODE_MESSAGE = _(
    "Le code « %(code)s » est un code postal commun à plusieurs communes (%(names)s) : "
    "indiquez le code INSEE de la commune voulue."
)


# Labels ------------------------------------------------------------------------------------------------------


def of_name(name):
    """French "de" before a place name: "de Lyon", "d'Arboys en Bugey", "du Havre", "des Abrets"."""
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if normalize_search(name[:1]) in {"a", "e", "i", "o", "u", "y"}:
        return f"d'{name}"
    return f"de {name}"


def commune_label(name, departement_code, kind, parent_name=None):
    """ "Lyon (69)"; "Arbignieu (commune déléguée d'Arboys en Bugey, 01)" for a déléguée or an associée."""
    if kind == CommuneKind.DELEGATED and parent_name:
        pattern = _("%(name)s (commune déléguée %(of_parent)s, %(departement)s)")
    elif kind == CommuneKind.ASSOCIATED and parent_name:
        pattern = _("%(name)s (commune associée %(of_parent)s, %(departement)s)")
    else:
        pattern = _("%(name)s (%(departement)s)")
    values = {"name": name, "departement": departement_code, "parent": parent_name or ""}
    return pattern % {**values, "of_parent": of_name(parent_name or "")}


def population_text(population):
    if population is None:
        return ""
    return _("%(population)s hab.") % {"population": number_format(population, force_grouping=True)}


def join_details(*parts):
    return " · ".join(str(part) for part in parts if part)


def place_label(place):
    """The label of a Commune (with departement and parent loaded), EPCI or Departement."""
    if isinstance(place, Commune):
        parent_name = place.parent.name if place.parent_id else None
        return commune_label(place.name, place.departement_id, place.kind, parent_name)
    if isinstance(place, Departement):
        return f"{place.name} ({place.code})"
    return place.name


# Parsing -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceRef:
    """One token of typed input: a kind (None when the token does not say), a code, and the token itself."""

    raw: str
    kind: str | None
    code: str
    commune_kind: str | None = None


def split_tokens(value):
    """Tokens of typed input or of a list of ids: "commune : 69123; 38" → ["commune:69123", "38"]."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        value = ",".join(str(item) for item in value)
    value = re.sub(r"\s*:\s*", ":", str(value))
    return [token for token in _TOKEN_SEPARATORS.split(value) if token]


def guess_kind(code):
    if not _CODE.fullmatch(code):
        return None
    if len(code) == 9:
        return PlaceKind.EPCI
    if len(code) == 5:
        return PlaceKind.COMMUNE
    if len(code) in (2, 3):
        return PlaceKind.DEPARTEMENT
    return None


def parse_token(token):
    """A PlaceRef for token; its kind is None when the token cannot designate any place."""
    parts = token.split(":")
    if len(parts) == 1:
        return PlaceRef(token, guess_kind(token.upper()), token.upper())
    kind = KIND_ALIASES.get(normalize_search(parts[0]))
    commune_kind = parts[2] if len(parts) == 3 else None
    if len(parts) > 3 or (commune_kind and (kind != PlaceKind.COMMUNE or commune_kind not in CommuneKind.values)):
        kind = None
    return PlaceRef(token, kind, parts[1].upper(), commune_kind)


# Selection ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TerritorySelection:
    """A territory made of communes, EPCI and départements, as chosen in a TerritoryField."""

    communes: list[Commune] = field(default_factory=list)
    epcis: list[EPCI] = field(default_factory=list)
    departements: list[Departement] = field(default_factory=list)

    def __bool__(self):
        return bool(self.communes or self.epcis or self.departements)

    @property
    def places(self):
        return [*self.communes, *self.epcis, *self.departements]

    @property
    def ids(self):
        return [place.place_id for place in self.places]

    def regions(self):
        """The set of regions the territory lies in, in one query (an EPCI's are those of its communes)."""
        if not self:
            return set()
        codes = {commune.departement_id for commune in self.communes} | {dep.code for dep in self.departements}
        condition = Q(departements__code__in=codes) | Q(departements__communes__epci__in=self.epcis)
        return set(Region.objects.filter(condition).distinct())

    def contains_commune(self, commune):
        """True if commune — or the commune it belongs to (déléguée, district) — lies in the territory."""
        candidates = [commune, commune.parent] if commune.parent_id else [commune]
        commune_ids = {chosen.pk for chosen in self.communes}
        epci_ids = {epci.pk for epci in self.epcis}
        departement_ids = {departement.pk for departement in self.departements}
        return any(
            candidate.pk in commune_ids or candidate.epci_id in epci_ids or candidate.departement_id in departement_ids
            for candidate in candidates
        )


@dataclass
class Resolution:
    """The outcome of resolving typed input: the places found, and one ValidationError per token not found."""

    selection: TerritorySelection
    errors: list


def resolve(value, kinds=ALL_KINDS):
    """Resolve typed input or ids (a string, a list, or a TerritorySelection) into places, in at most 4 queries.

    Tokens of a kind outside kinds are reported as unknown; the same place given twice counts once.
    """
    if isinstance(value, TerritorySelection):
        return Resolution(value, [])
    refs = list(dict.fromkeys(parse_token(token) for token in split_tokens(value)))
    wanted = [ref for ref in refs if ref.kind in kinds]
    found = find_communes([ref for ref in wanted if ref.kind == PlaceKind.COMMUNE])
    by_postcode, ambiguities = find_by_postcode([ref for ref in wanted if is_postcode_candidate(ref, found)])
    found |= by_postcode | find_epcis([ref for ref in wanted if ref.kind == PlaceKind.EPCI])
    found |= find_departements([ref for ref in wanted if ref.kind == PlaceKind.DEPARTEMENT])
    unknown = UNKNOWN_MESSAGES[frozenset(kinds)]
    errors = [
        ambiguities.get(ref) or ValidationError(unknown, code="unknown", params={"code": ref.raw})
        for ref in refs
        if ref not in found
    ]
    return Resolution(selection_of([found[ref] for ref in refs if ref in found]), errors)


def find_communes(refs):
    """{ref: Commune} for the refs whose code (and kind, if given) designates a commune."""
    if not refs:
        return {}
    by_code = defaultdict(dict)
    communes = Commune.objects.filter(code__in={ref.code for ref in refs}).select_related("departement", "parent")
    for commune in communes:
        by_code[commune.code][commune.kind] = commune
    found = {}
    for ref in refs:
        candidates = by_code[ref.code]
        kinds = [ref.commune_kind] if ref.commune_kind else COMMUNE_KIND_PREFERENCE
        match = next((candidates[kind] for kind in kinds if kind in candidates), None)
        if match is not None:
            found[ref] = match
    return found


def is_postcode_candidate(ref, found):
    """A bare 5-digit token that is no INSEE code may be a postcode ("38000" for Grenoble)."""
    return ref not in found and ref.kind == PlaceKind.COMMUNE and ":" not in ref.raw and ref.code.isdigit()


def find_by_postcode(refs):
    """({ref: Commune} for postcodes of a single current commune, {ref: message} for shared postcodes)."""
    if not refs:
        return {}, {}
    condition = reduce(operator.or_, (Q(postcodes__contains=ref.code) for ref in refs))
    communes = list(
        Commune.objects.filter(condition, kind=CommuneKind.CURRENT).select_related("departement").order_by("name")
    )
    found, ambiguities = {}, {}
    for ref in refs:
        matching = [commune for commune in communes if ref.code in commune.postcodes.split()]
        if len(matching) == 1:
            found[ref] = matching[0]
        elif matching:
            params = {"code": ref.raw, "names": names_excerpt(matching)}
            ambiguities[ref] = ValidationError(AMBIGUOUS_POSTCODE_MESSAGE, code="ambiguous", params=params)
    return found, ambiguities


def names_excerpt(communes, size=5):
    names = ", ".join(commune.name for commune in communes[:size])
    return f"{names}…" if len(communes) > size else names


def find_epcis(refs):
    if not refs:
        return {}
    epcis = EPCI.objects.in_bulk({ref.code for ref in refs})
    return {ref: epcis[ref.code] for ref in refs if ref.code in epcis}


def find_departements(refs):
    if not refs:
        return {}
    departements = Departement.objects.in_bulk({ref.code for ref in refs})
    return {ref: departements[ref.code] for ref in refs if ref.code in departements}


def selection_of(places):
    unique = list(dict.fromkeys(places))
    return TerritorySelection(
        communes=[place for place in unique if isinstance(place, Commune)],
        epcis=[place for place in unique if isinstance(place, EPCI)],
        departements=[place for place in unique if isinstance(place, Departement)],
    )
