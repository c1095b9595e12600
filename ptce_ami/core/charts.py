"""Charts drawn on the server as SVG: the geometry from the data, nothing else (no request, no query, no markup).

The templates under templates/includes/charts/ draw what these functions compute; the template tags in
ptce_ami/core/templatetags/charts.py tie the two. Each chart keeps its rows (label, number, formatted number) for
the table « Voir les données » and the CSV download (ptce_ami.core.downloads.chart_csv_response).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ptce_ami.core.money import NARROW_NBSP, euros

# DSFR colours as CSS variables, with the DSFR's light values when the variables are missing. Every mark contrasts
# at least 3:1 with the page's background in the light and the dark themes (RGAA 3.3, WCAG 1.4.11; checked in
# Chromium by tests/browser/test_chart_contrast.py): the "sun-moon" variables switch to their light "moon" shade in
# the dark theme. The bars' colour is dark enough on white (blue France 113: 15.9:1); the composition's colours are
# told apart by the legend's text, the order of the segments and the white line between them, never by colour alone.
BAR_COLOUR = "var(--blue-france-sun-113-625, #000091)"
TEXT_COLOUR = "var(--text-default-grey, #3a3a3a)"
AXIS_COLOUR = "var(--text-mention-grey, #666666)"
PALETTE = (
    "var(--blue-france-sun-113-625, #000091)",
    "var(--green-emeraude-sun-425-moon-753, #297254)",
    "var(--pink-tuile-sun-425-moon-750, #a94645)",
    "var(--purple-glycine-sun-319-moon-630, #6e445a)",
    "var(--yellow-tournesol-sun-407-moon-922, #716043)",
    "var(--blue-ecume-sun-247-moon-675, #2f4077)",
    "var(--orange-terre-battue-sun-370-moon-672, #755348)",
    "var(--grey-425-625, #666666)",
)

# The choropleth maps' sequential palette (territories.maps): one hue, the DSFR's blue France, in five steps of
# lightness (CIE L* 83, 64, 45, 26, 8) from blue-france-850 (#cacafb) to the darkest colour of the DSFR chart's own
# sequential scale (#00005f), evenly spaced in RGB. Lightness alone tells the steps apart, so they read with every
# colour-vision deficiency and in greyscale. Zero is a neutral grey (grey-950, L* 94), apart from every step; the
# outlines (grey-425) show every area, the grey ones included.
SEQUENTIAL_PALETTE = ("#cacafb", "#9898d4", "#6565ad", "#323286", "#00005f")
ZERO_COLOUR = "#eeeeee"
STEP_COUNT = len(SEQUENTIAL_PALETTE)  # at most this many classes
OUTLINE_COLOUR = "#666666"

WIDTH = 640  # the viewBox's width; the SVG itself is 100% of its container
ROW_HEIGHT = 28
BAR_THICKNESS = 18
LABEL_WIDTH = 240  # room for the categories' labels of the horizontal bar chart
VALUE_ROOM = 90  # room after the longest bar for its value
LABEL_CHARACTERS = 28  # a label longer than this is cut in the SVG (the table has it whole)
COLUMN_AREA_HEIGHT = 200
COLUMN_LABEL_ROOM = 40
COLUMN_MARGIN = 24  # on each side of the columns, for the first and last labels
COLUMN_VALUE_ROOM = 18
MAX_COLUMN_LABELS = 12  # a time series shows at most this many labels under its columns
STACK_HEIGHT = 40
LEGEND_ROW = 24
MIN_LENGTH = 1.0
CHARACTER_WIDTH = 8  # an estimate of a bold character's width at font-size 13, to tell whether a value fits


def format_number(value, unit=""):
    """ "1 234", "80 000 €", "12,5 %": French grouping (narrow no-break spaces) and decimal comma."""
    if unit == "€":
        return euros(value)
    number = Decimal(value)
    places = 0 if number == number.to_integral_value() else 1
    whole, _dot, decimals = f"{abs(number):,.{places}f}".partition(".")
    text = ("-" if number < 0 else "") + whole.replace(",", NARROW_NBSP) + ("," + decimals if places else "")
    return f"{text}{NARROW_NBSP}%" if unit == "%" else text


def shorten(label, length=LABEL_CHARACTERS):
    label = str(label)
    return label if len(label) <= length else label[: length - 1].rstrip() + "…"


@dataclass(frozen=True)
class Row:
    label: str
    value: object
    text: str  # the value, formatted


@dataclass
class Shape:
    label: str
    short_label: str
    text: str
    x: float
    y: float
    width: float
    height: float
    colour: str = BAR_COLOUR
    text_x: float = 0
    text_y: float = 0
    label_x: float = 0  # where the label is written (the legend's swatch for a composition)
    label_y: float = 0
    show_label: bool = True
    show_text: bool = True
    text_inside: bool = False  # written in white at the end of the bar, when it would not fit after it
    share: str = ""


@dataclass
class Chart:
    kind: str
    title: str
    rows: list
    unit: str = ""
    width: int = WIDTH
    height: int = 0
    shapes: list = field(default_factory=list)
    baseline: float = 0
    summary: str = ""
    total_text: str = ""

    @property
    def empty(self):
        return not self.rows


def rows_of(items, unit):
    """``items``: pairs (label, number), in the order to draw. None counts as zero."""
    return [Row(str(label), value or 0, format_number(value or 0, unit)) for label, value in items]


def describe(title, rows, unit):
    """The SVG's accessible name: the title, how many values and the largest one."""
    if not rows:
        return title
    top = max(rows, key=lambda row: row.value)
    text = ngettext(
        "%(title)s : %(count)d valeur, %(label)s (%(value)s).",
        "%(title)s : %(count)d valeurs, la plus grande %(label)s (%(value)s).",
        len(rows),
    )
    return text % {
        "title": title,
        "count": len(rows),
        "label": top.label,
        "value": top.text,
    }


def scale(value, largest, length):
    """The length of a bar: proportional to its value, the largest value filling ``length``; zero or less draws
    nothing, a positive value however small draws at least MIN_LENGTH (it must not look like a zero)."""
    if largest <= 0 or value <= 0:
        return 0.0
    return max(round(float(Decimal(value) / Decimal(largest)) * length, 2), MIN_LENGTH)


def horizontal_bars(items, title, unit=""):
    """Categories → values, one bar per category, its value written after it."""
    rows = rows_of(items, unit)
    chart = Chart("bars", title, rows, unit, summary=describe(title, rows, unit))
    largest = max((row.value for row in rows), default=0)
    length = WIDTH - LABEL_WIDTH - VALUE_ROOM
    for index, row in enumerate(rows):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_THICKNESS) / 2
        width = scale(row.value, largest, length)
        # A value too long for the room after its bar (huge values) is written inside it, in white.
        inside = len(row.text) * CHARACTER_WIDTH > WIDTH - LABEL_WIDTH - width - 6
        chart.shapes.append(
            Shape(
                row.label,
                shorten(row.label),
                row.text,
                x=LABEL_WIDTH,
                y=y,
                width=width,
                height=BAR_THICKNESS,
                text_inside=inside,
                text_x=LABEL_WIDTH + width - 6 if inside else LABEL_WIDTH + width + 6,
                text_y=y + BAR_THICKNESS / 2,
                label_x=LABEL_WIDTH - 8,
                label_y=y + BAR_THICKNESS / 2,
            )
        )
    chart.height = max(len(rows), 1) * ROW_HEIGHT
    return chart


def columns(items, title, unit=""):
    """A time series (e.g. submissions per day): one column per point; with many points, one label in so many and
    the values written only on the columns that can hold them (the table has them all)."""
    rows = rows_of(items, unit)
    chart = Chart("columns", title, rows, unit, summary=describe(title, rows, unit))
    count = max(len(rows), 1)
    largest = max((row.value for row in rows), default=0)
    step = (WIDTH - 2 * COLUMN_MARGIN) / count
    thickness = max(step * 0.7, 1)
    label_every = -(-count // MAX_COLUMN_LABELS)  # ceiling division
    values_fit = step >= 36
    top = COLUMN_VALUE_ROOM
    chart.baseline = top + COLUMN_AREA_HEIGHT
    for index, row in enumerate(rows):
        height = scale(row.value, largest, COLUMN_AREA_HEIGHT)
        x = round(COLUMN_MARGIN + index * step + (step - thickness) / 2, 2)
        chart.shapes.append(
            Shape(
                row.label,
                shorten(row.label, 12),
                row.text,
                x=x,
                y=round(chart.baseline - height, 2),
                width=round(thickness, 2),
                height=height,
                text_x=round(x + thickness / 2, 2),
                text_y=round(chart.baseline - height - 4, 2),
                label_x=round(x + thickness / 2, 2),
                label_y=chart.baseline + 18,
                show_label=index % label_every == 0,
                show_text=values_fit or row.value == largest,
            )
        )
    chart.height = int(chart.baseline + COLUMN_LABEL_ROOM)
    return chart


def composition(items, title, unit=""):
    """A funnel or a composition as one stacked bar, its parts in a legend that writes each value and share."""
    rows = rows_of(items, unit)
    chart = Chart("stack", title, rows, unit, summary=describe(title, rows, unit))
    total = sum((row.value for row in rows), 0)
    chart.total_text = format_number(total, unit)
    x = 0.0
    for index, row in enumerate(rows):
        width = scale(row.value, total, WIDTH)
        share = format_number(round(Decimal(row.value) * 100 / Decimal(total), 1), "%") if total > 0 else ""
        legend_y = STACK_HEIGHT + 16 + index * LEGEND_ROW
        chart.shapes.append(
            Shape(
                row.label,
                shorten(row.label, 60),
                row.text,
                x=round(x, 2),
                y=0,
                width=width,
                height=STACK_HEIGHT,
                colour=PALETTE[index % len(PALETTE)],
                text_x=24,
                text_y=legend_y + 12,
                label_x=0,
                label_y=legend_y,
                share=share,
            )
        )
        x += width
    chart.height = STACK_HEIGHT + 16 + max(len(rows), 1) * LEGEND_ROW
    return chart


@dataclass(frozen=True)
class Step:
    """A class of a choropleth map: the values from ``low`` to ``high`` (both included), drawn in ``colour``."""

    low: object
    high: object
    colour: str
    text: str  # the range, formatted for the legend

    def holds(self, value):
        return self.low <= value <= self.high


def sequential_steps(values, unit="", count=STEP_COUNT):
    """The classes of a choropleth: the distinct positive values split into at most ``count`` groups of nearly
    equal size (quantiles, so that a few large values do not leave every other area in the first class). The
    darkest colour goes to the largest values; with fewer groups than colours they are spread over the palette.
    Zero and less belong to no step (ZERO_COLOUR). The ranges follow each other: with whole numbers a step starts
    just after the previous one ends ("1 à 3", "4 à 9"), so the legend leaves no gap."""
    distinct = sorted({Decimal(value) for value in values if value and value > 0})
    groups = min(count, len(distinct))
    whole = all(value == value.to_integral_value() for value in distinct)
    last = len(SEQUENTIAL_PALETTE) - 1
    steps = []
    for index in range(groups):
        members = distinct[len(distinct) * index // groups : len(distinct) * (index + 1) // groups]
        low, high = members[0], members[-1]
        if steps and whole:
            low = steps[-1].high + 1
        colour = SEQUENTIAL_PALETTE[last if groups == 1 else round(index * last / (groups - 1))]
        if low == high:
            text = format_number(high, unit)
        else:
            text = _("%(low)s à %(high)s") % {"low": format_number(low, unit), "high": format_number(high, unit)}
        steps.append(Step(low, high, colour, text))
    return steps


def step_of(steps, value):
    """The step that holds ``value``, None for zero (or a value outside every step)."""
    if not value or value <= 0:
        return None
    value = Decimal(value)
    return next((step for step in steps if step.holds(value)), None)
