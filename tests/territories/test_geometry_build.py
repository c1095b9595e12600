"""territories/data/geometry/build.py: the path arithmetic that turns the package's outlines into the compact file,
and the committed file's consistency with it."""

import importlib.util

import pytest

from territories import maps

spec = importlib.util.spec_from_file_location("geometry_build", maps.GEOMETRY_FILE.parent / "build.py")
build = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build)


def points(d):
    """The absolute end points of a path."""
    return [tuple(numbers[-2:]) for command, numbers in build.absolute_segments(d) if command != "Z"]


def test_relative_and_absolute_commands_give_the_same_points():
    relative = "m10 20 5 0v5h-5l1.5-2.5z"
    absolute = "M10 20L15 20V25H10L11.5 22.5Z"

    assert points(relative) == points(absolute) == [(10, 20), (15, 20), (15, 25), (10, 25), (11.5, 22.5)]


def test_arc_flags_written_without_separators_are_read():
    (move, arc) = build.absolute_segments("M1 1a13 13 0 014 5")

    assert arc == ("A", [13, 13, 0, 0.0, 1.0, 5.0, 6.0])  # large arc 0, sweep 1, to (1 + 4, 1 + 5)


def test_transform_rounds_to_integers_and_compact_writes_relative_commands_without_drift():
    # Steps of 1.5 once scaled: rounding each relative step would add up to 4 × 2 = 8, not 6.
    segments = build.transform(build.absolute_segments("M0 0l0.15 0 0.15 0 0.15 0 0.15 0v10z"), 10, 100, 0)
    d = build.compact(segments)

    assert d == "M100 0h2 1 1 2v100z"
    assert points(d)[-1] == (106, 100)
    assert build.box(segments) == [100, 0, 106, 100]


def test_fit_centres_a_territory_in_its_box():
    segments = build.fit(build.absolute_segments("M0 0H50V25H0Z"), (50, 25), 10, 20, 120, 120, 10)

    assert build.box(segments) == [20, 55, 120, 105]


@pytest.mark.parametrize("kind", ["regions", "departements"])
def test_the_committed_boxes_are_those_of_the_committed_paths(kind):
    for code, area in maps.geometry()[kind]["areas"].items():
        assert build.box(build.absolute_segments(area["d"])) == area["box"], code
