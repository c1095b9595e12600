"""The laureate history (LaureateRecord) and the referential's regions: one region named → linked to its Region.

A record names its region(s) as the sources do ("Occitanie", "Hauts-de-France / Normandie"); when exactly one region
is named and the referential knows it, the record points to it, so that staff filter by region. The data migration
links what it can; ``link_regions`` links the rest once ``load_territories`` has loaded the regions (it listens to
territories.signals.referential_loaded) and the import links each row it writes.
"""

import re

from applications.models import LaureateRecord
from ptce_ami.core.text import normalize_search
from territories.models import Region

# "Hauts-de-France / Normandie", "Bretagne ; Normandie": several regions ("et" is no separator: it is inside
# "Saint-Pierre-et-Miquelon" and "Wallis et Futuna").
REGION_SEPARATORS = re.compile(r"\s*[/;,]\s*")


def region_names(value):
    """The region names a text gives, one or several."""
    return [part.strip() for part in REGION_SEPARATORS.split(value or "") if part.strip()]


def region_index():
    """Regions by their normalised name ("provence alpes cote d azur"), in one query."""
    return {normalize_search(region.name): region for region in Region.objects.all()}


def unknown_regions(value, index):
    """The names in ``value`` that are no region of the referential."""
    return [name for name in region_names(value) if normalize_search(name) not in index]


def region_of(value, index):
    """The Region when ``value`` names exactly one known region, else None."""
    names = region_names(value)
    if len(names) != 1:
        return None
    return index.get(normalize_search(names[0]))


def link_regions(**kwargs):
    """Link the records that name one known region and point to none; returns how many were linked. A receiver of
    territories.signals.referential_loaded (hence ``**kwargs``)."""
    index = region_index()
    linked = 0
    for record in LaureateRecord.objects.filter(region=None).exclude(region_name="").only("pk", "region_name"):
        region = region_of(record.region_name, index)
        if region is not None:
            linked += LaureateRecord.objects.filter(pk=record.pk).update(region=region)
    return linked
