"""What the dashboard page shows: the heatmap rows, sort links and charts, built from
the data and the filters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessments import charts
from assessments.display import agreement_text, change_css, change_text, level_css, score_text

from .data import (
    ActiveModel,
    Column,
    Dashboard,
    TargetsState,
    TeamRow,
    add_checks,
    add_details,
    load_dashboard,
    quarterly_trend,
)
from .forms import OverlayForm, Selection
from .rollup import Rollup, groups, rollups
from .stats import bottleneck, category_means, distributions, quarter_label, sort_rows

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from teams.models import Team


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
    change_css: str  # colours a rise or a drop
    cells: list[HeatCell]
    agreement: str
    throughput: str
    instability: str
    targets: str  # "2 on track", "1 behind of 3"; a dash without targets
    targets_css: str  # the badge's classes; empty without targets


def targets_text(state: TargetsState | None) -> tuple[str, str]:
    """The targets cell's text and badge classes: all on track, or how many are behind."""
    if state is None:
        return "–", ""
    if state.behind:
        return f"{state.behind} behind of {state.total}", "badge text-bg-danger"
    return f"{state.on_track} on track", "badge text-bg-success"


def heat_rows(
    rows: Iterable[TeamRow], columns: Sequence[Column], levels: Sequence[int]
) -> list[HeatRow]:
    shown = []
    for row in rows:
        cells = []
        for column in columns:
            cell = row.cell(column.slug)
            level = cell.level if cell else None
            text = (
                "n/a" if cell and cell.score is None else score_text(cell.score if cell else None)
            )
            cells.append(HeatCell(text, level_css(level, levels), level))
        shown.append(
            HeatRow(
                row,
                score_text(row.overall),
                change_text(row.change),
                change_css(row.change),
                cells,
                agreement_text(row.agreement),
                score_text(row.throughput),
                score_text(row.instability),
                *targets_text(row.targets),
            )
        )
    return shown


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    state: str  # aria-sort: "ascending", "descending" or "none"


def sort_links(
    query: QueryDict, columns: Sequence[tuple[str, str]], key: str, descending: bool
) -> list[SortLink]:
    """A link per column header that sorts by it, keeping the other filters: first the
    team name A to Z and anything else highest first; a click on the column sorted
    reverses it. The page opens in team order without a sort asked for, and shows no
    column as sorted until one is."""
    asked = "sort" in query
    links = []
    for column_key, label in columns:
        params = query.copy()
        params.pop("page", None)  # a new order starts on the first page
        params["sort"] = column_key
        sorted_here = asked and column_key == key
        if sorted_here:
            params["dir"] = "asc" if descending else "desc"
        else:
            params["dir"] = "asc" if column_key == "team" else "desc"
        state = "none" if not sorted_here else ("descending" if descending else "ascending")
        links.append(SortLink(column_key, label, f"?{params.urlencode()}", state))
    return links


FIXED_COLUMNS = [
    ("team", "Team"),
    ("overall", "Overall"),
    ("date", "Assessed"),
    ("change", "Change"),
]
# After the categories: the members' agreement and the delivery outcomes of the latest,
# then the state of the team's targets.
TRAILING_COLUMNS = [
    ("agreement", "Agreement"),
    ("throughput", "Throughput"),
    ("instability", "Instability"),
    ("checks", "Checks fired"),
    ("targets", "Targets"),
]


@dataclass(frozen=True)
class RollupRow:
    """A unit's roll-up as the table shows it, with the link that opens the unit."""

    rollup: Rollup
    url: str
    overall: str
    cells: list[str]  # "mean (median)" per category
    overdue: str


def unit_link(query: QueryDict, slug: str | None) -> str:
    """The dashboard showing the unit `slug` (None: every team), keeping the filters
    but the overlay, whose teams may not be in that unit, and the page."""
    params = query.copy()
    params.pop("teams", None)
    params.pop("page", None)
    params.pop("unit", None)
    if slug:
        params["unit"] = slug
    return f"?{params.urlencode()}"


def rollup_rows(found: Iterable[Rollup], query: QueryDict) -> list[RollupRow]:
    return [
        RollupRow(
            rollup,
            unit_link(query, rollup.unit.slug) if rollup.unit else "",
            score_text(rollup.overall_mean),
            [
                f"{score_text(mean)} ({score_text(median)})" if mean is not None else "–"
                for mean, median in zip(rollup.means, rollup.medians, strict=True)
            ],
            f"{rollup.overdue} ({rollup.overdue_share:.0%})" if rollup.overdue else "0",
        )
        for rollup in found
    ]


# The sort keys whose values every row comes with (load_dashboard); to sort by another,
# what add_details reads (or the checks fired: add_checks) is read for every row, else
# for the rows shown only.
READ_WITH_THE_ROWS = frozenset({"team", "overall", "date", "throughput", "instability"})
PAGE_SIZE = 50  # heatmap rows per page
OVERDUE_SHOWN = 30  # teams named in the overdue list; the CSV has them all


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str  # empty for the gap between page numbers
    current: bool = False


def page_links(query: QueryDict, page: Page[TeamRow]) -> list[PageLink]:
    """Links to the heatmap's other pages, keeping the filters, the sort and the overlay:
    the previous and next page, the first and last, those near this one and gaps
    between; none when everything fits on one page."""
    if page.paginator.num_pages < 2:
        return []

    def link(number: int) -> str:
        params = query.copy()
        params["page"] = str(number)
        return f"?{params.urlencode()}"

    links = [PageLink("Previous", link(page.number - 1))] if page.has_previous() else []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if isinstance(number, int):
            links.append(PageLink(str(number), link(number), number == page.number))
        else:
            links.append(PageLink(str(number), ""))
    if page.has_next():
        links.append(PageLink("Next", link(page.number + 1)))
    return links


def dashboard_context(active: ActiveModel, selection: Selection) -> dict[str, object]:
    """Everything the dashboard's sections show (five queries): the heatmap one page at
    a time, in the order asked for; the roll-ups, distribution, charts and the overdue
    teams over every team shown; from the filters understood only, which the links keep.
    SVG from charts is marked safe as it is: charts escape every text they put in."""
    form, query = selection.form, selection.query
    model = active.model
    data = load_dashboard(
        model, selection.since, selection.teams, groups(selection.units, selection.unit)
    )
    sortable = [*FIXED_COLUMNS, *((c.slug, c.name) for c in data.columns), *TRAILING_COLUMNS]
    key, descending = form.sort_order({key for key, _ in sortable})
    links = {link.key: link for link in sort_links(query, sortable, key, descending)}
    details_to_sort = key not in READ_WITH_THE_ROWS and key != "checks"
    if key == "checks":
        add_checks(data.rows)
    if details_to_sort:
        add_details(data.rows)
    page = Paginator(sort_rows(data.rows, key, descending), PAGE_SIZE).get_page(form.page_number())
    assessed = data.assessed()
    asked = set(query.getlist("teams"))  # the form needs no other team to check them
    overlay = OverlayForm(
        query or None,
        teams=[(row.team.slug, row.team.name) for row in assessed if row.team.slug in asked],
    )
    chosen = overlay.chosen()
    chosen_teams = set(chosen) if overlay.is_valid() else set(query.getlist("teams"))
    if key != "checks":
        add_checks(page)
    on_radar = [row for row in assessed if row.team.slug in chosen]
    if not details_to_sort:  # the page's rows, and the teams the radar draws
        add_details([*page, *on_radar])
    level_values = [value for value, _ in active.levels]
    found = distributions(data, level_values)
    names = dict(active.levels)
    overdue = sorted(
        (row for row in data.rows if row.overdue),
        key=lambda row: row.team.next_due_at,
    )
    return {
        "form": form,
        "overlay": overlay,
        "overlay_teams": overlay_teams(page, assessed, chosen_teams),
        "chosen_teams": chosen_teams,
        "data": data,
        "page": page,
        "page_links": page_links(query, page),
        "rows": heat_rows(page, data.columns, level_values),
        "fixed_links": [links[key] for key, _ in FIXED_COLUMNS],
        "column_links": [links[column.slug] for column in data.columns],
        "trailing_links": [links[key] for key, _ in TRAILING_COLUMNS],
        "outcomes_chart": mark_safe(_maturity_against_throughput(assessed, active.levels)),
        "levels": active.levels,
        "level_values": level_values,
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
        "radar": mark_safe(_overlay_radar(data, active.levels, on_radar)) if assessed else "",
        "trend": mark_safe(_trend(data, active.levels, selection.teams)),
        "unit": selection.unit,
        "trail": [
            (unit.name, unit_link(query, unit.slug))
            for unit in (selection.units.trail(selection.unit) if selection.unit else [])
        ],
        "all_teams_link": unit_link(query, None),
        "rollups": rollup_rows(rollups(selection.units, selection.unit, data), query),
        "overdue": overdue[:OVERDUE_SHOWN],
        "overdue_count": len(overdue),
        "overdue_more": max(len(overdue) - OVERDUE_SHOWN, 0),
        "csv_link": reverse("dashboard_csv") + (f"?{query.urlencode()}" if query else ""),
    }


def overlay_teams(
    page: Iterable[TeamRow], assessed: Iterable[TeamRow], chosen: set[str]
) -> list[tuple[str, str]]:
    """The teams offered for the radar, as (slug, name): those chosen, then the other
    assessed teams of the page shown."""
    kept = [(row.team.slug, row.team.name) for row in assessed if row.team.slug in chosen]
    return kept + [
        (row.team.slug, row.team.name)
        for row in page
        if row.assessed and row.team.slug not in chosen
    ]


def _overlay_radar(
    data: Dashboard, levels: list[tuple[int, str]], chosen: Iterable[TeamRow]
) -> str:
    floor = levels[0][0]
    means = [floor if mean is None else mean for mean in category_means(data)]
    series = [charts.Series("Organisation mean", means)]
    for row in chosen:
        values = [
            cell.score if (cell := row.cell(c.slug)) and cell.score is not None else floor
            for c in data.columns
        ]
        series.append(charts.Series(row.team.name, values, dashed=True))
    axes = [column.name for column in data.columns]
    return charts.radar_svg(axes, levels, series, title="Organisation mean and selected teams")


SCATTER_DOTS = 150  # beyond as many teams, teams close together share a dot


def scatter_points(teams: Sequence[tuple[str, float, float]]) -> list[charts.ScatterPoint]:
    """A dot per team, as (name, overall, throughput); with more than SCATTER_DOTS teams,
    a dot per cell of a grid (a quarter of a level by one point of throughput) at the
    mean of its teams, named by the team when it holds one, else by their number."""
    if len(teams) <= SCATTER_DOTS:
        return [charts.ScatterPoint(*team) for team in teams]
    cells: dict[tuple[int, int], list[tuple[str, float, float]]] = {}
    for team in teams:
        cells.setdefault((round(team[1] * 4), round(team[2])), []).append(team)
    return [
        charts.ScatterPoint(
            members[0][0] if len(members) == 1 else f"{len(members)} teams",
            fmean(x for _, x, _ in members),
            fmean(y for _, _, y in members),
        )
        for members in cells.values()
    ]


def _maturity_against_throughput(assessed: Iterable[TeamRow], levels: list[tuple[int, str]]) -> str:
    teams = [
        (row.team.name, row.overall, throughput)
        for row in assessed
        if row.overall is not None and (throughput := row.throughput) is not None
    ]
    if not teams:
        return ""
    values = [value for value, _ in levels]
    each = "team" if len(teams) <= SCATTER_DOTS else "group of teams close together"
    return charts.scatter_svg(
        scatter_points(teams),
        x_range=(min(values), max(values)),
        y_range=(0.0, 10.0),
        x_label="Maturity (overall score)",
        y_label="Throughput (DORA's Quick Check, 0-10)",
        title=f"Maturity against delivery throughput, one dot per {each}",
    )


def _trend(data: Dashboard, levels: list[tuple[int, str]], teams: QuerySet[Team] | None) -> str:
    points = [
        charts.TrendPoint(quarter.toordinal(), mean, quarter_label(quarter))
        for quarter, mean in quarterly_trend(data.model, timezone.now(), teams)
    ]
    return charts.trend_svg(points, levels, title="Mean overall score per quarter")
