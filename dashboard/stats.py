"""Pure functions over the dashboard's rows and the scores counted in the database:
sorting, distribution, means, quarters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean, median
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import Column, Dashboard, TeamRow


@dataclass
class ScoreCounts:
    """The latest results of some teams in one category, counted: how many teams hold
    each (level, score); level and score are None for the teams that did not score it.
    The database counts them, so the dashboard reads a row per score held, not per team."""

    held: Counter[tuple[int | None, float | None]] = field(default_factory=Counter)

    def __add__(self, other: ScoreCounts) -> ScoreCounts:
        return ScoreCounts(self.held + other.held)

    def scores(self) -> list[float]:
        """A score per team that scored the category."""
        return [
            score
            for (_, score), teams in self.held.items()
            if score is not None
            for _ in range(teams)
        ]

    def at_level(self, level: int) -> int:
        """How many teams are at `level`."""
        return sum(teams for (held, _), teams in self.held.items() if held == level)

    def mean(self) -> float | None:
        scores = self.scores()
        return fmean(scores) if scores else None

    def median(self) -> float | None:
        scores = self.scores()
        return median(scores) if scores else None


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

    def name(row: TeamRow) -> str:
        return row.team.name.casefold()

    if key == "team":  # every team has a name: one sort does
        return sorted(rows, key=name, reverse=descending)

    def value(row: TeamRow) -> float | datetime | None:
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

    valued = [(value(row), row) for row in sorted(rows, key=name)]
    present = [(found, row) for found, row in valued if found is not None]
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [row for _, row in present] + [row for found, row in valued if found is None]


def distributions(dashboard: Dashboard, levels: Sequence[int]) -> list[Distribution]:
    """Per category: how many assessed teams sit at each level, and the median score."""
    found = []
    for column in dashboard.columns:
        counted = dashboard.counted(column.slug)
        counts = [(level, counted.at_level(level)) for level in levels]
        found.append(Distribution(column, counts, counted.median()))  # n/a is not scored
    return found


def bottleneck(found: Iterable[Distribution]) -> Distribution | None:
    """The category with the lowest median score (ties: the earlier category)."""
    scored = [item for item in found if item.median is not None]
    return min(scored, key=lambda item: (item.median, item.column.order), default=None)


def category_means(dashboard: Dashboard) -> list[float | None]:
    """The mean score per category, over the teams that scored it."""
    return [dashboard.counted(column.slug).mean() for column in dashboard.columns]


TREND_QUARTERS = 8


def quarter_start(moment: datetime, back: int = 0) -> datetime:
    """Midnight on the first day of `moment`'s quarter, or of the quarter `back` before."""
    index = moment.year * 4 + (moment.month - 1) // 3 - back
    return moment.replace(
        year=index // 4, month=index % 4 * 3 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def quarter_label(quarter: datetime) -> str:
    return f"Q{(quarter.month - 1) // 3 + 1} {quarter.year}"
