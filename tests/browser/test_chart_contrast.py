"""RGAA 3.3 (WCAG 1.4.11, non-text contrast): every mark of the dashboards' charts (bars, columns, the segments of a
composition, the axes, the maps' areas) contrasts at least 3:1 with the chart's background, in the light and the dark
themes. The colours are read from Chromium's computed styles, so the DSFR's variables resolve as the user sees them.

A map's area counts when its outline contrasts (the classes of a map are told apart by lightness, their legend and
the table « Voir les données »); the other marks have no outline: their fill must contrast."""

import re

import pytest

from ptce_ami.core import charts
from tests.browser.conftest import screenshot
from tests.browser.test_dashboards import call, log_in_as  # noqa: F401 (the dashboards' data, a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The contrast ratio of each mark of each chart with the chart's background: [{chart, mark, colour, background, ratio}]
MEASURE = """() => {
  const channel = value => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  };
  const parse = colour => {
    const match = colour.match(/rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/);
    return match ? {rgb: [+match[1], +match[2], +match[3]], alpha: match[4] === undefined ? 1 : +match[4]} : null;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const ratio = (a, b) => {
    const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (high + 0.05) / (low + 0.05);
  };
  const background = element => {
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.alpha === 1) return colour.rgb;
    }
    return [255, 255, 255];
  };
  const results = [];
  document.querySelectorAll('figure.ptce-chart').forEach(figure => {
    const chart = figure.querySelector('figcaption').textContent.trim();
    const behind = background(figure);
    figure.querySelectorAll('svg rect, svg path, svg line, svg circle, svg polyline').forEach(mark => {
      const style = getComputedStyle(mark);
      const fill = parse(style.fill);
      const stroke = style.stroke !== 'none' && parseFloat(style.strokeWidth) > 0 ? parse(style.stroke) : null;
      const isArea = mark.tagName === 'path' && mark.closest('svg').classList.contains('ptce-map__drawing');
      const isFrame = mark.tagName === 'rect' && style.fill === 'none';  // a map's inset frame
      let colour, kind;
      if (mark.tagName === 'line' || isFrame) {
        [colour, kind] = [stroke, 'stroke'];
      } else if (isArea) {
        [colour, kind] = [stroke, 'outline'];
      } else {
        [colour, kind] = [fill, 'fill'];
      }
      results.push({
        chart, mark: mark.tagName, kind, colour: colour && colour.rgb, background: behind,
        ratio: colour ? Math.round(ratio(colour.rgb, behind) * 100) / 100 : 0,
      });
    });
  });
  return results;
}"""

# The colours of the palette itself, each drawn on a swatch of the page's background: the dashboards' data may not
# use all eight.
PALETTE = """colours => {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  const figure = document.createElement('figure');
  figure.className = 'ptce-chart';
  figure.innerHTML = '<figcaption>Palette</figcaption>';
  figure.appendChild(svg);
  document.querySelector('main').appendChild(figure);
  colours.forEach(colour => {
    const rect = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    rect.setAttribute('width', '10');
    rect.setAttribute('height', '10');
    rect.style.fill = colour;
    svg.appendChild(rect);
  });
}"""


def measure(page, checked):
    failures = []
    for theme in ("light", "dark"):
        page.evaluate("theme => document.documentElement.setAttribute('data-fr-theme', theme)", theme)
        page.wait_for_timeout(50)
        marks = page.evaluate(MEASURE)
        assert marks, page.url
        checked[theme] = checked.get(theme, 0) + len(marks)
        failures += [(theme, mark) for mark in marks if mark["ratio"] < 3]
    page.evaluate("() => document.documentElement.setAttribute('data-fr-theme', 'light')")
    return failures


def test_the_dashboards_chart_marks_contrast_with_their_background_in_both_themes(page, call):  # noqa: F811
    checked, failures = {}, []
    log_in_as(page, call["staff"])
    for path in ("/tableau-de-bord/national/", "/tableau-de-bord/regions/84/"):
        page.goto(path)
        assert page.locator("figure.ptce-chart svg").count() >= 3
        assert page.locator("svg.ptce-map__drawing path").count() > 0
        failures += [(path, *failure) for failure in measure(page, checked)]
        page.evaluate(PALETTE, [*charts.PALETTE, charts.BAR_COLOUR, charts.AXIS_COLOUR])
        failures += [(path, *failure) for failure in measure(page, checked)]
        page.evaluate("() => document.documentElement.setAttribute('data-fr-theme', 'dark')")
        screenshot(page, f"chart-contrast-dark-{re.sub(r'[^a-z0-9]+', '-', path).strip('-')}")

    print("chart marks checked:", checked)
    assert checked["light"] == checked["dark"] >= 100
    assert not failures, "\n".join(map(str, failures))
