"""The managers' dashboard: every team's latest result for one model, side by side.

`load_dashboard` fetches everything in a fixed number of queries; the rest are pure
functions over its plain rows (sorting, distribution, means), tested directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean, median

from django.db.models import Count, Max, OuterRef, Subquery, Value
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import mark_safe

from maturity.models import Category, Level, MaturityModel

from . import charts, scoring
from .display import change_text, level_css, score_text
from .forms import DashboardForm, OverlayForm
from .models import Assessment, CategoryResult, Team


@dataclass(frozen=True)
class Column:
    slug: str
    name: str
    order: int


@dataclass(frozen=True)
class Cell:
    level: int
    score: float


@dataclass
class TeamRow:
    team: Team
    assessment_id: int | None = None
    submitted_at: datetime | None = None
    cells: dict[str, Cell] = field(default_factory=dict)  # by category slug
    overall: float | None = None
    previous_overall: float | None = None

    @property
    def assessed(self) -> bool:
        return self.assessment_id is not None

    @property
    def change(self) -> float | None:
        """The change of the overall score since the previous assessment, as shown."""
        if self.overall is None or self.previous_overall is None:
            return None
        return scoring.rounded(
            scoring.rounded(self.overall) - scoring.rounded(self.previous_overall)
        )

    def cell(self, slug: str) -> Cell | None:
        return self.cells.get(slug)


@dataclass(frozen=True)
class HeatCell:
    text: str
    css: str
    level: int | None


@dataclass(frozen=True)
class HeatRow:
    """A team's row as the heatmap shows it, formatted once here rather than per cell in
    the template (the page has hundreds of cells)."""

    row: TeamRow
    overall: str
    change: str
    cells: list[HeatCell]


def heat_rows(rows: Iterable[TeamRow], columns: Sequence[Column]) -> list[HeatRow]:
    shown = []
    for row in rows:
        cells = []
        for column in columns:
            cell = row.cell(column.slug)
            level = cell.level if cell else None
            cells.append(
                HeatCell(score_text(cell.score if cell else None), level_css(level), level)
            )
        shown.append(HeatRow(row, score_text(row.overall), change_text(row.change), cells))
    return shown


@dataclass(frozen=True)
class Distribution:
    column: Column
    counts: list[tuple[int, int]]  # (level value, number of teams), floor first
    median: float | None


@dataclass(frozen=True)
class Dashboard:
    model: MaturityModel
    columns: list[Column]
    rows: list[TeamRow]

    def assessed(self) -> list[TeamRow]:
        return [row for row in self.rows if row.assessed]


def load_dashboard(model: MaturityModel, since: datetime | None) -> Dashboard:
    """Each team's latest and previous results for `model` (three queries).

    A team whose latest assessment is older than `since` is listed as not assessed.
    """
    columns = [
        Column(category.slug, category.name, category.order)
        for category in Category.objects.filter(model=model, is_active=True).order_by("order", "id")
    ]
    rows = {team.pk: TeamRow(team) for team in Team.objects.order_by("name")}
    latest_two = Assessment.objects.filter(model=model).latest_per_team(depth=2).values("pk")
    scores: dict[int, dict[str, Cell]] = {}
    assessments: dict[int, list[tuple[datetime, int]]] = {}
    results = CategoryResult.objects.filter(assessment__in=latest_two).values_list(
        "assessment_id",
        "assessment__team_id",
        "assessment__submitted_at",
        "category__slug",
        "level",
        "score",
    )
    for assessment_id, team_id, submitted_at, slug, level, score in results:
        if assessment_id not in scores:
            assessments.setdefault(team_id, []).append((submitted_at, assessment_id))
        scores.setdefault(assessment_id, {})[slug] = Cell(level, score)
    for team_id, found in assessments.items():
        (submitted_at, latest), *older = sorted(found, reverse=True)
        row = rows.get(team_id)
        if row is None or (since is not None and submitted_at < since):
            continue
        row.assessment_id, row.submitted_at = latest, submitted_at
        row.cells = scores[latest]
        row.overall = scoring.overall(cell.score for cell in row.cells.values())
        if older:
            row.previous_overall = scoring.overall(c.score for c in scores[older[0][1]].values())
    return Dashboard(model, columns, list(rows.values()))


def sort_rows(rows: Iterable[TeamRow], key: str, descending: bool) -> list[TeamRow]:
    """Rows ordered by "team", "overall", "date", "change" or a category slug; teams
    without a value always come last, then by name."""

    def value(row: TeamRow) -> float | str | datetime | None:
        if key == "team":
            return row.team.name.casefold()
        if key == "overall":
            return row.overall
        if key == "date":
            return row.submitted_at
        if key == "change":
            return row.change
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
        cells = [cell for row in assessed if (cell := row.cell(column.slug))]
        counts = [(level, sum(1 for cell in cells if cell.level == level)) for level in levels]
        found.append(
            Distribution(column, counts, median(c.score for c in cells) if cells else None)
        )
    return found


def bottleneck(found: Iterable[Distribution]) -> Distribution | None:
    """The category with the lowest median score (ties: the earlier category)."""
    scored = [item for item in found if item.median is not None]
    return min(scored, key=lambda item: (item.median, item.column.order), default=None)


def category_means(dashboard: Dashboard) -> list[float | None]:
    """The organisation's mean score per category, over the assessed teams."""
    assessed = dashboard.assessed()
    means = []
    for column in dashboard.columns:
        scores = [cell.score for row in assessed if (cell := row.cell(column.slug))]
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


def quarterly_trend(model: MaturityModel, now: datetime) -> list[tuple[datetime, float]]:
    """The mean overall score per quarter over the last two years (this quarter and the
    seven before), from each team's latest assessment in that quarter (one query)."""
    since = quarter_start(now, back=TREND_QUARTERS - 1)
    per_team = (
        Assessment.objects.filter(model=model, submitted_at__gte=since)
        .latest_per_team_and_quarter()
        .values_list("quarter", "overall")
    )
    by_quarter: dict[datetime, list[float]] = {}
    for quarter, overall in per_team:
        if overall is not None:
            by_quarter.setdefault(quarter, []).append(overall)
    return [(quarter, fmean(values)) for quarter, values in sorted(by_quarter.items())]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str | float | None) -> str | float:
    """A CSV cell that a spreadsheet will not run as a formula: text starting with
    = + - @ (or a tab or carriage return) gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(dashboard: Dashboard) -> list[list[str | float]]:
    """A header, then one row per team: latest scores per category and overall."""
    header = ["team", "team_slug", "model", "model_version", "submitted_at", "overall"]
    header += [column.name for column in dashboard.columns]
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
        table.append([neutralise(cell) for cell in shown])
    return table


def _shown(score: float | None) -> float | None:
    return None if score is None else scoring.rounded(score)


@dataclass(frozen=True)
class ActiveModel:
    model: MaturityModel
    levels: list[tuple[int, str]]  # (value, name), floor first
    data_version: str  # changes when a team is added or edited, or an assessment submitted


def active_models() -> list[ActiveModel]:
    """The active models with two levels or more, each with its levels and a version of
    the data the dashboard shows of it (one query)."""
    submitted = Assessment.objects.submitted().filter(model=OuterRef("model")).order_by()
    teams = Team.objects.order_by().annotate(one=Value(1)).values("one")
    levels = (
        Level.objects.filter(model__is_active=True)
        .select_related("model")
        .annotate(
            submissions=Subquery(submitted.values("model").annotate(n=Count("pk")).values("n")),
            last_submitted=Subquery(submitted.order_by("-pk").values("pk")[:1]),
            teams=Subquery(teams.annotate(n=Count("pk")).values("n")),
            last_team=Subquery(teams.annotate(last=Max("pk")).values("last")),
            team_edited=Subquery(teams.annotate(last=Max("updated_at")).values("last")),
        )
        .order_by("model__slug", "model__version", "value")
    )
    found: dict[int, ActiveModel] = {}
    for level in levels:
        version = (
            f"{level.submissions}:{level.last_submitted}:{level.teams}:{level.last_team}:"
            f"{level.team_edited}"
        )
        entry = found.setdefault(level.model_id, ActiveModel(level.model, [], version))
        entry.levels.append((level.value, level.name))
    return [active for active in found.values() if len(active.levels) >= 2]


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    state: str  # aria-sort: "ascending", "descending" or "none"


def sort_links(
    query: QueryDict, columns: Sequence[tuple[str, str]], key: str, descending: bool
) -> list[SortLink]:
    """A link per column header that sorts by it, keeping the other filters; a second
    click on the sorted column reverses it."""
    links = []
    for column_key, label in columns:
        params = query.copy()
        params["sort"] = column_key
        params["dir"] = "asc" if column_key == key and descending else "desc"
        if column_key == "team" and column_key != key:
            params["dir"] = "asc"
        state = "none" if column_key != key else ("descending" if descending else "ascending")
        links.append(SortLink(column_key, label, f"?{params.urlencode()}", state))
    return links


FIXED_COLUMNS = [
    ("team", "Team"),
    ("overall", "Overall"),
    ("date", "Assessed"),
    ("change", "Change"),
]


def dashboard_context(
    active: ActiveModel, since: datetime | None, form: DashboardForm, query: QueryDict
) -> dict[str, object]:
    """Everything the dashboard's sections show (five queries). SVG from charts is
    marked safe as it is: charts escape every text they put in."""
    data = load_dashboard(active.model, since)
    sortable = FIXED_COLUMNS + [(column.slug, column.name) for column in data.columns]
    key, descending = form.sort_order({key for key, _ in sortable})
    links = {link.key: link for link in sort_links(query, sortable, key, descending)}
    assessed = data.assessed()
    overlay = OverlayForm(query or None, teams=[(row.team.slug, row.team.name) for row in assessed])
    chosen = overlay.chosen()
    found = distributions(data, [value for value, _ in active.levels])
    names = dict(active.levels)
    return {
        "form": form,
        "overlay": overlay,
        "chosen_teams": set(chosen) if overlay.is_valid() else set(query.getlist("teams")),
        "data": data,
        "rows": heat_rows(sort_rows(data.rows, key, descending), data.columns),
        "fixed_links": [links[key] for key, _ in FIXED_COLUMNS],
        "column_links": [links[column.slug] for column in data.columns],
        "levels": active.levels,
        "bottleneck": bottleneck(found),
        "distributions": [
            (
                item,
                mark_safe(
                    charts.distribution_svg(
                        [(f"{value} {names[value]}", count) for value, count in item.counts],
                        title=f"{item.column.name}: teams per level",
                        chart_id=f"dist-{item.column.slug}",
                    )
                ),
            )
            for item in found
        ],
        "radar": mark_safe(_overlay_radar(data, active.levels, chosen)) if assessed else "",
        "trend": mark_safe(_trend(data, active.levels)),
    }


def _overlay_radar(data: Dashboard, levels: list[tuple[int, str]], chosen: list[str]) -> str:
    floor = levels[0][0]
    means = [floor if mean is None else mean for mean in category_means(data)]
    series = [charts.Series("Organisation mean", means)]
    for row in data.assessed():
        if row.team.slug in chosen:
            values = [cell.score if (cell := row.cell(c.slug)) else floor for c in data.columns]
            series.append(charts.Series(row.team.name, values, dashed=True))
    axes = [column.name for column in data.columns]
    return charts.radar_svg(axes, levels, series, title="Organisation mean and selected teams")


def _trend(data: Dashboard, levels: list[tuple[int, str]]) -> str:
    points = [
        charts.TrendPoint(quarter.toordinal(), mean, quarter_label(quarter))
        for quarter, mean in quarterly_trend(data.model, timezone.now())
    ]
    return charts.trend_svg(points, levels, title="Organisation mean overall score per quarter")
