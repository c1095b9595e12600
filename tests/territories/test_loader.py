import gzip
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from territories.data import build_cog
from territories.enums import CommuneKind
from territories.loader import default_file, load_referential, read_file
from territories.models import EPCI, Commune, Departement, ReferentialVersion, Region
from tests.territories import cog_mini


def counts_by_label(report):
    return {counts.label: (counts.created, counts.updated, counts.unchanged) for counts in report.counts}


def test_load_creates_every_row(db):
    report = load_referential(cog_mini.FIXTURE)

    assert counts_by_label(report) == {
        "Régions": (4, 0, 0),
        "Départements": (7, 0, 0),
        "EPCI": (8, 0, 0),
        "Communes": (16, 0, 0),
    }
    assert (Region.objects.count(), Departement.objects.count(), EPCI.objects.count(), Commune.objects.count()) == (
        4,
        7,
        8,
        16,
    )


def test_load_sets_parents_and_epci_membership(referential):
    lyon = Commune.objects.get(code="69123", kind=CommuneKind.CURRENT)
    arbignieu = Commune.objects.get(code="01015", kind=CommuneKind.DELEGATED)

    assert Commune.objects.get(code="69381").parent == lyon
    assert arbignieu.parent == Commune.objects.get(code="01015", kind=CommuneKind.CURRENT)
    assert Commune.objects.get(code="01340").parent.name == "Arboys en Bugey"
    assert Commune.objects.get(code="42190").parent.name == "Saint-Étienne"
    assert lyon.parent is None
    assert lyon.epci_id == "200046977"
    assert sorted(EPCI.objects.get(pk="200046977").communes.values_list("code", flat=True)) == ["69123", "69266"]
    assert Commune.objects.get(code="97502").epci is None


def test_load_fills_search_names_and_derived_values(referential):
    assert Commune.objects.get(code="01001").search_name == "l abergement clemenciat"
    assert EPCI.objects.get(pk="244200770").search_name == "saint etienne metropole"
    assert Departement.objects.get(pk="38").search_name == "isere"
    assert Departement.objects.get(pk="69").population == 519127 + 163684 + 398
    assert Commune.objects.get(code="2A004").postcodes == "20000 20090 20167"
    assert Region.objects.get(pk="975").cress_name == ""


def test_second_load_changes_nothing(referential):
    report = load_referential(cog_mini.FIXTURE)

    assert not report.changed
    assert counts_by_label(report) == {
        "Régions": (0, 0, 4),
        "Départements": (0, 0, 7),
        "EPCI": (0, 0, 8),
        "Communes": (0, 0, 16),
    }
    assert ReferentialVersion.objects.count() == 1


def test_load_records_the_version_with_the_file_checksum(referential):
    version = ReferentialVersion.objects.get()

    assert (version.source, version.year) == ("@etalab/decoupage-administratif 6.0.0", 2026)
    assert version.checksum == hashlib.sha256(cog_mini.FIXTURE.read_bytes()).hexdigest()


def test_load_updates_only_what_changed(referential, tmp_path):
    data = cog_mini.mini_data()
    villeurbanne = next(row for row in data["communes"]["rows"] if row[0] == "69266")
    villeurbanne[2] = "Villeurbanne-sur-Rhône"
    villeurbanne[6] = 170000

    report = load_referential(cog_mini.write(tmp_path / "cog-mini.json.gz", data))

    assert counts_by_label(report)["Communes"] == (0, 1, 15)
    assert counts_by_label(report)["Départements"] == (0, 1, 6)  # the population of the Rhône follows
    commune = Commune.objects.get(code="69266")
    assert (commune.name, commune.search_name, commune.population) == (
        "Villeurbanne-sur-Rhône",
        "villeurbanne sur rhone",
        170000,
    )
    assert ReferentialVersion.objects.count() == 2


def test_load_moves_a_commune_to_another_epci(referential, tmp_path):
    data = cog_mini.mini_data()
    next(row for row in data["communes"]["rows"] if row[0] == "69001")[4] = "200046977"

    load_referential(cog_mini.write(tmp_path / "cog-mini.json.gz", data))

    assert Commune.objects.get(code="69001").epci_id == "200046977"


def test_load_keeps_a_cress_name_corrected_by_an_administrator(referential):
    Region.objects.filter(pk="84").update(cress_name="CRESS AURA")

    report = load_referential(cog_mini.FIXTURE)

    assert Region.objects.get(pk="84").cress_name == "CRESS AURA"
    assert counts_by_label(report)["Régions"] == (0, 0, 4)


def test_load_keeps_rows_that_left_the_file(referential, tmp_path):
    data = cog_mini.mini_data()
    data["communes"]["rows"] = [row for row in data["communes"]["rows"] if row[0] != "97502"]

    report = load_referential(cog_mini.write(tmp_path / "cog-mini.json.gz", data))

    assert report.counts[3].absent == 1
    assert Commune.objects.filter(code="97502").exists()


def test_command_prints_counts_then_says_nothing_changed(db):
    first, second = StringIO(), StringIO()

    call_command("load_territories", file=str(cog_mini.FIXTURE), stdout=first)
    call_command("load_territories", file=str(cog_mini.FIXTURE), stdout=second)

    assert "Communes : 16 créé(e)s, 0 mis(es) à jour, 0 inchangé(e)s" in first.getvalue()
    assert "Communes : 0 créé(e)s, 0 mis(es) à jour, 16 inchangé(e)s" in second.getvalue()
    assert "Aucun changement" in second.getvalue()


def test_command_rejects_an_unreadable_file(db, tmp_path):
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip")

    with pytest.raises(CommandError, match="Fichier illisible"):
        call_command("load_territories", file=str(broken), stdout=StringIO())


def test_command_rejects_an_unknown_format(db, tmp_path):
    data = cog_mini.mini_data()
    data["format"] = 99

    with pytest.raises(CommandError, match="Format de fichier non pris en charge"):
        call_command("load_territories", file=str(cog_mini.write(tmp_path / "f.json.gz", data)), stdout=StringIO())


def test_mini_fixture_file_matches_its_source():
    assert cog_mini.FIXTURE.read_bytes() == cog_mini.serialize(cog_mini.MINI)


def test_shipped_referential_is_the_complete_cog_2026():
    """The committed file, read without touching the database."""
    path = default_file()
    data, _checksum = read_file(path)
    communes = [dict(zip(data["communes"]["columns"], row, strict=True)) for row in data["communes"]["rows"]]

    assert path.name == "cog-2026.json.gz"
    assert path.stat().st_size < 1_500_000
    assert (data["source"]["package"], data["source"]["version"], data["source"]["year"]) == (
        "@etalab/decoupage-administratif",
        "6.0.0",
        2026,
    )
    assert {name: len(data[name]["rows"]) for name in ("regions", "departements", "epcis", "communes")} == {
        "regions": 26,
        "departements": 109,
        "epcis": 1255,
        "communes": 37590,
    }
    assert sum(1 for row in data["regions"]["rows"] if row[3]) == 18
    assert sum(1 for commune in communes if commune["epci"]) == 34871
    assert sum(1 for commune in communes if commune["parent"]) == 2105 + 471 + 45


def test_shipped_referential_is_consistent():
    data, _checksum = read_file(default_file())
    columns = data["communes"]["columns"]
    communes = [dict(zip(columns, row, strict=True)) for row in data["communes"]["rows"]]
    current = {commune["code"] for commune in communes if commune["kind"] == CommuneKind.CURRENT}
    departements = {row[0] for row in data["departements"]["rows"]}
    sirens = {row[0] for row in data["epcis"]["rows"]}

    assert {commune["parent"] for commune in communes if commune["parent"]} <= current
    assert {commune["departement"] for commune in communes} <= departements
    assert {commune["epci"] for commune in communes if commune["epci"]} == sirens
    lyon = next(commune for commune in communes if commune["code"] == "69123")
    assert (lyon["name"], lyon["epci"]) == ("Lyon", "200046977")


def test_build_script_output_is_deterministic(tmp_path, monkeypatch):
    package = fake_package(tmp_path)
    cress = tmp_path / "regions_cress.csv"
    cress.write_text("insee_code,name,cress_name\n84,Auvergne-Rhône-Alpes,CRESS AURA\n", encoding="utf-8")
    monkeypatch.setattr(build_cog, "CRESS_FILE", cress)

    first = build_cog.serialize(build_cog.build(build_cog.read_package(package)))
    second = build_cog.serialize(build_cog.build(build_cog.read_package(package)))

    assert first == second
    data = json.loads(gzip.decompress(first))
    assert data["regions"]["rows"] == [
        ["84", "Auvergne-Rhône-Alpes", "metro", "CRESS AURA"],
        ["975", "SPM", "com", ""],
    ]
    assert data["communes"]["rows"] == [
        ["69123", CommuneKind.CURRENT, "Lyon", "69", "200046977", None, 519127, "69001 69002"],
        ["69381", CommuneKind.MUNICIPAL_DISTRICT, "Lyon 1er Arrondissement", "69", None, "69123", 28717, "69001"],
    ]


def fake_package(root):
    """A package directory shaped like @etalab/decoupage-administratif, with two communes."""
    files = {
        "package.json": {"version": "6.0.0"},
        "data/regions.json": [
            {"code": "975", "nom": "SPM", "zone": "com"},
            {"code": "84", "nom": "Auvergne-Rhône-Alpes", "zone": "metro"},
        ],
        "data/departements.json": [{"code": "69", "nom": "Rhône", "region": "84"}],
        "data/epci.json": [
            {"code": "200046977", "nom": "Métropole de Lyon", "type": "MET69", "populationTotale": 1, "membres": []}
        ],
        "data/communes.json": [
            {"code": "69381", "nom": "Lyon 1er Arrondissement", "type": "arrondissement-municipal"}
            | {"departement": "69", "commune": "69123", "population": 28717, "codesPostaux": ["69001"]},
            {"code": "69123", "nom": "Lyon", "type": "commune-actuelle", "departement": "69"}
            | {"population": 519127, "codesPostaux": ["69002", "69001"]},
        ],
    }
    files["data/epci.json"][0]["membres"] = [{"code": "69123"}]
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(json.dumps(content), encoding="utf-8")
    return root
