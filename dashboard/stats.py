"""Pure functions over the dashboard's rows: sorting, distribution, means, quarters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean, median
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import Column, Dashboard, TeamRow


@dataclass(frozen=True)
class Distribution:
    column: Column
    counts: list[tuple[int, int]]  # (level value, number of teams), floor first
    median: float | None


def sort_rows(rows: Iterable[TeamRow], key: str, descending: bool) -> list[TeamRow]:
    """Rows ordered by "team", "overall", "date", "change", "agreement", "throughput",
    "instability", "checks", "targets" or a category slug; teams without a value always
    come last, then by name. "targets" sorts by the number of targets behind (descending:
    the most behind first), whatever the share on track: a target behind is what asks
    for a conversation; teams without targets have no value."""

    def value(row: TeamRow) -> float | str | datetime | None:
        if key == "team":
            return row.team.name.casefold()
        if key == "overall":
            return row.overall
        if key == "date":
            return row.submitted_at
        if key == "change":
            return row.change
        if key in ("agreement", "throughput", "instability"):
            return getattr(row, key)  # type: ignore[no-any-return]
        if key == "checks":
            return row.checks if row.assessed else None
        if key == "targets":
            return row.targets.behind if row.targets else None
        cell = row.cell(key)
        return cell.score if cell else None

    rows = sorted(rows, key=lambda row: row.team.name.casefold())
    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    present.sort(key=value, reverse=descending)  # type: ignore[arg-type]
    return present + missing


def distributions(dashboard: Dashboard, levels: Sequence[int]) -> list[Distribution]:
    """Per category: how many assessed teams sit at each level, and the median score."""
    assessed = dashboard.assessed()
    found = []
    for column in dashboard.columns:
        levels_held = [cell.level for row in assessed if (cell := row.cell(column.slug))]
        counts = [(level, levels_held.count(level)) for level in levels]
        scored = scores_of(assessed, column)  # n/a is not scored
        found.append(Distribution(column, counts, median(scored) if scored else None))
    return found


def bottleneck(found: Iterable[Distribution]) -> Distribution | None:
    """The category with the lowest median score (ties: the earlier category)."""
    scored = [item for item in found if item.median is not None]
    return min(scored, key=lambda item: (item.median, item.column.order), default=None)


def scores_of(rows: Iterable[TeamRow], column: Column) -> list[float]:
    """The rows' scores in a category, leaving out rows that did not score it."""
    return [
        cell.score for row in rows if (cell := row.cell(column.slug)) and cell.score is not None
    ]


def category_means(dashboard: Dashboard) -> list[float | None]:
    """The mean score per category, over the teams that scored it."""
    assessed = dashboard.assessed()
    means = []
    for column in dashboard.columns:
        scores = scores_of(assessed, column)
        means.append(fmean(scores) if scores else None)
    return means


TREND_QUARTERS = 8


def quarter_start(moment: datetime, back: int = 0) -> datetime:
    """Midnight on the first day of `moment`'s quarter, or of the quarter `back` before."""
    index = moment.year * 4 + (moment.month - 1) // 3 - back
    return moment.replace(
        year=index // 4, month=index % 4 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def quarter_label(quarter: datetime) -> str:
    return f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"
