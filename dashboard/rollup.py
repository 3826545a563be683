"""The organisation as the dashboard walks it: the units a manager may see, and one
roll-up row per unit below the one shown, from the team rows and the scores counted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from statistics import fmean

from maturity import generation
from maturity.compiled import CompiledQuery
from teams.access import below
from teams.models import Unit

from .data import Column, Dashboard, TeamRow, group_of
from .stats import ScoreCounts

# Read on every view of the dashboard: compiled once per process (maturity.compiled).
EVERY_UNIT = CompiledQuery(
    lambda: Unit.objects.order_by("name").values_list("pk", "name", "slug", "parent_id")
)


UNITS_SECONDS = 5 * 60


@dataclass(frozen=True)
class UnitRow:
    pk: int
    name: str
    slug: str
    parent_id: int | None


def _every_unit() -> dict[int, UnitRow]:
    return {pk: UnitRow(pk, name, slug, parent) for pk, name, slug, parent in EVERY_UNIT.rows({})}


@dataclass(frozen=True)
class Units:
    """Every unit by id; `visible` are those the manager may see (None: all)."""

    by_pk: dict[int, UnitRow]
    visible: frozenset[int] | None

    @classmethod
    def load(cls, visible: frozenset[int] | None) -> Units:
        """Every unit (one query) with those the manager may see, kept under the data
        generation, which every write of a unit moves on (its callers change nothing)."""
        seen = None if visible is None else sorted(visible)
        return generation.cached("units", seen, lambda: cls(_every_unit(), visible), UNITS_SECONDS)

    @cached_property
    def choices(self) -> list[tuple[str, str]]:
        """(slug, path label) of each visible unit, by label: the dashboard's unit filter."""
        labelled = [(unit.slug, self.path_label(unit)) for unit in self.shown()]
        labelled.sort(key=lambda choice: choice[1].casefold())
        return labelled

    def _sees(self, pk: int | None) -> bool:
        return pk is not None and (self.visible is None or pk in self.visible)

    def subtree(self, unit: UnitRow) -> frozenset[int]:
        """The unit and every unit below it."""
        return below([unit.pk], {pk: row.parent_id for pk, row in self.by_pk.items()})

    def children(self, unit: UnitRow | None) -> list[UnitRow]:
        """The visible units right below `unit`; below None, the visible units whose
        parent is not visible (the tops of what the manager sees)."""
        if unit is None:
            return [row for row in self.shown() if not self._sees(row.parent_id)]
        return [row for row in self.shown() if row.parent_id == unit.pk]

    def trail(self, unit: UnitRow) -> list[UnitRow]:
        """The visible units from the top down to `unit`."""
        found = []
        current: UnitRow | None = unit
        while current is not None and self._sees(current.pk) and current not in found:
            found.append(current)
            current = self.by_pk.get(current.parent_id) if current.parent_id else None
        return found[::-1]

    def shown(self) -> list[UnitRow]:
        """The visible units, by name."""
        return [row for pk, row in self.by_pk.items() if self._sees(pk)]

    def by_slug(self, slug: str) -> UnitRow | None:
        return next((row for row in self.shown() if row.slug == slug), None)

    def path_label(self, unit: UnitRow) -> str:
        return " / ".join(row.name for row in self.trail(unit))


@dataclass(frozen=True)
class Rollup:
    """The teams of one unit and every unit below it (`unit` None: the teams right in
    the unit shown, or in no unit at the top)."""

    unit: UnitRow | None
    teams: int
    assessed: int
    overall_mean: float | None
    means: list[float | None]  # per column
    medians: list[float | None]  # per column
    overdue: int

    @property
    def overdue_share(self) -> float:
        return self.overdue / self.teams if self.teams else 0.0


def rollup(
    unit: UnitRow | None,
    rows: Sequence[TeamRow],
    columns: Sequence[Column],
    counts: Mapping[str, ScoreCounts],
) -> Rollup:
    """The roll-up of `rows`, whose latest scores are `counts` by category slug."""
    assessed = [row for row in rows if row.assessed]
    overalls = [row.overall for row in assessed if row.overall is not None]
    per_column = [counts.get(column.slug, ScoreCounts()) for column in columns]
    return Rollup(
        unit,
        teams=len(rows),
        assessed=len(assessed),
        overall_mean=fmean(overalls) if overalls else None,
        means=[counted.mean() for counted in per_column],
        medians=[counted.median() for counted in per_column],
        overdue=sum(row.overdue for row in rows),
    )


def groups(units: Units, current: UnitRow | None) -> dict[int, frozenset[int]]:
    """The roll-up rows below `current`, by key (a visible unit right below `current`),
    with the units each counts: the unit and every unit below it. The visible units
    include every unit below one, so no unit is in two rows; the teams in none make one
    more row, keyed None."""
    return {child.pk: units.subtree(child) for child in units.children(current)}


def rollups(units: Units, current: UnitRow | None, dashboard: Dashboard) -> list[Rollup]:
    """A row per visible unit right below `current` with the teams of its subtree, then
    one for the teams right in `current` (or in no visible unit), when there are any; the
    dashboard's scores are counted by these groups (load_dashboard)."""
    children = units.children(current)
    grouped = groups(units, current)
    rows: dict[int | None, list[TeamRow]] = {child.pk: [] for child in children}
    for row in dashboard.rows:
        rows.setdefault(group_of(grouped, row.team.unit_id), []).append(row)
    found = [
        rollup(child, rows[child.pk], dashboard.columns, dashboard.counts.get(child.pk, {}))
        for child in children
    ]
    if rows.get(None) and found:
        found.append(rollup(None, rows[None], dashboard.columns, dashboard.counts.get(None, {})))
    return found
