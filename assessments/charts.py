"""SVG charts from plain data: the radar of category scores and the trend line.

Pure: no ORM, no request. Every text is escaped here, so the result can be
placed in a page as it is. Charts carry a <title> and <desc> for screen
readers; pages also show the numbers in a table beside them.
"""

from __future__ import annotations

import math
import re
import textwrap
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape as _escape

from .scoring import rounded

# Okabe-Ito colours: distinguishable with colour-blindness; dashes tell series apart in print.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
DASHES = ["", "6 4", "2 3", "8 3 2 3", "1 2", "10 5"]
# Characters that XML 1.0 cannot hold at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
INNER = 0.1  # the floor ring's radius, as a share of the outer ring's
LABEL_CHARS = 14
RADAR_RADIUS = 180.0
CHAR_EM = 0.6  # a generous mean width of a character, in em, for fitting text


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float]  # one per axis, in axis order
    dashed: bool = False


@dataclass(frozen=True)
class RadarGeometry:
    """Where things sit on a radar of `axes` axes spanning `floor`..`top`."""

    axes: int
    floor: float
    top: float
    radius: float = 150.0
    cx: float = 0.0
    cy: float = 0.0

    def distance(self, value: float) -> float:
        share = (min(max(value, self.floor), self.top) - self.floor) / (self.top - self.floor)
        return self.radius * (INNER + (1 - INNER) * share)

    def angle(self, axis: int) -> float:
        """Axis 0 points up; the others follow clockwise."""
        return -math.pi / 2 + 2 * math.pi * axis / self.axes

    def point(self, axis: int, value: float) -> tuple[float, float]:
        distance, angle = self.distance(value), self.angle(axis)
        return self.cx + distance * math.cos(angle), self.cy + distance * math.sin(angle)


def escape(text: str) -> str:
    """Text made safe for SVG markup: escaped, without characters XML forbids."""
    return _escape(_NOT_XML.sub("", text))


def _score(value: float) -> str:
    """A score as the pages show it."""
    return f"{rounded(value):.1f}"


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _points(coords: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coords)


def _label_lines(text: str, chars: int = LABEL_CHARS) -> list[str]:
    return textwrap.wrap(text, chars) or [""]


def _style(index: int, dashed: bool) -> tuple[str, str]:
    colour = PALETTE[index % len(PALETTE)]
    dash = DASHES[max(index, 1) % len(DASHES)] if dashed else DASHES[index % len(DASHES)]
    return colour, dash


def radar_svg(
    axes: Sequence[str],
    levels: Sequence[tuple[int, str]],
    series: Sequence[Series],
    *,
    title: str,
    chart_id: str = "radar",
) -> str:
    """A radar chart: one axis per category, a ring per level, one polygon per series.
    The rings carry their level's number; a key below names the levels, so no long text
    lies across the data."""
    values = [value for value, _ in levels]
    geometry = RadarGeometry(len(axes), min(values), max(values), radius=RADAR_RADIUS)
    margin_x, margin_y = 125, 75
    width = 2 * (geometry.radius + margin_x)
    key = _ring_key(levels, width - 20)
    legend_height = 24 * len(series) if len(series) > 1 else 0
    plot_height = 2 * (geometry.radius + margin_y)
    height = plot_height + 18 * len(key) + legend_height
    shift = f"translate({_fmt(geometry.radius + margin_x)} {_fmt(geometry.radius + margin_y)})"
    desc = "; ".join(
        f"{one.label}: "
        + ", ".join(f"{axis} {_score(value)}" for axis, value in zip(axes, one.values, strict=True))
        for one in series
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart radar" '
        'font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<g transform="{shift}">',
    ]
    parts += _rings(geometry, levels, axes)
    for index, one in enumerate(series):
        parts += _polygon(geometry, axes, one, index)
    parts.append("</g>")
    parts.append('<g class="level-labels" fill="#495057" font-size="13">')
    for line, text in enumerate(key):
        parts.append(f'<text x="10" y="{_fmt(plot_height + 18 * line)}">{escape(text)}</text>')
    parts.append("</g>")
    if legend_height:
        parts += _legend(series, top=height - legend_height, left=10)
    parts.append("</svg>")
    return "\n".join(parts)


def _ring_key(levels: Sequence[tuple[int, str]], width: float) -> list[str]:
    """The rings' key, "Rings from the centre: -1 Regressive, 0 Repeatable, ...", in
    lines that fit `width` at 13 px; a level's number and name stay on one line."""
    limit = int(width / (13 * CHAR_EM))
    lines = ["Rings from the centre:"]
    for index, (value, name) in enumerate(levels):
        item = f"{value} {name}" + ("," if index < len(levels) - 1 else "")
        if len(lines[-1]) + 1 + len(item) > limit:
            lines.append(item)
        else:
            lines[-1] += f" {item}"
    return lines


def _rings(
    geometry: RadarGeometry, levels: Sequence[tuple[int, str]], axes: Sequence[str]
) -> list[str]:
    parts = ['<g class="grid" fill="none" stroke="#adb5bd" stroke-width="1">']
    for value, _ in levels:
        corners = [geometry.point(axis, value) for axis in range(geometry.axes)]
        parts.append(f'<polygon points="{_points(corners)}"/>')
    for axis in range(geometry.axes):
        x, y = geometry.point(axis, geometry.top)
        parts.append(f'<line x1="0" y1="0" x2="{_fmt(x)}" y2="{_fmt(y)}"/>')
    parts.append("</g>")
    # Each ring's number sits just left of the upward axis, above the ring's corner:
    # clear of the points on that axis and of the ring's own edges.
    parts.append(
        '<g class="ring-numbers" fill="#495057" font-size="13" text-anchor="end" '
        'stroke="#fff" stroke-width="3" paint-order="stroke">'
    )
    for value, _ in levels:
        distance = geometry.distance(value)
        parts.append(f'<text x="-6" y="{_fmt(-distance - 3)}">{value}</text>')
    parts.append("</g>")
    parts.append('<g class="axis-labels" fill="#212529">')
    for axis, name in enumerate(axes):
        x, y = geometry.point(axis, geometry.top)
        offset = 1.1
        lx, ly = x * offset, y * offset
        centred = abs(lx) < 20  # above or below the centre: room to the sides
        anchor = "middle" if centred else ("start" if lx > 0 else "end")
        lines = _label_lines(name, 2 * LABEL_CHARS if centred else LABEL_CHARS)
        # Above the centre the last line ends clear of the top ring's number; below it
        # the first line starts clear of the ring.
        first_dy = (
            -(len(lines) - 1) * 16 - 8 if ly < -20 else (8 if ly > 20 else -(len(lines) - 1) * 8)
        )
        tspans = "".join(
            f'<tspan x="{_fmt(lx)}" dy="{_fmt(first_dy if i == 0 else 16)}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f'<text x="{_fmt(lx)}" y="{_fmt(ly + 4)}" text-anchor="{anchor}">{tspans}</text>'
        )
    parts.append("</g>")
    return parts


def _polygon(geometry: RadarGeometry, axes: Sequence[str], series: Series, index: int) -> list[str]:
    colour, dash = _style(index, series.dashed)
    corners = [geometry.point(axis, value) for axis, value in enumerate(series.values)]
    fill = f'fill="{colour}" fill-opacity="0.15"' if not series.dashed else 'fill="none"'
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    parts = [
        f'<g class="series" data-series="{index}">',
        f'<polygon points="{_points(corners)}" {fill} stroke="{colour}" '
        f'stroke-width="2.5"{dash_attr}/>',
    ]
    for (x, y), axis, value in zip(corners, axes, series.values, strict=True):
        parts.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{colour}">'
            f"<title>{escape(f'{series.label}: {axis} {_score(value)}')}</title></circle>"
        )
    parts.append("</g>")
    return parts


def _legend(series: Sequence[Series], *, top: float, left: float) -> list[str]:
    parts = [f'<g class="legend" transform="translate({_fmt(left)} {_fmt(top)})">']
    for index, one in enumerate(series):
        colour, dash = _style(index, one.dashed)
        y = 24 * index + 12
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="0" y1="{y}" x2="36" y2="{y}" stroke="{colour}" '
            f'stroke-width="3"{dash_attr}/><text x="44" y="{y + 4}">{escape(one.label)}</text>'
        )
    parts.append("</g>")
    return parts


def _time_axes(
    xs: Sequence[float],
    value_range: tuple[float, float],
    across: tuple[float, float],
    down: tuple[float, float],
) -> tuple[Callable[[float], float], Callable[[float], float]]:
    """Where a time (ordinal day) and a value fall on a plot spanning `across`
    (left, right) and `down` (top, bottom): the first and last time at the edges, or
    a single one in the middle; the value clamped to its range, the top upwards."""
    (left, right), (upper, lower), (floor, top) = across, down, value_range
    first, span = min(xs, default=0.0), (max(xs) - min(xs)) if len(xs) > 1 else 0

    def to_x(x: float) -> float:
        return left + ((right - left) * (x - first) / span if span else (right - left) / 2)

    def to_y(value: float) -> float:
        return upper + (lower - upper) * (top - min(max(value, floor), top)) / (top - floor)

    return to_x, to_y


def _time_labels(marks: Sequence[tuple[float, str]], *, top: float, width: float) -> list[str]:
    """The time axis below a plot whose bottom is at `top`: a tick at each point, and
    each point's label (12 px) where it fits. Labels that would touch the one before are
    left out, but the last point's label is always shown."""
    gap = 8.0
    kept: list[tuple[float, float, str]] = []  # (left, right, label)
    for index, (x, label) in enumerate(marks):
        half = len(label) * 12 * CHAR_EM / 2
        centre = min(max(x, half), width - half)  # kept inside the chart
        if index == len(marks) - 1:
            while kept and kept[-1][1] + gap > centre - half:
                kept.pop()
        if not kept or kept[-1][1] + gap <= centre - half:
            kept.append((centre - half, centre + half, label))
    parts = ['<g class="time-axis" fill="#495057">']
    for x, _ in marks:
        parts.append(
            f'<line x1="{_fmt(x)}" y1="{_fmt(top)}" x2="{_fmt(x)}" y2="{_fmt(top + 5)}" '
            'stroke="#adb5bd"/>'
        )
    for left, right, label in kept:
        parts.append(
            f'<text x="{_fmt((left + right) / 2)}" y="{_fmt(top + 18)}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</g>")
    return parts


@dataclass(frozen=True)
class TrendPoint:
    x: float  # e.g. a date's ordinal: positions points in time
    value: float
    label: str  # e.g. the date, shown on hover and to screen readers


def trend_svg(
    points: Sequence[TrendPoint],
    levels: Sequence[tuple[int, str]],
    *,
    title: str,
    chart_id: str = "trend",
    width: float = 640,
    height: float = 220,
) -> str:
    """A line of scores over time, on a grid with one line per level."""
    values = [value for value, _ in levels]
    left, right, upper, lower = 175.0, 20.0, 15.0, 30.0
    to_x, to_y = _time_axes(
        [point.x for point in points], (min(values), max(values)),
        (left, width - right), (upper, height - lower),
    )  # fmt: skip

    desc = ", ".join(f"{point.label}: {_score(point.value)}" for point in points) or "no data"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart trend">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g font-family="system-ui, sans-serif" font-size="12">',
    ]
    for value, name in levels:
        level_y = _fmt(to_y(value))
        parts.append(
            f'<line x1="{_fmt(left)}" y1="{level_y}" x2="{_fmt(width - right)}" y2="{level_y}" '
            'stroke="#dee2e6"/>'
            f'<text x="{_fmt(left - 6)}" y="{level_y}" dy="4" text-anchor="end" fill="#495057">'
            f"{escape(f'{value} {name}')}</text>"
        )
    coords = [(to_x(point.x), to_y(point.value)) for point in points]
    if len(coords) > 1:
        parts.append(
            f'<polyline points="{_points(coords)}" fill="none" stroke="{PALETTE[0]}" '
            'stroke-width="2.5"/>'
        )
    for (x, y), point in zip(coords, points, strict=True):
        parts.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{PALETTE[0]}">'
            f"<title>{escape(f'{point.label}: {_score(point.value)}')}</title></circle>"
        )
    parts += _time_labels(
        [(x, point.label) for (x, _), point in zip(coords, points, strict=True)],
        top=height - lower,
        width=width,
    )
    parts.append("</g></svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class OutcomesPoint:
    """One assessment's delivery outcomes on DORA's Quick Check scale (0..10)."""

    x: float  # e.g. a date's ordinal: positions points in time
    label: str  # e.g. the date, shown on hover and to screen readers
    throughput: float | None
    instability: float | None
    overall: float | None


# The outcome series: attribute, label, and how it looks apart from its colour (a dash
# pattern for its line, a marker shape for its points, both in the legend).
OUTCOME_SERIES = [
    ("throughput", "Throughput", "6 4", "square"),
    ("instability", "Instability", "2 3", "diamond"),
    ("overall", "Overall", "", "circle"),
]
OUTCOME_TICKS = [0, 2, 4, 6, 8, 10]


def _marker(shape: str, x: float, y: float, colour: str, title: str = "") -> str:
    """A point's marker, with its text on hover when given."""
    inner = f"<title>{escape(title)}</title>" if title else ""
    if shape == "square":
        start = f'<rect x="{_fmt(x - 4)}" y="{_fmt(y - 4)}" width="8" height="8" fill="{colour}"'
        return f"{start}>{inner}</rect>" if inner else f"{start}/>"
    if shape == "diamond":
        corners = [(x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)]
        start = f'<polygon points="{_points(corners)}" fill="{colour}"'
        return f"{start}>{inner}</polygon>" if inner else f"{start}/>"
    start = f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="4" fill="{colour}"'
    return f"{start}>{inner}</circle>" if inner else f"{start}/>"


def outcomes_trend_svg(
    points: Sequence[OutcomesPoint],
    *,
    title: str,
    chart_id: str = "outcomes-trend",
    width: float = 640,
    height: float = 250,
) -> str:
    """Throughput, instability and overall delivery outcomes over time on a 0..10 axis:
    one line per series, told apart by dashes, marker shapes and a legend as well as by
    colour. A series skips the points where it has no value."""
    floor, top = 0.0, 10.0
    left, right, upper, lower = 40.0, 20.0, 15.0, 60.0
    plot_h = height - upper - lower
    to_x, to_y = _time_axes(
        [point.x for point in points], (floor, top),
        (left, width - right), (upper, height - lower),
    )  # fmt: skip

    described = []
    for point in points:
        values = [
            f"{label.lower()} {_score(value)}"
            for attribute, label, _, _ in OUTCOME_SERIES
            if (value := getattr(point, attribute)) is not None
        ]
        described.append(f"{point.label}: {', '.join(values) or 'none given'}")
    desc = "; ".join(described) or "no data"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart outcomes">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        '<g font-family="system-ui, sans-serif" font-size="12">',
    ]
    for tick in OUTCOME_TICKS:
        tick_y = _fmt(to_y(tick))
        parts.append(
            f'<line x1="{_fmt(left)}" y1="{tick_y}" x2="{_fmt(width - right)}" y2="{tick_y}" '
            'stroke="#dee2e6"/>'
            f'<text x="{_fmt(left - 6)}" y="{tick_y}" dy="4" text-anchor="end" fill="#495057">'
            f"{tick}</text>"
        )
    for index, (attribute, label, dash, shape) in enumerate(OUTCOME_SERIES):
        colour = PALETTE[index % len(PALETTE)]
        given: list[tuple[OutcomesPoint, float]] = [
            (point, value) for point in points if (value := getattr(point, attribute)) is not None
        ]
        coords = [(to_x(point.x), to_y(value)) for point, value in given]
        parts.append(f'<g class="series" data-series="{attribute}">')
        if len(coords) > 1:
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{_points(coords)}" fill="none" stroke="{colour}" '
                f'stroke-width="2.5"{dash_attr}/>'
            )
        for (x, y), (point, value) in zip(coords, given, strict=True):
            parts.append(_marker(shape, x, y, colour, f"{label}, {point.label}: {_score(value)}"))
        parts.append("</g>")
    parts += _time_labels(
        [(to_x(point.x), point.label) for point in points], top=upper + plot_h, width=width
    )
    legend_y = height - 12
    parts.append(f'<g class="legend" transform="translate({_fmt(left)} {_fmt(legend_y)})">')
    for index, (_, label, dash, shape) in enumerate(OUTCOME_SERIES):
        colour = PALETTE[index % len(PALETTE)]
        x = 140 * index
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x}" y1="0" x2="{x + 36}" y2="0" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
            + _marker(shape, x + 18, 0, colour)
            + f'<text x="{x + 44}" y="4">{escape(label)}</text>'
        )
    parts.append("</g>")
    parts.append("</g></svg>")
    return "\n".join(parts)


LEVEL_SHADES = 5


def level_shade(value: int, levels: Sequence[int]) -> int:
    """Which of the five level shades marks `value` among a model's `levels`: the floor
    the lightest (0), the top the darkest (4), the levels between spread evenly, for any
    range of levels. The colours are app.css's `.level-shade-N` (ColorBrewer YlGnBu, a
    sequential ramp that reads for colour-blind people and in grey print)."""
    ordered = sorted(levels)
    position = min(bisect_left(ordered, value), len(ordered) - 1)
    return math.floor(position * (LEVEL_SHADES - 1) / max(len(ordered) - 1, 1) + 0.5)


def distribution_svg(
    counts: Sequence[tuple[str, int]], *, title: str, chart_id: str, width: float = 320
) -> str:
    """One stacked bar: how many teams sit at each level, floor on the left."""
    height, total = 28.0, sum(count for _, count in counts)
    desc = ", ".join(f"{label}: {count}" for label, count in counts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart distribution" '
        'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect width="{_fmt(width)}" height="{_fmt(height)}" fill="none" stroke="#adb5bd"/>',
    ]
    x = 0.0
    positions = range(len(counts))
    for position, (label, count) in enumerate(counts):
        if not count:
            continue
        share = width * count / total
        parts.append(
            f'<g class="level-shade-{level_shade(position, positions)}">'
            f'<rect x="{_fmt(x)}" width="{_fmt(share)}" height="{_fmt(height)}" stroke="#fff">'
            f"<title>{escape(f'{label}: {count}')}</title></rect>"
        )
        if share >= 16:
            parts.append(
                f'<text x="{_fmt(x + share / 2)}" y="19" text-anchor="middle">{count}</text>'
            )
        parts.append("</g>")
        x += share
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class ScatterPoint:
    label: str
    x: float
    y: float


def scatter_svg(
    points: Sequence[ScatterPoint],
    *,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    x_label: str,
    y_label: str,
    title: str,
    chart_id: str = "scatter",
    width: float = 480,
    height: float = 300,
) -> str:
    """One dot per point on two axes, each named and numbered at its ends; each dot's
    label shows on hover and in the description."""
    left, right, upper, lower = 50.0, 20.0, 15.0, 45.0
    plot_w, plot_h = width - left - right, height - upper - lower

    def scale(value: float, low: float, high: float) -> float:
        return (min(max(value, low), high) - low) / (high - low)

    def to_x(value: float) -> float:
        return left + plot_w * scale(value, *x_range)

    def to_y(value: float) -> float:
        return upper + plot_h * (1 - scale(value, *y_range))

    desc = "; ".join(f"{point.label}: {_score(point.x)} and {_score(point.y)}" for point in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart scatter">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(f"{x_label} and {y_label}: {desc}")}</desc>',
        '<g font-family="system-ui, sans-serif" font-size="12" fill="#495057">',
        f'<rect x="{_fmt(left)}" y="{_fmt(upper)}" width="{_fmt(plot_w)}" '
        f'height="{_fmt(plot_h)}" fill="none" stroke="#adb5bd"/>',
    ]
    for value in x_range:
        parts.append(
            f'<text x="{_fmt(to_x(value))}" y="{_fmt(upper + plot_h + 16)}" '
            f'text-anchor="middle">{_score(value)}</text>'
        )
    for value in y_range:
        parts.append(
            f'<text x="{_fmt(left - 6)}" y="{_fmt(to_y(value))}" dy="4" '
            f'text-anchor="end">{_score(value)}</text>'
        )
    parts.append(
        f'<text x="{_fmt(left + plot_w / 2)}" y="{_fmt(height - 8)}" '
        f'text-anchor="middle">{escape(x_label)}</text>'
        f'<text transform="translate(14 {_fmt(upper + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle">{escape(y_label)}</text>'
    )
    for point in points:
        parts.append(
            f'<circle cx="{_fmt(to_x(point.x))}" cy="{_fmt(to_y(point.y))}" r="5" '
            f'fill="{PALETTE[0]}" fill-opacity="0.7">'
            f"<title>{escape(f'{point.label}: {_score(point.x)}, {_score(point.y)}')}</title>"
            "</circle>"
        )
    parts.append("</g></svg>")
    return "\n".join(parts)
