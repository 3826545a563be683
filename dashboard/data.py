"""What the dashboard reads from the database: every team's latest results and targets
for one model, the active models and the quarterly trend, each in a fixed number of
queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean
from typing import Any

from django.db.models import Avg, QuerySet
from django.utils import timezone

from assessments import dora, scoring
from assessments.cadence import with_last_submitted
from assessments.models import Assessment, CategoryResult
from maturity.models import Category, Level, MaturityModel
from planning import progress
from planning.models import Target
from teams.models import Team

from .stats import TREND_QUARTERS, quarter_start


@dataclass(frozen=True)
class Column:
    slug: str
    name: str
    order: int


@dataclass(frozen=True)
class Cell:
    level: int | None  # None: not scored (every practice not applicable)
    score: float | None
    agreement: float | None = None  # None: no practice had two members' votes


def mean_agreement(cells: Iterable[Cell]) -> float | None:
    """A team's agreement: the mean of its categories' agreements where there is one;
    None when no category has one."""
    shares = [cell.agreement for cell in cells if cell.agreement is not None]
    return fmean(shares) if shares else None


@dataclass(frozen=True)
class TargetsState:
    """How a team's targets in the model's categories stand: on track (reached, or due
    date not passed) or behind (due date passed without reaching it); see
    planning.progress.on_track."""

    on_track: int
    behind: int

    @property
    def total(self) -> int:
        return self.on_track + self.behind


def targets_state(
    targets: Iterable[tuple[str, int, date]], latest: dict[str, Cell], today: date
) -> TargetsState | None:
    """The state of a team's targets, as (category slug, level, due), against its latest
    cells by slug; a category not scored or not in the latest result has no level, so
    its target is behind only once its due date has passed. None without targets."""
    found = [
        progress.on_track(level, due, cell.level if (cell := latest.get(slug)) else None, today)
        for slug, level, due in targets
    ]
    if not found:
        return None
    on_track = sum(found)
    return TargetsState(on_track, len(found) - on_track)


@dataclass
class TeamRow:
    team: Team
    assessment_id: int | None = None
    submitted_at: datetime | None = None
    cells: dict[str, Cell] = field(default_factory=dict)  # by category slug
    overall: float | None = None
    previous_overall: float | None = None
    agreement: float | None = None  # of the latest assessment: see mean_agreement
    outcomes: dora.Scores | None = None  # the latest assessment's, when it gave any
    checks: int = 0  # how many checks fired on the latest assessment
    targets: TargetsState | None = None  # None: no target in the model's categories
    overdue: bool = False  # its cadence has passed since its last submission, any model

    @property
    def assessed(self) -> bool:
        return self.assessment_id is not None

    @property
    def throughput(self) -> float | None:
        return self.outcomes.throughput if self.outcomes else None

    @property
    def instability(self) -> float | None:
        return self.outcomes.instability if self.outcomes else None

    @property
    def change(self) -> float | None:
        """The change of the overall score since the previous assessment, as shown."""
        return scoring.change(self.overall, self.previous_overall)

    def cell(self, slug: str) -> Cell | None:
        return self.cells.get(slug)


@dataclass(frozen=True)
class Dashboard:
    model: MaturityModel
    columns: list[Column]
    rows: list[TeamRow]

    def assessed(self) -> list[TeamRow]:
        return [row for row in self.rows if row.assessed]


def load_dashboard(
    model: MaturityModel,
    since: datetime | None,
    teams: QuerySet[Team],
    today: date | None = None,
) -> Dashboard:
    """Each of `teams` with its latest and previous results for `model`, the members'
    agreement, the delivery outcomes and the number of fired checks of the latest,
    whether it is overdue, and the state of its targets in the model's categories on
    `today` (default: the local date) (four queries).

    A team whose latest assessment is older than `since` is listed as not assessed; its
    targets are still judged against that latest assessment, which is what the team has
    reached whatever the period shown.
    """
    columns = [
        Column(category.slug, category.name, category.order)
        for category in Category.objects.filter(model=model, is_active=True).order_by("order", "id")
    ]
    shown = teams.values("pk")
    rows = {
        team.pk: TeamRow(team, overdue=team.is_overdue)
        for team in with_last_submitted(teams.select_related("unit").order_by("name"))
    }
    latest_two = (
        Assessment.objects.filter(model=model, team__in=shown).latest_per_team(depth=2).values("pk")
    )
    scores: dict[int, dict[str, Cell]] = {}
    assessments: dict[int, list[tuple[datetime, int]]] = {}
    delivered: dict[int, dict[str, int | None]] = {}
    fired: dict[int, int] = {}
    results = CategoryResult.objects.filter(assessment__in=latest_two).values_list(
        "assessment_id",
        "assessment__team_id",
        "assessment__submitted_at",
        "category__slug",
        "level",
        "score",
        "agreement",
        "assessment__record__checks",
        *(f"assessment__delivery__{metric}" for metric in dora.METRICS),
    )
    for (
        assessment_id,
        team_id,
        submitted_at,
        slug,
        level,
        score,
        agreed,
        checks,
        *metrics,
    ) in results:
        if assessment_id not in scores:
            assert submitted_at is not None  # latest_two holds submitted assessments only
            assessments.setdefault(team_id, []).append((submitted_at, assessment_id))
            delivered[assessment_id] = dict(zip(dora.METRICS, metrics, strict=True))
            fired[assessment_id] = len(checks or [])
        scores.setdefault(assessment_id, {})[slug] = Cell(level, score, agreed)
    latest_cells: dict[int, dict[str, Cell]] = {}  # by team: its latest result's cells
    for team_id, found in assessments.items():
        (submitted_at, latest), *older = sorted(found, reverse=True)
        latest_cells[team_id] = scores[latest]
        row = rows.get(team_id)
        if row is None or (since is not None and submitted_at < since):
            continue
        row.assessment_id, row.submitted_at = latest, submitted_at
        row.cells = scores[latest]
        row.overall = scoring.overall(cell.score for cell in row.cells.values())
        row.agreement = mean_agreement(row.cells.values())
        row.outcomes = dora.outcomes(delivered[latest])
        row.checks = fired[latest]
        if older:
            row.previous_overall = scoring.overall(c.score for c in scores[older[0][1]].values())
    _add_targets(rows, shown, [column.slug for column in columns], latest_cells, today)
    return Dashboard(model, columns, list(rows.values()))


def _add_targets(
    rows: dict[int, TeamRow],
    teams: QuerySet[Team, Any],
    slugs: list[str],
    latest_cells: dict[int, dict[str, Cell]],
    today: date | None,
) -> None:
    """Set each row's targets state from the listed teams' targets in the categories
    `slugs` (one query, a subquery for the teams rather than a list of their ids)."""
    found: dict[int, list[tuple[str, int, date]]] = {}
    targets = Target.objects.filter(team__in=teams, category__in=slugs).values_list(
        "team_id", "category", "level", "due"
    )
    for team_id, slug, level, due in targets:
        found.setdefault(team_id, []).append((slug, level, due))
    day = today or timezone.localdate()
    for team_id, team_targets in found.items():
        row = rows.get(team_id)
        if row is not None:  # a team created since the teams were read waits for next time
            row.targets = targets_state(team_targets, latest_cells.get(team_id, {}), day)


def quarterly_trend(
    model: MaturityModel, now: datetime, teams: QuerySet[Team]
) -> list[tuple[datetime, float]]:
    """The mean overall score of `teams` per quarter over the last two years (this quarter
    and the seven before), from each team's latest assessment in that quarter (one query)."""
    since = quarter_start(now, back=TREND_QUARTERS - 1)
    submitted = (
        Assessment.objects.submitted()
        .filter(model=model, submitted_at__gte=since, team__in=teams.values("pk"))
        .annotate(overall=Avg("results__score"))
        .order_by("submitted_at", "pk")
        .values_list("team_id", "submitted_at", "overall")
    )
    latest: dict[tuple[int, datetime], float | None] = {}
    for team_id, submitted_at, overall in submitted:
        assert submitted_at is not None  # filtered on submitted_at__gte
        latest[team_id, quarter_start(submitted_at)] = overall  # a later one replaces it
    by_quarter: dict[datetime, list[float]] = {}
    for (_, quarter), overall in latest.items():
        if overall is not None:
            by_quarter.setdefault(quarter, []).append(overall)
    return [(quarter, fmean(values)) for quarter, values in sorted(by_quarter.items())]


@dataclass(frozen=True)
class ActiveModel:
    model: MaturityModel
    levels: list[tuple[int, str]]  # (value, name), floor first


def active_models() -> list[ActiveModel]:
    """The models teams can be assessed on (MaturityModelQuerySet.ready: active, two
    levels or more, a practice to answer), each with its levels (one query)."""
    levels = (
        Level.objects.filter(model__in=MaturityModel.objects.ready().values("pk"))
        .select_related("model")
        .order_by("model__slug", "model__version", "value")
    )
    found: dict[int, ActiveModel] = {}
    for level in levels:
        entry = found.setdefault(level.model_id, ActiveModel(level.model, []))
        entry.levels.append((level.value, level.name))
    return list(found.values())
