"""Server-drawn SVG charts: geometry, escaping, the table of numbers, the CSV download, no data."""

import csv
import io
from decimal import Decimal

from django.template import Context, Template

from ptce_ami.core import charts
from ptce_ami.core.downloads import chart_csv_response

NNBSP = "\u202f"


def render(tag, items, title="Dossiers", **options):
    arguments = " ".join(f'{name}="{value}"' for name, value in options.items())
    template = Template("{% load charts %}{% " + tag + " items title " + arguments + " %}")
    return template.render(Context({"items": items, "title": title}))


def test_bars_are_proportional_and_the_largest_fills_the_width():
    chart = charts.horizontal_bars([("Ain", 50), ("Rhône", 200), ("Loire", 100), ("Cantal", 0)], "Dossiers")
    full = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_ROOM
    assert [shape.width for shape in chart.shapes] == [full / 4, full, full / 2, 0]
    assert chart.height == 4 * charts.ROW_HEIGHT


def test_columns_are_proportional_and_thin_their_labels():
    items = [(f"{day:02d}/03", day) for day in range(1, 61)]
    chart = charts.columns(items, "Dépôts par jour")
    assert chart.shapes[-1].height == charts.COLUMN_AREA_HEIGHT
    assert chart.shapes[29].height == charts.COLUMN_AREA_HEIGHT / 2
    assert sum(shape.show_label for shape in chart.shapes) <= charts.MAX_COLUMN_LABELS
    assert chart.shapes[0].show_label
    # Too narrow for every value: the largest is still written, the table has the rest.
    assert [shape.text for shape in chart.shapes if shape.show_text] == ["60"]


def test_composition_parts_add_up_to_the_width_with_their_shares():
    chart = charts.composition([("Brouillons", 1), ("Déposés", 3)], "Entonnoir")
    assert [shape.width for shape in chart.shapes] == [charts.WIDTH / 4, charts.WIDTH * 3 / 4]
    assert chart.shapes[1].x == charts.WIDTH / 4
    assert [shape.share for shape in chart.shapes] == [f"25{NNBSP}%", f"75{NNBSP}%"]
    assert chart.total_text == "4"


def test_zeros_a_single_value_and_huge_values():
    assert [shape.width for shape in charts.composition([("A", 0), ("B", 0)], "t").shapes] == [0, 0]
    assert [shape.width for shape in charts.horizontal_bars([("A", 0)], "t").shapes] == [0]
    single = charts.columns([("01/03", 7)], "t")
    assert single.summary == "t : 1 valeur, 01/03 (7)."
    assert single.shapes[0].height == charts.COLUMN_AREA_HEIGHT and single.shapes[0].show_label
    huge = charts.horizontal_bars([("A", 10**15), ("B", 1)], "t", unit="€")
    assert huge.shapes[0].text == f"1{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}000{NNBSP}€"
    assert huge.shapes[1].width == charts.MIN_LENGTH  # visible, not a zero
    # Too long for the room after the bar: written inside it; a short value stays after its bar.
    assert huge.shapes[0].text_inside and huge.shapes[0].text_x < charts.WIDTH
    assert not huge.shapes[1].text_inside and huge.shapes[1].text_x > charts.LABEL_WIDTH + charts.MIN_LENGTH


def test_french_number_formatting():
    assert charts.format_number(1234) == f"1{NNBSP}234"
    assert charts.format_number(Decimal("12.5"), "%") == f"12,5{NNBSP}%"
    assert charts.format_number(Decimal("80000.50"), "€") == f"80{NNBSP}000,50{NNBSP}€"


def test_long_labels_are_cut_in_the_svg_and_whole_in_the_table():
    label = "Communauté d'agglomération du Grand Chalon et de ses environs immédiats"
    html = render("bar_chart", [(label, 3)])
    svg, table = html.split("<details", 1)
    assert "Communauté d&#x27;agglomération…<" in svg
    assert label.replace("'", "&#x27;") in table


def test_labels_are_escaped_in_the_svg_and_the_table():
    html = render("bar_chart", [('<script>alert(1)</script>"/><rect', 1)], title="<b>titre</b>")
    assert "<script>" not in html and "<b>" not in html and '"/><rect' not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;titre&lt;/b&gt;" in html


def test_the_figure_has_a_caption_an_accessible_svg_and_a_table_with_every_number():
    items = [(f"{day:02d}/03", day * 1000) for day in range(1, 41)]
    html = render("column_chart", items, title="Dépôts par jour", csv_url="/essai.csv")
    assert "<figcaption" in html and "Dépôts par jour</figcaption>" in html
    assert 'role="img"' in html and "<title>Dépôts par jour : 40 valeurs" in html
    assert 'viewBox="0 0 640 258"' in html and 'width="100%"' in html
    table = html.split("<table>", 1)[1]
    for label, value in items:
        assert f'<th scope="row">{label}</th>' in table
        assert f"<td>{charts.format_number(value)}</td>" in table
    assert 'href="/essai.csv"' in html and "Voir les données" in html


def test_composition_writes_every_value_beside_its_colour():
    html = render("composition_chart", [("Brouillons", 2), ("Déposés", 6)], title="Entonnoir")
    assert "1. Brouillons — 2 (25" in html and "2. Déposés — 6 (75" in html
    assert '<th scope="row">Total</th>' in html and "<td>8</td>" in html


def test_no_data_is_a_sentence_not_an_empty_chart():
    for tag in ("bar_chart", "column_chart", "composition_chart"):
        html = render(tag, [], csv_url="/essai.csv")
        assert "Aucune donnée à représenter" in html
        assert "<svg" not in html and "<table" not in html and "/essai.csv" not in html


def test_csv_has_a_bom_semicolons_and_no_formula():
    response = chart_csv_response(
        "depots.csv",
        ["Département", "=Dossiers"],
        [['=HYPERLINK("http://x")', 12], ["+33", Decimal("-1.5")], ["Ain; Rhône", None]],
    )
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="depots.csv"'
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [
        ["Département", "'=Dossiers"],
        ['\'=HYPERLINK("http://x")', "12"],
        ["'+33", "-1,5"],
        ["Ain; Rhône", ""],
    ]
