"""What the dashboard reads from the database: every team's latest results for one
model, the active models and the quarterly trend, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean

from django.db.models import Avg

from assessments import dora, scoring
from assessments.models import Assessment, CategoryResult
from maturity.models import Category, Level, MaturityModel
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


def load_dashboard(model: MaturityModel, since: datetime | None) -> Dashboard:
    """Each team's latest and previous results for `model`, with the members' agreement,
    the delivery outcomes and the number of fired checks of the latest (three queries).

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
    for team_id, found in assessments.items():
        (submitted_at, latest), *older = sorted(found, reverse=True)
        row = rows.get(team_id)
        if row is None or (since is not None and submitted_at < since):
            continue
        row.assessment_id, row.submitted_at = latest, submitted_at
        row.cells = scores[latest]
        row.overall = scoring.overall(cell.score for cell in row.cells.values())
        row.agreement = mean_agreement(row.cells.values())
        given = {metric: value for metric, value in delivered[latest].items() if value is not None}
        row.outcomes = dora.scores(given) if given else None
        row.checks = fired[latest]
        if older:
            row.previous_overall = scoring.overall(c.score for c in scores[older[0][1]].values())
    return Dashboard(model, columns, list(rows.values()))


def quarterly_trend(model: MaturityModel, now: datetime) -> list[tuple[datetime, float]]:
    """The mean overall score per quarter over the last two years (this quarter and the
    seven before), from each team's latest assessment in that quarter (one query)."""
    since = quarter_start(now, back=TREND_QUARTERS - 1)
    submitted = (
        Assessment.objects.submitted()
        .filter(model=model, submitted_at__gte=since)
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
    """The active models with two levels or more, each with its levels (one query)."""
    levels = (
        Level.objects.filter(model__is_active=True)
        .select_related("model")
        .order_by("model__slug", "model__version", "value")
    )
    found: dict[int, ActiveModel] = {}
    for level in levels:
        entry = found.setdefault(level.model_id, ActiveModel(level.model, []))
        entry.levels.append((level.value, level.name))
    return [active for active in found.values() if len(active.levels) >= 2]
