"""The real referential's regions and départements (COG 2026, territories/data/cog-2026.json.gz), without its
communes: enough for the maps, and quick to create."""

import gzip
import json

from ptce_ami.core.text import normalize_search
from territories.loader import DATA_DIR
from territories.models import Departement, Region


def create_regions_and_departements():
    data = json.loads(gzip.decompress((DATA_DIR / "cog-2026.json.gz").read_bytes()))
    Region.objects.bulk_create(
        Region(code=code, name=name, zone=zone, cress_name=cress)
        for code, name, zone, cress in data["regions"]["rows"]
    )
    Departement.objects.bulk_create(
        Departement(code=code, name=name, region_id=region, search_name=normalize_search(name))
        for code, name, region in data["departements"]["rows"]
    )
