"""Build the compact outlines of France's regions and départements for the server-drawn maps.

Reads
    The npm package ``@gouvfr/dsfr-chart`` (the DSFR's chart components, by the DINUM / Service d'information du
    Gouvernement), either a tarball (``*.tgz``) or an unpacked directory given on the command line; without an
    argument the script runs ``npm pack @gouvfr/dsfr-chart@<VERSION>`` in a temporary directory. Its map
    components embed the outlines as SVG paths, already projected and simplified:
    ``dist/MapChart/MapChart.js`` holds the 101 départements (keys ``FR-01`` … ``FR-976``) and
    ``dist/MapChartReg/MapChartReg.js`` the 13 metropolitan regions (keys ``FR-ARA`` …, ``FR-20R`` for Corse),
    both in one 1010 × 1010 frame, the five overseas départements each in a small frame of its own.

Writes
    ``france-<YEAR>.json`` beside this script: the source (package, version, licence, year) and

    - ``regions``: the 18 regions by INSEE code, the five overseas ones drawn as insets in boxes on the left of
      metropolitan France (``insets``: code → [x, y, width, height], the name written in the last
      ``inset_label`` units of its height), with the map's ``viewbox`` [x, y, width, height];
    - ``departements``: the 101 départements by INSEE code; the metropolitan ones in the frame of the region
      map, each overseas one alone in a frame of its own (a region map of Guadeloupe shows Guadeloupe).

    Each area has ``d`` (the SVG path, integer coordinates, relative commands) and ``box`` (its bounding box
    [x0, y0, x1, y1]), so that a map of some areas fits its viewBox without parsing paths at run time. The output
    is deterministic: rebuilding from the same package gives the same bytes.

Licence
    The package is under the MIT licence (© 2021 DINUM); its outlines follow the administrative division in force
    since the 2015 reform of the regions (18 regions, 101 départements), the one of the Code officiel
    géographique 2026 loaded by ``load_territories``. The package does not name the survey its outlines were
    drawn from; they are simplified for display at the scale of a country and are not to be used for measuring.

Rebuilding
    1. Set ``VERSION`` (and ``YEAR``, the package release's year) below.
    2. Run ``.venv/bin/python territories/data/geometry/build.py`` (needs npm, or pass a downloaded tarball).
    3. Commit the new ``france-<YEAR>.json`` and update ``territories.maps.GEOMETRY_FILE``.

Only the standard library is used, so the script runs without Django.
"""

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@gouvfr/dsfr-chart"
VERSION = "2.0.4"
YEAR = 2025  # 2.0.4 was published on 2025-05-19
LICENCE = "MIT (© 2021 DINUM)"
URL = "https://github.com/GouvernementFR/dsfr-chart"
FORMAT = 1

HERE = Path(__file__).resolve().parent
DEPARTEMENTS_FILE = "dist/MapChart/MapChart.js"
REGIONS_FILE = "dist/MapChartReg/MapChartReg.js"

# The package's short region keys → INSEE region codes.
REGION_KEYS = {
    "ARA": "84",
    "BFC": "27",
    "BRE": "53",
    "CVL": "24",
    "20R": "94",
    "GES": "44",
    "HDF": "32",
    "IDF": "11",
    "NOR": "28",
    "NAQ": "75",
    "OCC": "76",
    "PDL": "52",
    "PAC": "93",
}
# The overseas regions, each one département, in the order of their insets (top to bottom).
OVERSEAS = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}

INSET_WIDTH = 170  # the insets' column, left of metropolitan France
INSET_HEIGHT = 190
INSET_GAP = 12
INSET_MARGIN = 12  # inside an inset's box, around its territory
INSET_LABEL = 30  # at the bottom of an inset's box, for its name
MAP_MARGIN = 6  # around the region map's drawing
OVERSEAS_HEIGHT = 400  # the height of an overseas département alone in its own frame

PATH_PATTERN = re.compile(r'class: "FR-([0-9A-Z]+)",\s*(?:style: D\(\{[^)]*\}\),\s*)?d: "([^"]+)"')
# An overseas département's own frame: the first path after a fixed viewBox is that département's.
VIEWBOX_PATTERN = re.compile(r'viewBox: "0 0 (\d+) (\d+)"[\s\S]{0,400}?class: "FR-(\d+)"')
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
ARGUMENTS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


# --- SVG paths ----------------------------------------------------------------------------------------------------


def tokens(d):
    """The commands and numbers of a path; an arc's flags may be written without separators ("a1 1 0 011 1")."""
    position, command, index, result = 0, None, 0, []
    while position < len(d):
        char = d[position]
        if char in " ,\t\n":
            position += 1
        elif char.isalpha():
            command, index = char, 0
            result.append(char)
            position += 1
        elif command in "Aa" and index % 7 in (3, 4):
            result.append(float(char))
            index += 1
            position += 1
        else:
            match = NUMBER.match(d, position)
            if not match:
                raise ValueError(f"unreadable path at {position}: {d[position : position + 20]!r}")
            result.append(float(match.group()))
            index += 1
            position = match.end()
    return result


def absolute_segments(d):
    """The path as a list of (command, absolute numbers) with uppercase commands; H and V become L."""
    items = tokens(d)
    segments, x, y, start = [], 0.0, 0.0, (0.0, 0.0)
    position, command = 0, None
    while position < len(items):
        if isinstance(items[position], str):
            command = items[position]
            position += 1
            if command in "Zz":
                segments.append(("Z", []))
                x, y = start
                continue
        upper = command.upper()
        count = ARGUMENTS[upper]
        numbers = items[position : position + count]
        position += count
        relative = command.islower()
        if upper == "H":
            point = [numbers[0] + (x if relative else 0), y]
            upper, numbers = "L", point
        elif upper == "V":
            point = [x, numbers[0] + (y if relative else 0)]
            upper, numbers = "L", point
        elif upper == "A":
            end = [numbers[5] + (x if relative else 0), numbers[6] + (y if relative else 0)]
            numbers = numbers[:5] + end
        elif relative:
            numbers = [value + (x if index % 2 == 0 else y) for index, value in enumerate(numbers)]
        segments.append((upper, numbers))
        x, y = numbers[-2], numbers[-1]
        if upper == "M":
            start = (x, y)
            command = "l" if relative else "L"  # further pairs after a moveto are linetos
    return segments


def transform(segments, factor, dx, dy):
    """Scale by ``factor`` then move by (dx, dy); every coordinate rounded to an integer."""
    result = []
    for command, numbers in segments:
        if command == "A":
            rx, ry, rotation, large, sweep, x, y = numbers
            numbers = [
                max(round(rx * factor), 1),
                max(round(ry * factor), 1),
                rotation,
                large,
                sweep,
                round(x * factor + dx),
                round(y * factor + dy),
            ]
        else:
            numbers = [round(value * factor + (dx if index % 2 == 0 else dy)) for index, value in enumerate(numbers)]
        result.append((command, numbers))
    return result


def box(segments):
    """[x0, y0, x1, y1] of the path's points (control points included: an outline's box, not a tight one)."""
    xs, ys = [], []
    for command, numbers in segments:
        pairs = numbers[5:] if command == "A" else numbers
        xs.extend(pairs[0::2])
        ys.extend(pairs[1::2])
    return [min(xs), min(ys), max(xs), max(ys)]


def number(value):
    return str(int(value))


def compact(segments):
    """The integer path as relative commands (the smallest text), dropping segments of length zero."""
    parts, x, y, start, previous = [], 0, 0, (0, 0), None
    for command, numbers in segments:
        if command == "Z":
            parts.append("z")
            x, y = start
            previous = "z"
            continue
        if command == "M":
            text, letter = f"M{number(numbers[0])} {number(numbers[1])}", "M"
            start = (numbers[0], numbers[1])
        elif command == "L":
            ddx, ddy = numbers[0] - x, numbers[1] - y
            if ddx == 0 and ddy == 0:
                continue
            if ddy == 0:
                letter, values = "h", [ddx]
            elif ddx == 0:
                letter, values = "v", [ddy]
            else:
                letter, values = "l", [ddx, ddy]
            text = join(letter, values, previous)
        elif command == "A":
            rx, ry, rotation, large, sweep = numbers[:5]
            values = [rx, ry, rotation, large, sweep, numbers[5] - x, numbers[6] - y]
            letter = "a"
            text = join(letter, values, previous)
        else:
            letter = command.lower()
            values = [value - (x if index % 2 == 0 else y) for index, value in enumerate(numbers)]
            text = join(letter, values, previous)
        parts.append(text)
        previous = letter
        x, y = numbers[-2], numbers[-1]
    return "".join(parts)


def join(letter, values, previous):
    """A command's text: the letter unless it repeats the previous one, then the numbers, a minus sign standing
    for the separator."""
    text = "" if letter == previous and letter != "M" else letter
    for index, value in enumerate(values):
        written = number(value)
        if index == 0 and not text:
            text = written if written.startswith("-") else " " + written
        elif index == 0:
            text += written
        else:
            text += written if written.startswith("-") else " " + written
    return text


# --- the package --------------------------------------------------------------------------------------------------


def read_package(source):
    """Return {relative path: text} for package.json and the two map components."""
    names = ("package.json", DEPARTEMENTS_FILE, REGIONS_FILE)
    source = Path(source)
    if source.is_dir():
        root = source / "package" if (source / "package" / "package.json").exists() else source
        return {name: (root / name).read_text(encoding="utf-8") for name in names}
    with tarfile.open(source, "r:gz") as tar:
        return {name: tar.extractfile(f"package/{name}").read().decode("utf-8") for name in names}


def npm_pack(workdir):
    spec = f"{PACKAGE}@{VERSION}"
    output = subprocess.run(["npm", "pack", spec], cwd=workdir, check=True, capture_output=True, text=True)
    return Path(workdir) / output.stdout.strip().splitlines()[-1]


def overseas_frames(text):
    """{département code: (width, height)} of the small frames of the overseas départements."""
    frames = {code: (int(width), int(height)) for width, height, code in VIEWBOX_PATTERN.findall(text)}
    if set(frames) != set(OVERSEAS):
        raise SystemExit(f"overseas frames found for {sorted(frames)}, expected {sorted(OVERSEAS)}")
    return frames


def fit(segments, frame, left, top, width, height, margin, bottom=0):
    """Scale and move a territory drawn in ``frame`` (width, height) into a box, centred, keeping its shape;
    ``bottom`` is kept free under it."""
    inner_width, inner_height = width - 2 * margin, height - 2 * margin - bottom
    factor = min(inner_width / frame[0], inner_height / frame[1])
    dx = left + margin + (inner_width - frame[0] * factor) / 2
    dy = top + margin + (inner_height - frame[1] * factor) / 2
    return transform(segments, factor, dx, dy)


def area(segments):
    return {"d": compact(segments), "box": box(segments)}


def build(files):
    package = json.loads(files["package.json"])
    if package["version"] != VERSION:
        raise SystemExit(f"expected {PACKAGE} {VERSION}, got {package['version']}")
    departement_text = files[DEPARTEMENTS_FILE]
    departement_paths = {key: d for key, d in PATH_PATTERN.findall(departement_text) if not key.isalpha()}
    departement_paths.pop("20R", None)
    region_paths = {REGION_KEYS[key]: d for key, d in PATH_PATTERN.findall(files[REGIONS_FILE]) if key in REGION_KEYS}
    if len(departement_paths) != 101 or len(region_paths) != len(REGION_KEYS):
        raise SystemExit(f"found {len(departement_paths)} départements and {len(region_paths)} regions")
    frames = overseas_frames(departement_text)

    regions, insets, departements = {}, {}, {}
    for code, d in sorted(region_paths.items()):
        regions[code] = area(transform(absolute_segments(d), 1, 0, 0))
    for index, (departement, region) in enumerate(OVERSEAS.items()):
        inset = [-INSET_WIDTH - INSET_GAP, index * (INSET_HEIGHT + INSET_GAP), INSET_WIDTH, INSET_HEIGHT]
        insets[region] = inset
        segments = absolute_segments(departement_paths[departement])
        regions[region] = area(fit(segments, frames[departement], *inset, INSET_MARGIN, INSET_LABEL))
    for code, d in sorted(departement_paths.items()):
        segments = absolute_segments(d)
        if code in OVERSEAS:
            width, height = frames[code]
            own = round(OVERSEAS_HEIGHT * width / height)
            departements[code] = area(fit(segments, frames[code], 0, 0, own, OVERSEAS_HEIGHT, 0))
        else:
            departements[code] = area(transform(segments, 1, 0, 0))

    boxes = [region["box"] for region in regions.values()]
    boxes += [[x, y, x + width, y + height] for x, y, width, height in insets.values()]
    left = min(b[0] for b in boxes) - MAP_MARGIN
    top = min(b[1] for b in boxes) - MAP_MARGIN
    right = max(b[2] for b in boxes) + MAP_MARGIN
    bottom = max(b[3] for b in boxes) + MAP_MARGIN
    return {
        "format": FORMAT,
        "source": {"package": PACKAGE, "version": VERSION, "year": YEAR, "licence": LICENCE, "url": URL},
        "regions": {
            "viewbox": [left, top, right - left, bottom - top],
            "inset_label": INSET_LABEL,
            "insets": insets,
            "areas": regions,
        },
        "departements": {"areas": departements},
    }


def main(argv):
    with tempfile.TemporaryDirectory() as workdir:
        source = argv[1] if len(argv) > 1 else npm_pack(workdir)
        data = build(read_package(source))
    target = HERE / f"france-{YEAR}.json"
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    target.write_text(text + "\n", encoding="utf-8")
    print(f"{target.name}: {len(data['regions']['areas'])} regions, {len(data['departements']['areas'])} départements")


if __name__ == "__main__":
    main(sys.argv)
