"""The history of State PTCE calls' laureates (rule R07), read from the LaureateRecord model.

Staff complete the history in the admin (SIREN, aliases, CSV/XLSX import); the published lists were loaded by a data
migration (applications/migrations/0009_laureate_history_rows.py, sources in docs/laureate-history.md).
An eligibility run reads it once (one query, whatever the number of laureates and members) and matches by SIREN first,
then by name, on a normalised key: lower case, no accents, no punctuation, no stop words.
"""

import difflib
import re
from dataclasses import dataclass

from applications.enums import LaureateCall
from applications.models import LaureateRecord
from ptce_ami.core.text import normalize_search

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
ALIAS_SEPARATOR = "|"


def name_key(value):
    """ "PTCE Réuniverre" → "reuniverre"; "Clu'Ster Jura" → "clusterjura"; words joined, so that an apostrophe
    or a hyphen inside a word does not matter."""
    ligatures = (value or "").replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    words = _NOT_ALNUM.split(normalize_search(ligatures))
    return "".join(word for word in words if word and word not in STOP_WORDS)


def split_aliases(value):
    return tuple(alias.strip() for alias in (value or "").split(ALIAS_SEPARATOR) if alias.strip())


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
    pk: int | None = None  # the LaureateRecord; two records of the same content stay two laureates

    @classmethod
    def from_record(cls, record):
        return cls(
            year=record.year,
            call=record.call,
            name=record.name,
            aliases=split_aliases(record.aliases),
            lead=record.lead,
            region=record.region_name,
            siren=record.lead_siren,
            funded=record.kind == LaureateCall.FUNDED,
            source_url=record.source_url,
            note=record.note,
            pk=record.pk,
        )

    @property
    def edition(self):
        """The call without its phase: "AMI 2021 phase 2" → "AMI 2021"."""
        return self.call.split(" phase")[0]

    @property
    def is_ami_phase1(self):
        return not self.funded and self.call.startswith("AMI")

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


def load_history():
    """The laureates of the history, as staff keep it in the admin: one query. An eligibility run reads it once
    (EligibilityContext.history); pass ``history=`` to ``evaluate`` to share it between dossiers."""
    return LaureateHistory(Laureate.from_record(record) for record in LaureateRecord.objects.order_by("year", "pk"))
