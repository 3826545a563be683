"""The SVG charts: geometry, accessibility and well-formed XML."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from assessments.charts import (
    INNER,
    LEVEL_SHADES,
    RadarGeometry,
    Series,
    TrendPoint,
    distribution_svg,
    level_shade,
    radar_svg,
    trend_svg,
)
from assessments.display import level_badge, level_css

SVG = "{http://www.w3.org/2000/svg}"
AXES = ["Build", "Environments", "Release", "Testing", "Data", "Configuration"]
LEVELS = [
    (-1, "Regressive"),
    (0, "Repeatable"),
    (1, "Consistent"),
    (2, "Quantitatively managed"),
    (3, "Optimizing"),
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def polygon_points(root: ET.Element, series: int) -> list[tuple[float, float]]:
    group = root.find(f".//{SVG}g[@data-series='{series}']")
    assert group is not None
    polygon = group.find(f"{SVG}polygon")
    assert polygon is not None
    return [tuple(map(float, pair.split(","))) for pair in polygon.get("points", "").split()]  # type: ignore[misc]


def ring_radii(root: ET.Element) -> list[float]:
    """The distance from the centre of each ring's first corner (on the upward axis)."""
    grid = root.find(f".//{SVG}g[@class='grid']")
    assert grid is not None
    return [
        abs(float(ring.get("points", "").split()[0].split(",")[1]))
        for ring in grid.findall(f"{SVG}polygon")
    ]


def test_radar_floor_sits_on_the_centre_ring_and_top_on_the_outer_ring() -> None:
    values = [-1, 3, -1, 3, -1, 3]
    root = parse(radar_svg(AXES, LEVELS, [Series("Now", values)], title="t"))
    radii = ring_radii(root)
    assert radii == sorted(radii)
    for axis, (x, y) in enumerate(polygon_points(root, 0)):
        distance = math.hypot(x, y)
        expected = radii[0] if values[axis] == -1 else radii[-1]
        assert distance == pytest.approx(expected, abs=0.1)


def test_radar_has_a_ring_per_level_and_an_axis_per_category() -> None:
    root = parse(radar_svg(AXES, LEVELS, [Series("Now", [0] * 6)], title="t"))
    assert len(ring_radii(root)) == 5
    grid = root.find(f".//{SVG}g[@class='grid']")
    assert grid is not None and len(grid.findall(f"{SVG}line")) == 6
    labels = "".join(root.find(f".//{SVG}g[@class='axis-labels']").itertext())  # type: ignore[union-attr]
    for axis in AXES:
        assert axis in labels
    level_labels = "".join(root.find(f".//{SVG}g[@class='level-labels']").itertext())  # type: ignore[union-attr]
    assert "2 Quantitatively managed" in level_labels


def test_first_axis_points_up_and_the_next_follow_clockwise() -> None:
    geometry = RadarGeometry(axes=4, floor=0, top=4, radius=100)
    x0, y0 = geometry.point(0, 4)
    x1, y1 = geometry.point(1, 4)
    assert (x0, y0) == pytest.approx((0, -100))
    assert (x1, y1) == pytest.approx((100, 0))
    assert geometry.distance(0) == pytest.approx(100 * INNER)
    assert geometry.distance(2) == pytest.approx(100 * (INNER + (1 - INNER) / 2))


def test_values_outside_the_range_are_clamped_to_the_rings() -> None:
    geometry = RadarGeometry(axes=3, floor=-1, top=3)
    assert geometry.distance(-5) == geometry.distance(-1)
    assert geometry.distance(9) == geometry.distance(3)


def test_previous_series_is_dashed_and_unfilled_with_a_legend() -> None:
    svg = radar_svg(
        AXES, LEVELS, [Series("Now", [1] * 6), Series("Before", [0] * 6, dashed=True)], title="t"
    )
    root = parse(svg)
    before = root.find(f".//{SVG}g[@data-series='1']/{SVG}polygon")
    now = root.find(f".//{SVG}g[@data-series='0']/{SVG}polygon")
    assert before is not None and now is not None
    assert before.get("stroke-dasharray") and before.get("fill") == "none"
    assert not now.get("stroke-dasharray")
    legend = "".join(root.find(f".//{SVG}g[@class='legend']").itertext())  # type: ignore[union-attr]
    assert "Now" in legend and "Before" in legend


def test_radar_has_title_and_desc_with_the_numbers() -> None:
    root = parse(
        radar_svg(AXES, LEVELS, [Series("Now", [1.25, 0, 0, 0, 0, 3])], title="Payments, 26 Nov")
    )
    assert root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "Payments, 26 Nov"
    desc = root.findtext(f"{SVG}desc") or ""
    assert "Build 1.3" in desc  # rounded as the pages round: halves away from zero
    assert "Configuration 3.0" in desc


def test_texts_are_escaped() -> None:
    hostile = ["<script>alert(1)</script>", "A & B", '"quoted"']
    svg = radar_svg(hostile, LEVELS, [Series("<b>x</b>", [0, 1, 2])], title="<title>")
    root = parse(svg)
    assert root.find(f".//{SVG}script") is None
    assert "<script>" not in svg


@given(
    st.lists(st.text(min_size=1, max_size=60), min_size=3, max_size=8).flatmap(
        lambda axes: st.tuples(
            st.just(axes),
            st.lists(
                st.lists(st.floats(-3, 5, allow_nan=False), min_size=len(axes), max_size=len(axes)),
                min_size=1,
                max_size=6,
            ),
        )
    )
)
def test_radar_is_well_formed_xml_for_any_labels_and_values(
    data: tuple[list[str], list[list[float]]],
) -> None:
    axes, series_values = data
    series = [Series(f"S{i}", values, dashed=i > 0) for i, values in enumerate(series_values)]
    root = parse(radar_svg(axes, LEVELS, series, title="t"))
    assert len(root.findall(f".//{SVG}g[@class='series']")) == len(series)


def test_trend_places_points_in_time_order_and_by_value() -> None:
    points = [TrendPoint(0, -1, "Jan"), TrendPoint(30, 1, "Feb"), TrendPoint(90, 3, "Apr")]
    root = parse(trend_svg(points, LEVELS, title="Overall"))
    circles = root.findall(f".//{SVG}circle")
    xs = [float(c.get("cx", "")) for c in circles]
    ys = [float(c.get("cy", "")) for c in circles]
    assert xs == sorted(xs)
    assert xs[1] - xs[0] == pytest.approx((xs[2] - xs[0]) / 3, abs=0.2)
    assert ys[0] > ys[1] > ys[2]  # higher scores sit higher up
    assert root.find(f".//{SVG}polyline") is not None
    assert "Jan: -1.0" in (root.findtext(f"{SVG}desc") or "")


def test_trend_with_a_single_point_draws_no_line() -> None:
    root = parse(trend_svg([TrendPoint(5, 1.5, "Mar")], LEVELS, title="Overall"))
    assert root.find(f".//{SVG}polyline") is None
    assert len(root.findall(f".//{SVG}circle")) == 1


@pytest.mark.parametrize(
    ("levels", "shades"),
    [
        ([-1, 0, 1, 2, 3], [0, 1, 2, 3, 4]),
        ([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]),
        ([0, 1, 2], [0, 2, 4]),
        ([0, 10], [0, 4]),
        ([-2, -1, 0, 1, 2, 3, 4, 5, 6], [0, 1, 1, 2, 2, 3, 3, 4, 4]),
    ],
)
def test_level_shades_run_from_the_floor_to_the_top_for_any_range(
    levels: list[int], shades: list[int]
) -> None:
    assert [level_shade(value, levels) for value in levels] == shades


@given(st.lists(st.integers(-100, 100), min_size=2, max_size=12, unique=True))
def test_level_shades_never_get_lighter_as_levels_rise(levels: list[int]) -> None:
    shades = [level_shade(value, levels) for value in sorted(levels)]
    assert shades == sorted(shades)
    assert shades[0] == 0 and shades[-1] == LEVEL_SHADES - 1


def test_badges_heatmap_and_distribution_colour_a_level_alike() -> None:
    levels = [1, 2, 3, 4, 5]  # a model whose levels are not the default's -1..3
    svg = distribution_svg(
        [(f"level {value}", 1) for value in levels], title="spread", chart_id="spread"
    )
    for value in levels:
        assert f'<g class="{level_css(value, levels)}">' in svg
    assert level_css(5, levels) == "level-shade-4" and level_css(None, levels) == "level-none"


# What the template assessments/_level_badge.html wrote, before badges were written in Python.
BADGE_TEMPLATE = """{% load maturity_tags %}<span class="badge level-badge \
{{ level|level_class:levels }}">{{ level }} · {{ name }}</span>"""


@pytest.mark.parametrize(
    ("level", "name"), [(-1, "Regressive"), (3, "Optimizing"), (0, '<script>"R&D"</script>')]
)
def test_a_level_badge_is_what_its_template_wrote(level: int, name: str) -> None:
    levels = [-1, 0, 1, 2, 3]
    expected = Template(BADGE_TEMPLATE).render(
        Context({"level": level, "name": name, "levels": levels})
    )
    assert level_badge(level, name, levels) == expected
    assert "<script>" not in level_badge(level, name, levels)


def test_every_level_shade_has_its_colours_in_the_stylesheet() -> None:
    css = (Path(__file__).resolve().parents[1] / "static/css/app.css").read_text()
    for shade in range(LEVEL_SHADES):
        assert f".level-shade-{shade} {{ --level-bg: #" in css
