"""A tiny referential in the format of territories/data/cog-<year>.json.gz, with real COG 2026 rows.

It holds what the tests need: a commune with municipal districts (Lyon), communes déléguées sharing or not
their parent's code (Arbignieu, Saint-Bois), a commune associée (Rochetaillée), a postcode shared by two
communes (01300), a commune whose INSEE code is another's postcode (Affoux, 69001), names with hyphens,
accents and apostrophes, Corsica (2A) and an overseas collectivity without EPCI (Saint-Pierre).

The committed fixtures/cog-mini.json.gz is written from MINI: `.venv/bin/python -m tests.territories.cog_mini`.
"""

import copy
from pathlib import Path

from territories.data.build_cog import serialize

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "cog-mini.json.gz"
CURRENT, DELEGATED, ASSOCIATED, DISTRICT = (
    "commune-actuelle",
    "commune-deleguee",
    "commune-associee",
    "arrondissement-municipal",
)

MINI = {
    "format": 1,
    "source": {
        "package": "@etalab/decoupage-administratif",
        "version": "6.0.0",
        "year": 2026,
        "licence": "Licence Ouverte / Open Licence 2.0 (Etalab) ; code sous licence MIT",
        "url": "https://github.com/etalab/decoupage-administratif",
    },
    "regions": {
        "columns": ["code", "name", "zone", "cress_name"],
        "rows": [
            ["28", "Normandie", "metro", "CRESS Normandie"],
            ["84", "Auvergne-Rhône-Alpes", "metro", "CRESS Auvergne-Rhône-Alpes"],
            ["94", "Corse", "metro", "CRESS Corse"],
            ["975", "Saint-Pierre-et-Miquelon", "com", ""],
        ],
    },
    "departements": {
        "columns": ["code", "name", "region"],
        "rows": [
            ["01", "Ain", "84"],
            ["27", "Eure", "28"],
            ["2A", "Corse-du-Sud", "94"],
            ["38", "Isère", "84"],
            ["42", "Loire", "84"],
            ["69", "Rhône", "84"],
            ["975", "Saint-Pierre-et-Miquelon", "975"],
        ],
    },
    "epcis": {
        "columns": ["siren", "name", "kind", "population"],
        "rows": [
            ["200040350", "CC Bugey Sud", "CC", 34938],
            ["200040566", "CA de l'Ouest Rhodanien", "CA", 52085],
            ["200046977", "Métropole de Lyon", "MET69", 1449118],
            ["200069193", "CC de la Dombes", "CC", 41461],
            ["200070142", "CC Lyons Andelle", "CC", 20882],
            ["200071751", "CA du Bassin de Bourg-en-Bresse", "CA", 139518],
            ["242010056", "CA du Pays Ajaccien", "CA", 93902],
            ["244200770", "Saint-Étienne Métropole", "METRO", 412411],
        ],
    },
    "communes": {
        "columns": ["code", "kind", "name", "departement", "epci", "parent", "population", "postcodes"],
        "rows": [
            ["01001", CURRENT, "L'Abergement-Clémenciat", "01", "200069193", None, 860, "01400"],
            ["01006", CURRENT, "Ambléon", "01", "200040350", None, 115, "01300"],
            ["01015", CURRENT, "Arboys en Bugey", "01", "200040350", None, 710, "01300"],
            ["01015", DELEGATED, "Arbignieu", "01", None, "01015", None, ""],
            ["01340", DELEGATED, "Saint-Bois", "01", None, "01015", None, ""],
            ["01350", CURRENT, "Saint-Étienne-du-Bois", "01", "200071751", None, 2584, "01370"],
            ["27377", CURRENT, "Lyons-la-Forêt", "27", "200070142", None, 756, "27480"],
            ["2A004", CURRENT, "Ajaccio", "2A", "242010056", None, 76320, "20000 20090 20167"],
            ["42190", ASSOCIATED, "Rochetaillée", "42", None, "42218", None, ""],
            ["42218", CURRENT, "Saint-Étienne", "42", "244200770", None, 173136, "42000 42100 42230"],
            ["69001", CURRENT, "Affoux", "69", "200040566", None, 398, "69170"],
            [
                "69123",
                CURRENT,
                "Lyon",
                "69",
                "200046977",
                None,
                519127,
                "69001 69002 69003 69004 69005 69006 69007 69008 69009",
            ],
            ["69266", CURRENT, "Villeurbanne", "69", "200046977", None, 163684, "69100"],
            ["69381", DISTRICT, "Lyon 1er Arrondissement", "69", None, "69123", 28717, "69001"],
            ["69382", DISTRICT, "Lyon 2e Arrondissement", "69", None, "69123", 29981, "69002"],
            ["97502", CURRENT, "Saint-Pierre", "975", None, None, 5194, "97500"],
        ],
    },
}

COUNTS = {"regions": 4, "departements": 7, "epcis": 8, "communes": 16}


def mini_data():
    return copy.deepcopy(MINI)


def write(path, data=None):
    path.write_bytes(serialize(data or MINI))
    return path


if __name__ == "__main__":
    write(FIXTURE)
    print(f"{FIXTURE} written")
