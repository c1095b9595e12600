"""Build the compact territories referential from the Code officiel géographique (COG).

Reads
    The npm package ``@etalab/decoupage-administratif`` (the COG as published by Etalab), either a tarball
    (``*.tgz``) or an unpacked directory given on the command line; without an argument the script runs
    ``npm pack @etalab/decoupage-administratif@<VERSION>`` in a temporary directory. From the package it reads
    ``package.json`` (the version) and ``data/regions.json``, ``data/departements.json``, ``data/epci.json``,
    ``data/communes.json``. It also reads ``regions_cress.csv`` beside this script (the CRESS of each INSEE
    region; overseas collectivities (COM) have none).

Writes
    ``cog-<YEAR>.json.gz`` beside this script: one JSON object with the source (package, version, year,
    licence) and, for each of ``regions``, ``departements``, ``epcis``, ``communes``, a ``columns`` list and
    ``rows`` as arrays of arrays. Communes cover every type (current communes, communes déléguées and
    associées, municipal districts); a commune's EPCI comes from the ``membres`` lists of ``epci.json``, its
    parent from ``chefLieu`` (déléguées, associées) or ``commune`` (municipal districts). The output is
    deterministic (sorted rows, compact JSON, gzip mtime 0): rebuilding from the same package gives the same
    bytes, hence the same SHA-256 recorded by ``manage.py load_territories``.

Licences
    The package's code is under the MIT licence; its data (INSEE, DGCL, La Poste) under the Licence Ouverte /
    Open Licence 2.0 (Etalab), which allows reuse with attribution: the source and year travel in the file.

Rebuilding for a new year
    1. Set ``VERSION`` and ``YEAR`` below to the package release carrying the new COG (see its changelog).
    2. Check ``regions_cress.csv`` (a CRESS may change name).
    3. Run ``.venv/bin/python territories/data/build_cog.py`` (needs npm, or pass a downloaded tarball).
    4. Commit the new ``cog-<YEAR>.json.gz``; ``load_territories`` picks the most recent file by default.

Only the standard library is used, so the script runs without Django.
"""

import csv
import gzip
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@etalab/decoupage-administratif"
VERSION = "6.0.0"
YEAR = 2026
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab) ; code sous licence MIT"
URL = "https://github.com/etalab/decoupage-administratif"
FORMAT = 1

HERE = Path(__file__).resolve().parent
CRESS_FILE = HERE / "regions_cress.csv"
SOURCE_FILES = ("package.json", "data/regions.json", "data/departements.json", "data/epci.json", "data/communes.json")

COLUMNS = {
    "regions": ["code", "name", "zone", "cress_name"],
    "departements": ["code", "name", "region"],
    "epcis": ["siren", "name", "kind", "population"],
    "communes": ["code", "kind", "name", "departement", "epci", "parent", "population", "postcodes"],
}


def read_package(source):
    """Return {relative path: parsed JSON} for SOURCE_FILES, from a tarball or an unpacked directory."""
    source = Path(source)
    if source.is_dir():
        root = source / "package" if (source / "package" / "package.json").exists() else source
        return {name: json.loads((root / name).read_text(encoding="utf-8")) for name in SOURCE_FILES}
    with tarfile.open(source, "r:gz") as tar:
        return {name: json.load(tar.extractfile(f"package/{name}")) for name in SOURCE_FILES}


def npm_pack(workdir):
    """Download the package tarball with npm into workdir and return its path."""
    spec = f"{PACKAGE}@{VERSION}"
    output = subprocess.run(["npm", "pack", spec], cwd=workdir, check=True, capture_output=True, text=True)
    return Path(workdir) / output.stdout.strip().splitlines()[-1]


def read_cress():
    with CRESS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["insee_code"]: row["cress_name"] for row in csv.DictReader(handle)}


def region_rows(regions, cress):
    unknown = set(cress) - {region["code"] for region in regions}
    if unknown:
        raise SystemExit(f"regions_cress.csv names unknown regions: {sorted(unknown)}")
    return sorted([r["code"], r["nom"], r["zone"], cress.get(r["code"], "")] for r in regions)


def departement_rows(departements):
    return sorted([d["code"], d["nom"], d["region"]] for d in departements)


def epci_rows(epcis):
    return sorted([e["code"], e["nom"], e["type"], e.get("populationTotale")] for e in epcis)


def epci_membership(epcis):
    """Map each member commune's INSEE code to its EPCI's SIREN; a commune belongs to at most one EPCI."""
    membership = {}
    for epci in epcis:
        for member in epci["membres"]:
            if member["code"] in membership:
                raise SystemExit(f"commune {member['code']} belongs to two EPCI")
            membership[member["code"]] = epci["code"]
    return membership


def commune_row(commune, membership):
    is_current = commune["type"] == "commune-actuelle"
    return [
        commune["code"],
        commune["type"],
        commune["nom"],
        commune["departement"],
        membership.get(commune["code"]) if is_current else None,
        commune.get("chefLieu") or commune.get("commune"),
        commune.get("population"),
        " ".join(sorted(commune.get("codesPostaux", []))),
    ]


def commune_rows(communes, membership):
    current = {c["code"] for c in communes if c["type"] == "commune-actuelle"}
    orphans = set(membership) - current
    if orphans:
        raise SystemExit(f"EPCI members that are not current communes: {sorted(orphans)[:10]}")
    return sorted(commune_row(commune, membership) for commune in communes)


def build(files):
    """Turn the package's files into the compact referential (a dict ready for JSON)."""
    package = files["package.json"]
    if package["version"] != VERSION:
        raise SystemExit(f"expected {PACKAGE} {VERSION}, got {package['version']}")
    epcis = files["data/epci.json"]
    tables = {
        "regions": region_rows(files["data/regions.json"], read_cress()),
        "departements": departement_rows(files["data/departements.json"]),
        "epcis": epci_rows(epcis),
        "communes": commune_rows(files["data/communes.json"], epci_membership(epcis)),
    }
    source = {"package": PACKAGE, "version": VERSION, "year": YEAR, "licence": LICENCE, "url": URL}
    data = {"format": FORMAT, "source": source}
    data.update({name: {"columns": COLUMNS[name], "rows": rows} for name, rows in tables.items()})
    return data


def serialize(data):
    """Compact JSON, gzip with a fixed mtime and no file name: identical input gives identical bytes."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    return buffer.getvalue()


def main(argv):
    if len(argv) > 1:
        files = read_package(argv[1])
    else:
        with tempfile.TemporaryDirectory() as workdir:
            files = read_package(npm_pack(workdir))
    data = build(files)
    target = HERE / f"cog-{YEAR}.json.gz"
    target.write_bytes(serialize(data))
    counts = ", ".join(f"{len(data[name]['rows'])} {name}" for name in COLUMNS)
    print(f"{target.name}: {counts}; {target.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
