"""Load the compact referential built by ``territories/data/build_cog.py`` into the database.

The load is idempotent: every table is read once, compared in memory with the file, and only the rows that
differ are written (``bulk_create`` / ``bulk_update`` in batches). Rows that are in the database but no longer
in the file are counted and kept: dossiers may point to them, and removing a commune is a decision for a
data migration, not for a reload.
"""

import gzip
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ptce_ami.core.text import normalize_search
from territories.enums import CommuneKind
from territories.models import EPCI, Commune, Departement, ReferentialVersion, Region
from territories.signals import referential_loaded

DATA_DIR = Path(__file__).resolve().parent / "data"
SUPPORTED_FORMAT = 1
BATCH_SIZE = 1000
KINDS_OTHER_THAN_CURRENT = [kind for kind in CommuneKind.values if kind != CommuneKind.CURRENT]


class ReferentialFileError(Exception):
    pass


@dataclass
class SyncCounts:
    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    absent: int = 0

    @property
    def changed(self):
        return bool(self.created or self.updated)

    def add(self, other):
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.absent += other.absent


@dataclass
class LoadReport:
    source: dict
    checksum: str
    counts: list
    version_created: bool

    @property
    def changed(self):
        return self.version_created or any(counts.changed for counts in self.counts)


@dataclass(frozen=True)
class Table:
    """How one model is synchronised: its natural key and the columns compared (attnames)."""

    model: type
    key: tuple
    fields: tuple
    # Columns written only while empty in the database: an administrator's correction survives reloads.
    keep_if_set: tuple = ()

    def key_of(self, values):
        return tuple(values[name] for name in self.key)


REGIONS = Table(Region, ("code",), ("name", "zone", "cress_name"), keep_if_set=("cress_name",))
DEPARTEMENTS = Table(Departement, ("code",), ("name", "region_id", "search_name", "population"))
EPCIS = Table(EPCI, ("siren",), ("name", "kind", "population", "search_name"))
COMMUNES = Table(
    Commune,
    ("code", "kind"),
    ("name", "search_name", "departement_id", "epci_id", "parent_id", "population", "postcodes"),
)


def default_file():
    """The most recent ``cog-<year>.json.gz`` shipped in territories/data."""
    files = sorted(DATA_DIR.glob("cog-*.json.gz"))
    if not files:
        raise ReferentialFileError(f"Aucun fichier cog-<année>.json.gz dans {DATA_DIR}.")
    return files[-1]


def read_file(path):
    """Return (data, sha256 of the file's bytes); raise ReferentialFileError on an unreadable file."""
    try:
        raw = Path(path).read_bytes()
        data = json.loads(gzip.decompress(raw))
    except (OSError, ValueError) as error:
        raise ReferentialFileError(f"Fichier illisible : {path} ({error}).") from error
    if data.get("format") != SUPPORTED_FORMAT:
        raise ReferentialFileError(f"Format de fichier non pris en charge : {data.get('format')!r}.")
    return data, hashlib.sha256(raw).hexdigest()


def table_rows(data, name):
    """The rows of one table of the file as dicts, keyed by the file's own column names."""
    columns = data[name]["columns"]
    return [dict(zip(columns, row, strict=True)) for row in data[name]["rows"]]


def load_referential(path):
    """Synchronise the database with the file at path, in one transaction; return a LoadReport."""
    data, checksum = read_file(path)
    with transaction.atomic():
        counts = [
            sync(REGIONS, region_values(data), "Régions"),
            sync(DEPARTEMENTS, departement_values(data), "Départements"),
            sync(EPCIS, epci_values(data), "EPCI"),
            sync_communes(data),
        ]
        changed = any(table_counts.changed for table_counts in counts)
        version_created = record_version(data["source"], checksum, touch=changed)
        report = LoadReport(data["source"], checksum, counts, version_created)
        referential_loaded.send(sender=load_referential, report=report)
    return report


def region_values(data):
    return [
        {"code": r["code"], "name": r["name"], "zone": r["zone"], "cress_name": r["cress_name"]}
        for r in table_rows(data, "regions")
    ]


def departement_values(data):
    populations = departement_populations(data)
    return [
        {
            "code": d["code"],
            "name": d["name"],
            "region_id": d["region"],
            "search_name": normalize_search(d["name"]),
            "population": populations.get(d["code"]),
        }
        for d in table_rows(data, "departements")
    ]


def departement_populations(data):
    """The COG gives no population for départements: the sum of their current communes' stands in."""
    populations = defaultdict(int)
    for row in table_rows(data, "communes"):
        if row["kind"] == CommuneKind.CURRENT and row["population"]:
            populations[row["departement"]] += row["population"]
    return populations


def epci_values(data):
    return [
        {
            "siren": e["siren"],
            "name": e["name"],
            "kind": e["kind"],
            "population": e["population"],
            "search_name": normalize_search(e["name"]),
        }
        for e in table_rows(data, "epcis")
    ]


def commune_values(row, parent_ids):
    return {
        "code": row["code"],
        "kind": row["kind"],
        "name": row["name"],
        "search_name": normalize_search(row["name"]),
        "departement_id": row["departement"],
        "epci_id": row["epci"],
        "parent_id": parent_ids[row["parent"]] if row["parent"] else None,
        "population": row["population"],
        "postcodes": row["postcodes"] or "",
    }


def sync_communes(data):
    """Current communes first, then the communes that point to them (déléguées, associées, districts)."""
    rows = table_rows(data, "communes")
    current = [commune_values(row, {}) for row in rows if row["kind"] == CommuneKind.CURRENT]
    counts = sync(COMMUNES, current, "Communes", scope={"kind": CommuneKind.CURRENT})
    parent_ids = dict(Commune.objects.filter(kind=CommuneKind.CURRENT).values_list("code", "id"))
    others = [commune_values(row, parent_ids) for row in rows if row["kind"] != CommuneKind.CURRENT]
    counts.add(sync(COMMUNES, others, "Communes", scope={"kind__in": KINDS_OTHER_THAN_CURRENT}))
    return counts


def sync(table, desired, label, scope=None):
    """Create the missing rows of table and update those that differ from desired (a list of dicts)."""
    existing = stored_rows(table, scope or {})
    counts = SyncCounts(label)
    to_create, to_update = [], defaultdict(list)
    for values in desired:
        key = table.key_of(values)
        stored = existing.pop(key, None)
        if stored is None:
            to_create.append(table.model(**values))
            continue
        changed = changed_fields(table, stored, values)
        if changed:
            to_update[changed].append(table.model(pk=stored["pk"], **{name: values[name] for name in changed}))
        else:
            counts.unchanged += 1
    write(table.model, to_create, to_update)
    counts.created = len(to_create)
    counts.updated = sum(len(objs) for objs in to_update.values())
    counts.absent = len(existing)
    return counts


def stored_rows(table, scope):
    """Every stored row of table (within scope) as {key: {"pk": …, field: value}}, in one query."""
    names = ("pk", *table.key, *table.fields)
    rows = table.model.objects.filter(**scope).order_by().values_list(*names)
    return {table.key_of(values): values for values in (dict(zip(names, row, strict=True)) for row in rows)}


def changed_fields(table, stored, values):
    """The fields whose stored value differs from the file's, as a tuple (used to group the updates)."""
    return tuple(
        name
        for name in table.fields
        if stored[name] != values[name] and not (name in table.keep_if_set and stored[name])
    )


def write(model, to_create, to_update):
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    # Rows are grouped by the set of changed columns: a new year that only changes populations updates one column.
    for fields, objs in to_update.items():
        model.objects.bulk_update(objs, fields, batch_size=BATCH_SIZE)


def record_version(source, checksum, touch):
    """Record the loaded file; a reload of the same file adds nothing.

    touch: the data changed, so an earlier record of this file becomes the latest again (loaded_at is renewed).
    """
    version, created = ReferentialVersion.objects.get_or_create(
        source=f"{source['package']} {source['version']}", year=source["year"], checksum=checksum
    )
    if touch and not created:
        version.save(update_fields=["loaded_at"])
    return created
