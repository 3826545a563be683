"""What the dashboard reads from the database: every team's latest results and targets
for one model, the checks fired of the rows shown, the active models and the quarterly
trend, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from statistics import fmean
from typing import NamedTuple

from django.db.models import Avg, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber, TruncQuarter
from django.utils import timezone

from assessments import dora, scoring
from assessments.cadence import with_last_submitted
from assessments.models import Assessment, CategoryResult
from maturity.models import Category, Level, MaturityModel
from planning import progress
from teams.models import Team

from .stats import TREND_QUARTERS, quarter_start


@dataclass(frozen=True)
class Column:
    slug: str
    name: str
    order: int


class Cell(NamedTuple):
    """A category's result in a team's latest assessment (a tuple: the dashboard holds
    one per team and category)."""

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


@cache
def throughput_of(*answers: int | None) -> float | None:
    """DORA's throughput of the answers to its throughput metrics, in dora.THROUGHPUT
    order: there are a few hundred possible answers, so each is worked out once."""
    scores = dora.outcomes(dict(zip(dora.THROUGHPUT, answers, strict=True)))
    return scores.throughput if scores else None


@dataclass
class TeamRow:
    team: Team
    assessment_id: int | None = None
    submitted_at: datetime | None = None
    cells: dict[str, Cell] = field(default_factory=dict)  # by category slug
    overall: float | None = None
    previous_overall: float | None = None
    agreement: float | None = None  # of the latest assessment: see mean_agreement
    metrics: dict[str, int | None] = field(default_factory=dict)  # the latest's delivery answers
    checks: int | None = None  # checks fired on the latest assessment, once read: add_checks
    targets: TargetsState | None = None  # None: no target in the model's categories
    overdue: bool = False  # its cadence has passed since its last submission, any model

    @property
    def assessed(self) -> bool:
        return self.assessment_id is not None

    @cached_property
    def outcomes(self) -> dora.Scores | None:
        """The latest assessment's delivery outcomes, when it gave any (worked out when
        first read: most rows need the throughput only)."""
        return dora.outcomes(self.metrics)

    @property
    def throughput(self) -> float | None:
        return throughput_of(*(self.metrics.get(metric) for metric in dora.THROUGHPUT))

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


@dataclass
class Latest:
    """One of a team's latest two assessments with its results (load_dashboard keeps the
    latest, with the overall score of the one before)."""

    team_id: int
    assessment_id: int
    submitted_at: datetime
    metrics: dict[str, int | None]  # its delivery metrics' answers
    cells: dict[str, Cell] = field(default_factory=dict)
    previous_overall: float | None = None  # of the team's assessment before this one


def load_dashboard(
    model: MaturityModel,
    since: datetime | None,
    teams: QuerySet[Team],
    today: date | None = None,
) -> Dashboard:
    """Each of `teams` with its latest and previous results for `model`, the members'
    agreement and the delivery outcomes of the latest, whether it is overdue, and the
    state of its targets in the model's categories on `today` (default: the local date)
    (three queries). The checks fired are read apart, for the rows that show them
    (add_checks): they are in each assessment's record, which is large.

    A team whose latest assessment is older than `since` is listed as not assessed; its
    targets are still judged against that latest assessment, which is what the team has
    reached whatever the period shown.
    """
    columns = [
        Column(category.slug, category.name, category.order)
        for category in Category.objects.filter(model=model, is_active=True).order_by("order", "id")
    ]
    rows, targets = _team_rows(teams, [column.slug for column in columns])
    latest = _latest_results(model, teams)
    day = today or timezone.localdate()
    for team_id, row in rows.items():
        found = latest.get(team_id)
        cells = found.cells if found else {}
        row.targets = targets_state(targets.get(team_id, ()), cells, day)
        if found is None or (since is not None and found.submitted_at < since):
            continue
        row.assessment_id, row.submitted_at = found.assessment_id, found.submitted_at
        row.cells, row.metrics = cells, found.metrics
        row.overall = scoring.overall(cell.score for cell in cells.values())
        row.agreement = mean_agreement(cells.values())
        row.previous_overall = found.previous_overall
    return Dashboard(model, columns, list(rows.values()))


def _team_rows(
    teams: QuerySet[Team], slugs: list[str]
) -> tuple[dict[int, TeamRow], dict[int, list[tuple[str, int, date]]]]:
    """A row per team, whether overdue, and each team's targets in the categories `slugs`
    as (slug, level, due) (one query: a team comes once per target, or once without)."""
    found = (
        with_last_submitted(teams.only("name", "slug", "unit", "cadence_days", "created_at"))
        .annotate(
            aimed=FilteredRelation("targets", condition=Q(targets__category__in=slugs)),
            target_slug=F("aimed__category"),
            target_level=F("aimed__level"),
            target_due=F("aimed__due"),
        )
        .order_by()
    )
    rows: dict[int, TeamRow] = {}
    targets: dict[int, list[tuple[str, int, date]]] = {}
    for team in found:
        if team.pk not in rows:
            rows[team.pk] = TeamRow(team, overdue=team.is_overdue)
        if team.target_slug is not None:
            targets.setdefault(team.pk, []).append(
                (team.target_slug, team.target_level, team.target_due)
            )
    return rows, targets


def _latest_results(model: MaturityModel, teams: QuerySet[Team]) -> dict[int, Latest]:
    """By team: its latest assessment of `model` with its results by category slug,
    and the overall score of the one before (one query)."""
    latest_two = (
        Assessment.objects.filter(model=model, team__in=teams.values("pk"))
        .latest_per_team(depth=2)
        .values("pk")
    )
    results = CategoryResult.objects.filter(assessment__in=latest_two).values_list(
        "assessment_id",
        "assessment__team_id",
        "assessment__submitted_at",
        "category__slug",
        "level",
        "score",
        "agreement",
        *(f"assessment__delivery__{metric}" for metric in dora.METRICS),
    )
    found: dict[int, Latest] = {}  # by assessment
    for assessment_id, team_id, submitted_at, slug, level, score, agreed, *metrics in results:
        read = found.get(assessment_id)
        if read is None:
            assert submitted_at is not None  # latest_two holds submitted assessments only
            given = dict(zip(dora.METRICS, metrics, strict=True))
            read = found[assessment_id] = Latest(team_id, assessment_id, submitted_at, given)
        read.cells[slug] = Cell(level, score, agreed)
    latest: dict[int, Latest] = {}
    for read in sorted(found.values(), key=lambda read: (read.submitted_at, read.assessment_id)):
        if (before := latest.get(read.team_id)) is not None:
            read.previous_overall = scoring.overall(cell.score for cell in before.cells.values())
        latest[read.team_id] = read
    return latest


def add_checks(rows: Iterable[TeamRow]) -> None:
    """Set `checks` on the assessed rows: how many checks fired on their latest
    assessment, as its record says (one query; none without an assessed row)."""
    by_assessment = {row.assessment_id: row for row in rows if row.assessment_id is not None}
    fired = Assessment.objects.filter(pk__in=by_assessment).values_list("pk", "record__checks")
    for pk, checks in fired:
        by_assessment[pk].checks = len(checks or [])


def quarterly_trend(
    model: MaturityModel, now: datetime, teams: QuerySet[Team]
) -> list[tuple[datetime, float]]:
    """The mean overall score of `teams` per quarter over the last two years (this quarter
    and the seven before), from each team's latest assessment in that quarter, averaged
    in the database (one query)."""
    quarter = TruncQuarter("submitted_at")
    latest_in_quarter = Window(
        RowNumber(),
        partition_by=[F("team_id"), quarter],
        order_by=[F("submitted_at").desc(), F("pk").desc()],
    )
    counted = (
        Assessment.objects.submitted()
        .filter(
            model=model,
            submitted_at__gte=quarter_start(now, back=TREND_QUARTERS - 1),
            team__in=teams.values("pk"),
        )
        .annotate(recency=latest_in_quarter)
        .filter(recency=1)
        .values("pk")
    )
    overall = (
        CategoryResult.objects.filter(assessment=OuterRef("pk"))
        .values("assessment")
        .annotate(mean=Avg("score"))
        .values("mean")
    )
    means = (
        Assessment.objects.filter(pk__in=counted)
        .annotate(overall=Subquery(overall))
        .values(quarter=quarter)
        .annotate(mean=Avg("overall"))
        .order_by("quarter")
        .values_list("quarter", "mean")
    )
    return [(start, mean) for start, mean in means if mean is not None]


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
