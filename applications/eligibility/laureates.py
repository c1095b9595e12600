"""The history of State PTCE calls' laureates (rule R07), kept as reference data in ``data/laureates.csv``.

One row per laureate: year, call ("AAP 2013", "AMI 2021 phase 2"…), name, aliases (other names met in the
sources, separated by "|"), lead structure, region, SIREN (empty when unknown), funded ("oui" for the
calls that gave money: the 2013 and 2015 AAP and the AMI phase 2; "non" for phase-1 labels), source URL and
a note. Names are matched on a normalised key: lower case, no accents, no punctuation, no stop words.
"""

import csv
import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ptce_ami.core.text import normalize_search

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "laureates.csv"
COLUMNS = ("year", "call", "name", "aliases", "lead", "region", "siren", "funded", "source_url", "note")

# Words that say nothing about which pôle it is: articles, the name of the scheme, legal forms.
STOP_WORDS = frozenset(
    {
        "ptce",
        "pole",
        "poles",
        "le",
        "la",
        "les",
        "l",
        "de",
        "du",
        "des",
        "d",
        "et",
        "en",
        "au",
        "aux",
        "association",
        "asso",
        "scic",
        "scop",
        "sarl",
        "sas",
        "sa",
    }
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Shorter keys ("ciel", "tera" are 4) would match too many unrelated names.
MIN_KEY_LENGTH = 4
# Ratio of difflib.SequenceMatcher above which two keys are "close" ("autonhomme" / "autonhommes": 0.95).
CLOSE_RATIO = 0.9


def name_key(value):
    """ "PTCE Réuniverre" → "reuniverre"; "Clu'Ster Jura" → "clusterjura"; words joined, so that an apostrophe
    or a hyphen inside a word does not matter."""
    ligatures = (value or "").replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    words = _NOT_ALNUM.split(normalize_search(ligatures))
    return "".join(word for word in words if word and word not in STOP_WORDS)


@dataclass(frozen=True)
class Laureate:
    year: int
    call: str
    name: str
    aliases: tuple
    lead: str
    region: str
    siren: str
    funded: bool
    source_url: str
    note: str = ""

    @property
    def edition(self):
        """The call without its phase: "AMI 2021 phase 2" → "AMI 2021"."""
        return self.call.split(" phase")[0]

    @property
    def is_ami_phase1(self):
        return self.call.startswith("AMI") and self.call.endswith("phase 1")

    @property
    def is_ami(self):
        return self.call.startswith("AMI")


@dataclass(frozen=True)
class NameMatch:
    laureate: Laureate
    on_lead: bool  # the laureate's lead structure matched, rather than the pôle's name


class LaureateHistory:
    """Laureates indexed by SIREN and by normalised name (names, aliases and leads)."""

    def __init__(self, laureates):
        self.laureates = list(laureates)
        self._by_siren = {}
        self._by_key = {}
        for laureate in self.laureates:
            if laureate.siren:
                self._by_siren.setdefault(laureate.siren, []).append(laureate)
            for value, on_lead in [
                (laureate.name, False),
                *((a, False) for a in laureate.aliases),
                (laureate.lead, True),
            ]:
                key = name_key(value)
                if len(key) >= MIN_KEY_LENGTH:
                    self._by_key.setdefault(key, []).append(NameMatch(laureate, on_lead))

    def __len__(self):
        return len(self.laureates)

    @classmethod
    def from_csv(cls, path=DEFAULT_PATH):
        with open(path, encoding="utf-8", newline="") as handle:
            return cls(parse_rows(csv.DictReader(handle)))

    def funded(self):
        return [laureate for laureate in self.laureates if laureate.funded]

    def funded_editions(self):
        """ "AAP 2013", "AMI 2021"…: the calls that gave money, in chronological order."""
        return list(dict.fromkeys(laureate.edition for laureate in sorted(self.funded(), key=lambda x: x.year)))

    def by_siren(self, siren):
        """Funded laureates with this SIREN."""
        return [laureate for laureate in self._by_siren.get(siren, []) if laureate.funded] if siren else []

    def by_name(self, name, *, keep=lambda laureate: laureate.funded):
        """NameMatches whose key equals or is close to that of ``name``; one per laureate, exact ones first."""
        key = name_key(name)
        if len(key) < MIN_KEY_LENGTH:
            return []
        close = difflib.get_close_matches(key, self._by_key, n=5, cutoff=CLOSE_RATIO)
        keys = [key, *(other for other in close if other != key)] if key in self._by_key else close
        matches = {}
        for found in keys:
            for match in self._by_key[found]:
                if keep(match.laureate):
                    matches.setdefault(match.laureate, match)
        return list(matches.values())


def parse_rows(rows):
    """Laureates from CSV rows; a malformed row raises ValueError naming its line."""
    laureates = []
    for line, row in enumerate(rows, start=2):
        if set(row) != set(COLUMNS) or None in row.values():
            raise ValueError(f"laureates.csv, line {line}: expected the columns {', '.join(COLUMNS)}")
        siren = row["siren"].replace(" ", "")
        if siren and not (siren.isdigit() and len(siren) == 9):
            raise ValueError(f"laureates.csv, line {line}: SIREN {siren!r} is not 9 digits")
        if row["funded"] not in ("oui", "non") or not row["name"] or not row["year"].isdigit():
            raise ValueError(f"laureates.csv, line {line}: year, name and funded (oui/non) are required")
        laureates.append(
            Laureate(
                year=int(row["year"]),
                call=row["call"],
                name=row["name"],
                aliases=tuple(alias.strip() for alias in row["aliases"].split("|") if alias.strip()),
                lead=row["lead"],
                region=row["region"],
                siren=siren,
                funded=row["funded"] == "oui",
                source_url=row["source_url"],
                note=row["note"],
            )
        )
    return laureates


@lru_cache(maxsize=1)
def load_history():
    """The history shipped with the code, read once per process."""
    return LaureateHistory.from_csv(DEFAULT_PATH)
