"""Choropleth maps of France by region and of a region by département, drawn on the server as SVG.

Geometry
    ``data/geometry/france-2025.json``, derived by ``data/geometry/build.py`` from the outlines embedded in the
    npm package ``@gouvfr/dsfr-chart`` 2.0.4 (the DSFR's chart components, MIT licence, © 2021 DINUM, published
    2025): already projected and simplified, rounded to integers, keyed by INSEE code. The 18 regions (the five
    overseas ones in insets beside metropolitan France) and the 101 départements, the division in force since the
    2015 reform of the regions, which the Code officiel géographique 2026 of ``load_territories`` still has. See
    ``data/geometry/README.md``.

What a map holds
    Its areas (path, name from the referential, value, colour), its legend (charts.sequential_steps: one hue in
    lightness steps, zero in grey) and the rows of its table « Voir les données », sorted by name. Names come from
    the referential in one query per map; an area whose code the referential lacks is named by its code.

The template tags are in ``templatetags/maps.py``; the templates under ``templates/territories/maps/``.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from ptce_ami.core import charts
from ptce_ami.core.text import normalize_search
from territories.models import Departement, Region

GEOMETRY_FILE = Path(__file__).resolve().parent / "data" / "geometry" / "france-2025.json"
FIT_MARGIN = 0.03  # around a region's départements, as a share of the larger side


@lru_cache(maxsize=1)
def geometry():
    return json.loads(GEOMETRY_FILE.read_text(encoding="utf-8"))


def region_codes():
    return set(geometry()["regions"]["areas"])


def departement_codes():
    return set(geometry()["departements"]["areas"])


@dataclass
class Area:
    code: str
    label: str  # the name
    d: str
    value: object
    text: str  # the value, formatted (with "€" or "%"), for the table
    colour: str
    url: str = ""
    title: str = ""  # "Rhône : 3 dossiers", the area's accessible name


@dataclass
class Inset:
    code: str
    label: str
    x: int
    y: int
    width: int
    height: int
    label_x: float = 0
    label_y: float = 0


@dataclass
class Map:
    kind: str  # "regions" or "departements"
    title: str
    unit: str
    viewbox: str
    areas: list = field(default_factory=list)
    insets: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    summary: str = ""

    @property
    def empty(self):
        return not self.areas

    @property
    def shapes(self):
        """The table's rows (label, text), sorted by name: the same interface as a chart's shapes."""
        return sorted(self.areas, key=lambda area: normalize_search(area.label))

    @property
    def rows(self):
        """(name, value) pairs in the table's order, for chart_csv_response."""
        return [(area.label, area.value) for area in self.shapes]

    @property
    def zero_colour(self):
        return charts.ZERO_COLOUR

    @property
    def zero_text(self):
        return charts.format_number(0, self.unit)


def unit_forms(unit):
    """``unit`` is "", "€", "%", a word ("dossiers") or a pair (singular, plural): ("dossier", "dossiers")."""
    if isinstance(unit, str):
        return unit, unit
    singular, plural = unit
    return singular, plural


def value_text(value, unit):
    """ "12 dossiers", "1 dossier", "80 000 €", "12,5 %": the number formatted, then the unit unless format_number
    wrote it; with a pair of forms, the singular for less than 2 (French: "0 dossier", "1,5 dossier")."""
    singular, plural = unit_forms(unit)
    word = singular if abs(value) < 2 else plural
    text = charts.format_number(value, word)
    return f"{text} {word}" if word and word not in ("€", "%") else text


def build_map(kind, title, unit, viewbox, shapes, names, values, links):
    """``shapes``: {code: geometry area}; ``names``: {code: name}. Values missing or None count as zero."""
    values = {code: values.get(code) or 0 for code in shapes}
    symbol = unit if unit in ("€", "%") else ""  # written with each number; a word is written in the titles
    steps = charts.sequential_steps(values.values(), symbol)
    links = links or {}
    areas = []
    for code, shape in sorted(shapes.items()):
        step = charts.step_of(steps, values[code])
        areas.append(
            Area(
                code=code,
                label=names.get(code, code),
                d=shape["d"],
                value=values[code],
                text=charts.format_number(values[code], symbol),
                colour=step.colour if step else charts.ZERO_COLOUR,
                url=links.get(code, ""),
                title=f"{names.get(code, code)} : {value_text(values[code], unit)}",
            )
        )
    rows = charts.rows_of([(area.label, area.value) for area in areas], symbol)
    result = Map(kind, title, symbol, " ".join(str(number) for number in viewbox), areas, steps=steps)
    result.summary = charts.describe(title, rows, symbol)
    return result


def region_map(values, title, unit="", links=None):
    """France by region, the overseas regions in insets; ``values``: {INSEE region code: number}. One query."""
    regions = geometry()["regions"]
    names = dict(Region.objects.filter(code__in=list(regions["areas"])).values_list("code", "name"))
    result = build_map("regions", title, unit, regions["viewbox"], regions["areas"], names, values, links)
    label_room = regions["inset_label"]
    for code, (x, y, width, height) in sorted(regions["insets"].items(), key=lambda item: item[1][1]):
        result.insets.append(
            Inset(code, names.get(code, code), x, y, width, height, x + width / 2, y + height - label_room / 2)
        )
    return result


def fitted_viewbox(shapes):
    """The smallest box around the areas, with a margin: [x, y, width, height]."""
    x0 = min(shape["box"][0] for shape in shapes)
    y0 = min(shape["box"][1] for shape in shapes)
    x1 = max(shape["box"][2] for shape in shapes)
    y1 = max(shape["box"][3] for shape in shapes)
    margin = round(max(x1 - x0, y1 - y0) * FIT_MARGIN)
    return [x0 - margin, y0 - margin, x1 - x0 + 2 * margin, y1 - y0 + 2 * margin]


def departement_map(region_code, values, title, unit="", links=None):
    """The départements of one region, the view fitted to them; ``values``: {INSEE département code: number}.
    One query (the region's départements and their names). An unknown region gives an empty map."""
    every = geometry()["departements"]["areas"]
    names = dict(Departement.objects.filter(region_id=region_code, code__in=list(every)).values_list("code", "name"))
    shapes = {code: every[code] for code in names}
    viewbox = fitted_viewbox(shapes.values()) if shapes else [0, 0, 1, 1]
    return build_map("departements", title, unit, viewbox, shapes, names, values, links)


def legend_title(unit):
    plural = unit_forms(unit)[1]
    return _("Légende (%(unit)s)") % {"unit": plural} if plural else _("Légende")
