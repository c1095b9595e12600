"""The choropleth maps (territories.maps, {% load maps %}): geometry for every territory of the referential, the
right areas coloured, the insets, the table, the links, one query per map."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from ptce_ami.core import charts
from territories import maps
from territories.enums import Zone
from territories.models import Departement, Region
from tests.territories.cog_regions import create_regions_and_departements

ARA_DEPARTEMENTS = {"01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"}
OVERSEAS_REGIONS = {"01", "02", "03", "04", "06"}


@pytest.fixture
def regions_and_departements(db):
    create_regions_and_departements()


def render(source, **context):
    return Template("{% load maps %}" + source).render(Context(context))


class Areas(HTMLParser):
    """{code: fill colour} of the areas drawn, and {code: href} of those in a link."""

    def __init__(self, html):
        super().__init__()
        self.colours, self.links, self.href = {}, {}, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.href = attrs["href"]
        elif tag == "path":
            code = attrs["data-code"]
            self.colours[code] = attrs["style"].removeprefix("fill: ")
            if self.href:
                self.links[code] = self.href

    def handle_endtag(self, tag):
        if tag == "a":
            self.href = None


def area_colours(html):
    return Areas(html).colours


def test_every_region_and_departement_of_the_referential_has_an_outline_and_no_other(regions_and_departements):
    drawn_regions = set(Region.objects.exclude(zone=Zone.COM).values_list("code", flat=True))
    drawn_departements = set(Departement.objects.exclude(region__zone=Zone.COM).values_list("code", flat=True))

    assert maps.region_codes() == drawn_regions
    assert len(drawn_regions) == 18
    assert maps.departement_codes() == drawn_departements
    assert len(drawn_departements) == 101


def test_the_geometry_records_its_source_and_is_compact():
    source = maps.geometry()["source"]

    assert source == {
        "package": "@gouvfr/dsfr-chart",
        "version": "2.0.4",
        "year": 2025,
        "licence": "MIT (© 2021 DINUM)",
        "url": "https://github.com/GouvernementFR/dsfr-chart",
    }
    assert maps.GEOMETRY_FILE.stat().st_size < 100_000
    every_path = [
        area["d"] for kind in ("regions", "departements") for area in maps.geometry()[kind]["areas"].values()
    ]
    assert all(re.fullmatch(r"[MmLlHhVvCcSsQqTtAaZz0-9 \-]+", d) for d in every_path)  # integers only


def test_the_region_map_colours_the_region_given_and_greys_the_others(regions_and_departements):
    html = render('{% region_map values caption="Dossiers par région" unit="dossiers" %}', values={"84": 10})
    colours = area_colours(html)

    assert set(colours) == maps.region_codes()
    assert colours["84"] == charts.SEQUENTIAL_PALETTE[-1]
    assert colours["11"] == charts.ZERO_COLOUR
    assert {code for code, colour in colours.items() if colour != charts.ZERO_COLOUR} == {"84"}
    assert "<title>Auvergne-Rhône-Alpes : 10 dossiers</title>" in html
    assert "<title>Île-de-France : 0 dossiers</title>" in html
    assert 'role="img"' in html


def test_a_unit_in_two_forms_takes_the_singular_below_two(regions_and_departements):
    html = render(
        "{% departement_map '84' values caption='Lauréats' unit=unit %}",
        values={"69": 1, "38": 2},
        unit=("lauréat", "lauréats"),
    )

    assert "<title>Rhône : 1 lauréat</title>" in html
    assert "<title>Isère : 2 lauréats</title>" in html
    assert "<title>Ain : 0 lauréat</title>" in html
    assert "Légende (lauréats)" in html
    assert '<th scope="row">Isère</th>\n            <td>2</td>' in html  # the table's numbers alone


def test_the_overseas_regions_are_insets_named_beside_metropolitan_france(regions_and_departements):
    chart = maps.region_map({}, "Carte")

    assert {inset.code for inset in chart.insets} == OVERSEAS_REGIONS
    assert [inset.label for inset in chart.insets] == ["Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"]
    metropolitan_left = min(
        area["box"][0] for code, area in maps.geometry()["regions"]["areas"].items() if code not in OVERSEAS_REGIONS
    )
    for inset in chart.insets:
        assert inset.x + inset.width < metropolitan_left
        box = maps.geometry()["regions"]["areas"][inset.code]["box"]
        assert inset.x <= box[0] and box[2] <= inset.x + inset.width
        assert inset.y <= box[1] and box[3] <= inset.y + inset.height
    html = render("{% region_map values caption='Carte' %}", values={})
    assert html.count("<rect ") == 5


def test_the_departement_map_holds_exactly_the_regions_departements_and_colours_the_rhone(regions_and_departements):
    html = render(
        "{% departement_map '84' values caption='Dossiers par département' %}",
        values={"69": 3, "38": 1, "75": 99},
    )
    colours = area_colours(html)

    assert set(colours) == ARA_DEPARTEMENTS
    assert colours["69"] == charts.SEQUENTIAL_PALETTE[-1]
    assert colours["38"] == charts.SEQUENTIAL_PALETTE[0]
    assert colours["42"] == charts.ZERO_COLOUR
    assert "<title>Rhône : 3</title>" in html
    assert "Paris" not in html


def test_the_departement_map_fits_its_view_to_the_region(regions_and_departements):
    ara = maps.departement_map("84", {}, "ARA")
    x, y, width, height = (int(number) for number in ara.viewbox.split())
    for code in ARA_DEPARTEMENTS:
        box = maps.geometry()["departements"]["areas"][code]["box"]
        assert x <= box[0] and box[2] <= x + width and y <= box[1] and box[3] <= y + height
    assert width < 500 and height < 500  # a region, not the whole of France

    guadeloupe = maps.departement_map("01", {"971": 2}, "Guadeloupe")
    assert [area.code for area in guadeloupe.areas] == ["971"]
    assert maps.departement_map("999", {}, "Nowhere").empty


def test_the_table_lists_every_area_by_name_with_its_value(regions_and_departements):
    values = {"84": 10, "53": 2, "11": 5, "01": 1}
    chart = maps.region_map(values, "Carte")

    names = [row[0] for row in chart.rows]
    assert len(chart.rows) == 18
    assert names[:3] == ["Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne"]
    assert names.index("Île-de-France") < names.index("La Réunion")  # sorted without regard to accents
    assert dict(chart.rows) == {
        **{name: 0 for name in names},
        "Auvergne-Rhône-Alpes": 10,
        "Bretagne": 2,
        "Île-de-France": 5,
        "Guadeloupe": 1,
    }
    html = render("{% region_map values caption='Carte' value_header='Dossiers' %}", values=values)
    table = html[html.index("<table>") :]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>', table)
    assert len(rows) == 18
    assert ("Bretagne", "2") in rows and ("Corse", "0") in rows
    assert "Voir les données" in html and ">Dossiers</th>" in html and ">Région</th>" in html


def test_links_make_each_area_a_named_link_and_the_csv_link_is_given(regions_and_departements):
    html = render(
        "{% region_map values caption='Carte' links=links csv_url='/carte.csv' %}",
        values={"84": 4},
        links={"84": "/tableau/84/", "11": "/tableau/11/"},
    )

    assert Areas(html).links == {"84": "/tableau/84/", "11": "/tableau/11/"}
    assert '<a href="/tableau/84/" aria-label="Auvergne-Rhône-Alpes : 4">' in html
    assert '<a href="/tableau/11/" aria-label="Île-de-France : 0">' in html
    assert 'role="group"' in html
    assert 'href="/carte.csv" download' in html
    assert "/carte.csv" not in render("{% region_map values caption='Carte' %}", values={})


def test_the_legend_gives_the_ranges_of_at_most_five_steps(regions_and_departements):
    values = {code: number for code, number in zip(sorted(maps.region_codes()), range(0, 18), strict=True)}
    chart = maps.region_map(values, "Carte", unit="€")

    assert len(chart.steps) == 5
    assert chart.steps[0].low == 1 and chart.steps[-1].high == 17
    for previous, step in zip(chart.steps, chart.steps[1:], strict=False):
        assert step.low == previous.high + 1
    assert [step.colour for step in chart.steps] == list(charts.SEQUENTIAL_PALETTE)
    for area in chart.areas:
        step = charts.step_of(chart.steps, area.value)
        assert area.colour == (step.colour if area.value else charts.ZERO_COLOUR)
    html = render("{% region_map values caption='Carte' unit='€' %}", values=values)
    assert "Légende (€)" in html
    assert f"{charts.format_number(1, '€')} à {charts.format_number(3, '€')}" in html  # 17 values: 3, 3, 4, 3, 4


def test_sequential_steps_with_few_values_and_decimals():
    assert charts.sequential_steps([0, 0]) == []
    (only,) = charts.sequential_steps([0, 7, 7])
    assert (only.low, only.high, only.colour, only.text) == (7, 7, charts.SEQUENTIAL_PALETTE[-1], "7")
    steps = charts.sequential_steps([Decimal("0.5"), Decimal("1.5"), Decimal("2.5")])
    assert [step.colour for step in steps] == [charts.SEQUENTIAL_PALETTE[i] for i in (0, 2, 4)]
    assert charts.step_of(steps, Decimal("1.5")) is steps[1]
    assert charts.step_of(steps, 0) is None


@pytest.mark.parametrize("kind", ["regions", "departements"])
def test_a_map_renders_with_one_query(regions_and_departements, django_assert_num_queries, kind):
    source = (
        "{% region_map values caption='Carte' %}"
        if kind == "regions"
        else "{% departement_map '84' values caption='Carte' %}"
    )
    with django_assert_num_queries(1):
        render(source, values={"84": 3, "69": 2})
