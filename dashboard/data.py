"""What the dashboard reads from the database, each in a fixed number of queries: a row
per team with its latest overall score and delivery answers for one model, the model's
categories with the latest scores counted in the database, what the rows shown show
besides (their results by category, targets and checks fired), the active models and
the quarterly trend."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from statistics import fmean
from typing import NamedTuple

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber, TruncQuarter
from django.utils import timezone

from assessments import dora, scoring
from assessments.cadence import with_last_submitted
from assessments.models import Assessment, AssessmentQuerySet, CategoryResult
from maturity.models import Category, Level, MaturityModel
from planning import progress
from teams.models import Team, next_due

from .stats import TREND_QUARTERS, ScoreCounts, quarter_start


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


Target = tuple[str, int, date]  # (category slug, level, due)


def targets_state(
    targets: Iterable[Target], latest: dict[str, Cell], today: date
) -> TargetsState | None:
    """The state of a team's targets against its latest cells by slug; a category not
    scored or not in the latest result has no level, so its target is behind only once
    its due date has passed. None without targets."""
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


class ListedTeam(NamedTuple):
    """A team as the dashboard lists it: the values read rather than a model instance,
    which would take most of the time at thousands of teams."""

    pk: int
    name: str
    slug: str
    unit_id: int | None
    cadence_days: int
    last_submitted: datetime | None  # its last counted submission, of any model
    created_at: datetime

    @property
    def next_due_at(self) -> datetime:
        """When it should next submit (teams.models.next_due)."""
        return next_due(self.last_submitted, self.created_at, self.cadence_days)


@dataclass(slots=True)  # thousands at once: no __dict__ each for the garbage collector
class TeamRow:
    team: ListedTeam
    assessment_id: int | None = None
    submitted_at: datetime | None = None
    overall: float | None = None
    metrics: dict[str, int | None] = field(default_factory=dict)  # the latest's delivery answers
    overdue: bool = False  # its cadence has passed since its last submission, any model
    aims: tuple[Target, ...] = ()  # its targets in the model's categories
    # Read for the rows shown, or for every row to sort by them (add_details, add_checks):
    cells: dict[str, Cell] = field(default_factory=dict)  # by category slug
    previous_overall: float | None = None
    agreement: float | None = None  # of the latest assessment: see mean_agreement
    targets: TargetsState | None = None  # None: no target in the model's categories
    checks: int | None = None  # checks fired on the latest assessment

    @property
    def assessed(self) -> bool:
        return self.assessment_id is not None

    @property
    def outcomes(self) -> dora.Scores | None:
        """The latest assessment's delivery outcomes, when it gave any (worked out when
        read: most rows need the throughput only)."""
        return dora.outcomes(self.metrics)

    @property
    def throughput(self) -> float | None:
        return throughput_of(*map(self.metrics.get, dora.THROUGHPUT))

    @property
    def instability(self) -> float | None:
        outcomes = self.outcomes
        return outcomes.instability if outcomes else None

    @property
    def change(self) -> float | None:
        """The change of the overall score since the previous assessment, as shown."""
        return scoring.change(self.overall, self.previous_overall)

    def cell(self, slug: str) -> Cell | None:
        return self.cells.get(slug)


Group = int | None  # a roll-up row: the unit whose subtree it counts; None for the rest
Counts = dict[Group, dict[str, ScoreCounts]]  # by group, then category slug


@dataclass(frozen=True)
class Dashboard:
    model: MaturityModel
    columns: list[Column]
    rows: list[TeamRow]
    counts: Counts = field(default_factory=dict)  # the latest scores, of the teams assessed

    def assessed(self) -> list[TeamRow]:
        return [row for row in self.rows if row.assessed]

    def counted(self, slug: str) -> ScoreCounts:
        """The latest scores of every team assessed in the category `slug`, counted."""
        return self._counted_by_slug.get(slug, ScoreCounts())

    @cached_property
    def _counted_by_slug(self) -> dict[str, ScoreCounts]:
        """The groups' counts added up, by category slug (once: the distribution and
        the radar both read them)."""
        found: dict[str, ScoreCounts] = {}
        for group in self.counts.values():
            for slug, counted in group.items():
                found[slug] = found.get(slug, ScoreCounts()) + counted
        return found


def load_dashboard(
    model: MaturityModel,
    since: datetime | None,
    teams: QuerySet[Team] | None,
    groups: Mapping[int, Collection[int]] | None = None,
) -> Dashboard:
    """Each of `teams` (None: every team) with the overall score and delivery answers of
    its latest assessment of `model`, whether it is overdue and its targets in the
    model's categories; the model's active categories; with `groups` (the units each
    roll-up row counts, by its key), the latest scores of the teams assessed counted per
    group (two queries). What the rows shown show besides is read apart (add_details,
    add_checks).

    A team whose latest assessment is older than `since` is listed as not assessed; its
    targets are still judged against that latest assessment (add_details), which is what
    the team has reached whatever the period shown.
    """
    categories = Category.objects.filter(model=model, is_active=True)
    listed = Team.objects.all() if teams is None else teams
    rows = _team_rows(listed, _latest(model, teams, since), categories)
    if groups is None:
        in_order = categories.order_by("order", "id")
        columns = [Column(category.slug, category.name, category.order) for category in in_order]
        return Dashboard(model, columns, rows)
    assessed = [row.assessment_id for row in rows if row.assessment_id is not None]
    columns, counts = _columns_counted(categories, assessed, groups)
    return Dashboard(model, columns, rows, counts)


def _assessments_of(teams: QuerySet[Team] | None) -> AssessmentQuerySet:
    """The assessments of `teams`; of every team when None, with no filter to run."""
    if teams is None:
        return Assessment.objects.all()
    return Assessment.objects.filter(team__in=teams.values("pk"))


def _latest(
    model: MaturityModel, teams: QuerySet[Team] | None, since: datetime | None
) -> QuerySet[Assessment]:
    """The latest assessment of `model` of each of `teams`, when submitted since `since`
    (the latest of those submitted since is the latest, if it was)."""
    assessments = _assessments_of(teams).filter(model=model)
    if since is not None:
        assessments = assessments.filter(submitted_at__gte=since)
    return assessments.latest_per_team().order_by()


def _columns_counted(
    categories: QuerySet[Category],
    assessments: list[int],
    groups: Mapping[int, Collection[int]],
) -> tuple[list[Column], Counts]:
    """The `categories` in order, with the results of `assessments` in them counted in
    the database per group (the key in `groups` of the units that hold the team; None
    for the teams in none) and (level, score). One query: each category, then a row per
    category, group and score held."""
    group = Case(
        *(When(assessment__team__unit__in=units, then=Value(key)) for key, units in groups.items()),
        default=None,
        output_field=IntegerField(),
    )
    listed = categories.values_list(
        "id",
        "slug",
        "name",
        "order",
        Value(None, IntegerField()),
        Value(None, IntegerField()),
        Value(None, FloatField()),
        Value(0),
    )
    counted = (
        # By pk: Django prepares thousands of plain ids faster than of related rows.
        CategoryResult.objects.filter(assessment__pk__in=assessments)
        .values_list(
            "category_id",
            Value(None, CharField()),
            Value(None, CharField()),
            Value(None, IntegerField()),
            group,
            "level",
            "score",
        )
        .annotate(teams=Count("pk"))
    )
    found = list(listed.order_by().union(counted.order_by(), all=True))
    columns = {pk: Column(slug, name, order) for pk, slug, name, order, *_ in found if slug}
    counts: Counts = {}
    for pk, slug, _, _, key, level, score, teams in found:
        if slug is None and pk in columns:  # a retired category is not shown
            by_slug = counts.setdefault(key, {})
            by_slug.setdefault(columns[pk].slug, ScoreCounts()).held[level, score] += teams
    in_order = sorted(columns.items(), key=lambda item: (item[1].order, item[0]))
    return [column for _, column in in_order], counts


def _team_rows(
    teams: QuerySet[Team], latest: QuerySet[Assessment], categories: QuerySet[Category]
) -> list[TeamRow]:
    """A row per team with its `latest` assessment, whether overdue, and its targets in
    the `categories` (one query: a team comes once per target, or once without)."""
    found = (
        with_last_submitted(teams)
        .annotate(
            latest=FilteredRelation(
                "assessments", condition=Q(assessments__in=Subquery(latest.values("pk")))
            ),
            aimed=FilteredRelation(
                "targets",
                condition=Q(targets__category__in=Subquery(categories.order_by().values("slug"))),
            ),
        )
        .order_by("pk")  # a fixed order for what sorts leave tied, and for the radar's teams
        .values_list(
            *ListedTeam._fields,
            "latest__pk",
            "latest__submitted_at",
            "latest__overall",
            *(f"latest__delivery__{metric}" for metric in dora.METRICS),
            "aimed__category",
            "aimed__level",
            "aimed__due",
        )
    )
    now = timezone.now()
    rows: dict[int, TeamRow] = {}
    for values in found:
        team = ListedTeam._make(values[: len(ListedTeam._fields)])
        assessment_id, submitted_at, overall, *metrics, aim, level, due = values[len(team) :]
        row = rows.get(team.pk)
        if row is None:
            metric_answers = dict(zip(dora.METRICS, metrics, strict=True))
            overdue = team.next_due_at < now
            row = rows[team.pk] = TeamRow(
                team, assessment_id, submitted_at, overall, metric_answers, overdue
            )
        if aim is not None:
            row.aims += ((aim, level, due),)
    return list(rows.values())


@dataclass
class Latest:
    """A team's latest assessment with its results, and the overall score of the one
    before (add_details)."""

    assessment_id: int
    overall: float | None
    previous_overall: float | None
    cells: dict[str, Cell] = field(default_factory=dict)


def add_details(rows: Collection[TeamRow], model: MaturityModel) -> None:
    """Set on `rows` what the heatmap shows besides their scores: the latest assessment's
    results by category and the members' agreement, the overall score of the one before,
    and the state of the team's targets today against its latest results, whatever the
    period shown (one query; none without rows)."""
    if not rows:
        return
    latest = _latest_results(model, [row.team.pk for row in rows])
    day = timezone.localdate()
    for row in rows:
        found = latest.get(row.team.pk)
        cells = found.cells if found else {}
        row.targets = targets_state(row.aims, cells, day)
        if found is not None and row.assessed:
            row.cells, row.agreement = cells, mean_agreement(cells.values())
            row.previous_overall = found.previous_overall


def _latest_results(model: MaturityModel, team_ids: list[int]) -> dict[int, Latest]:
    """By team: its latest assessment of `model` with its results by category slug, and
    the overall score of the one before (one query)."""
    theirs = Assessment.objects.filter(model=model, team__in=team_ids)
    results = (
        theirs.filter(pk__in=theirs.latest_per_team(depth=2).values("pk"))
        .order_by("submitted_at", "pk")  # each team's latest last
        .values_list(
            "team_id",
            "pk",
            "overall",
            "results__category__slug",
            "results__level",
            "results__score",
            "results__agreement",
        )
    )
    latest: dict[int, Latest] = {}  # by team
    for team_id, pk, overall, slug, level, score, agreed in results:
        read = latest.get(team_id)
        if read is None or read.assessment_id != pk:
            previous = read.overall if read else None
            read = latest[team_id] = Latest(pk, overall, previous)
        if slug is not None:
            read.cells[slug] = Cell(level, score, agreed)
    return latest


def add_checks(rows: Iterable[TeamRow]) -> None:
    """Set `checks` on the assessed rows: how many checks fired on their latest
    assessment, as its record says (one query; none without an assessed row)."""
    by_assessment = {row.assessment_id: row for row in rows if row.assessment_id is not None}
    fired = Assessment.objects.filter(pk__in=by_assessment).values_list("pk", "record__checks")
    for pk, checks in fired:
        by_assessment[pk].checks = len(checks or [])


def quarterly_trend(
    model: MaturityModel, now: datetime, teams: QuerySet[Team] | None
) -> list[tuple[datetime, float]]:
    """The mean overall score of `teams` (None: every team) per quarter over the last two
    years (this quarter and the seven before), from each team's latest assessment in
    that quarter, averaged in the database (one query, a mean per quarter)."""
    local = timezone.localtime(now)  # quarters begin at midnight where TruncQuarter cuts them
    starts = {back: quarter_start(local, back) for back in reversed(range(TREND_QUARTERS))}
    latest_in_quarter = Window(
        RowNumber(),
        partition_by=[F("team_id"), TruncQuarter("submitted_at")],
        order_by=[F("submitted_at").desc(), F("pk").desc()],
    )
    counted = (
        _assessments_of(teams)
        .submitted()
        .filter(model=model, submitted_at__gte=starts[TREND_QUARTERS - 1])
        .annotate(recency=latest_in_quarter)
        .filter(recency=1)
    )
    # A mean per quarter, each over its own rows: grouping by quarter would group the
    # rows before the window picks each team's latest, which the ORM cannot put after.
    means = counted.aggregate(
        **{
            f"back_{back}": Avg(
                "overall",
                filter=Q(submitted_at__gte=start, submitted_at__lt=quarter_start(local, back - 1)),
            )
            for back, start in starts.items()
        }
    )
    return [
        (start, mean)
        for back, start in starts.items()
        if (mean := means[f"back_{back}"]) is not None
    ]


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
