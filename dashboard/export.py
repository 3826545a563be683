"""The dashboard as a CSV file that spreadsheets open safely."""

from __future__ import annotations

from assessments import scoring

from .data import Dashboard
from .rollup import Units

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str | float | None) -> str | float:
    """A CSV cell that a spreadsheet will not run as a formula: text starting with
    = + - @ (or a tab or carriage return) gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(dashboard: Dashboard, units: Units) -> list[list[str | float]]:
    """A header, then one row per team: latest scores per category and overall, then
    (last, so the columns before them keep their places) the members' agreement in
    percent, the delivery outcomes on DORA's Quick Check scale, the checks fired and the
    number of targets behind (empty without targets in the model's categories), the
    team's unit and whether it is overdue for an assessment (yes or no)."""
    header = ["team", "team_slug", "model", "model_version", "submitted_at", "overall"]
    header += [column.name for column in dashboard.columns]
    header += ["agreement", "throughput", "instability", "outcomes", "checks_fired"]
    header += ["targets_behind", "unit", "overdue"]
    table: list[list[str | float]] = [[neutralise(cell) for cell in header]]
    for row in sorted(dashboard.rows, key=lambda row: row.team.name.casefold()):
        shown = [
            row.team.name,
            row.team.slug,
            dashboard.model.slug,
            dashboard.model.version,
            row.submitted_at.date().isoformat() if row.submitted_at else "",
            _shown(row.overall),
        ]
        for column in dashboard.columns:
            cell = row.cell(column.slug)
            shown.append(_shown(cell.score if cell else None))
        shown.append(_percent(row.agreement))
        outcomes = row.outcomes
        shown += [
            _shown(outcomes.throughput if outcomes else None),
            _shown(outcomes.instability if outcomes else None),
            _shown(outcomes.overall if outcomes else None),
            row.checks,
            row.targets.behind if row.targets else None,
            unit.name if (unit := units.by_pk.get(row.team.unit_id or 0)) else None,
            "yes" if row.overdue else "no",
        ]
        table.append([neutralise(cell) for cell in shown])
    return table


def _shown(score: float | None) -> float | None:
    return None if score is None else scoring.rounded(score)


def _percent(share: float | None) -> float | None:
    """A share of 0..1 as a percentage with one decimal (0.835 -> 83.5)."""
    return None if share is None else round(share * 100, 1)
