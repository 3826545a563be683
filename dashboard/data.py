"""What the dashboard reads from the database, each in a fixed number of queries: a row
per team with its latest overall score and delivery answers for one model, the model's
categories with the latest scores counted in the database, what the rows shown show
besides (their results by category, targets and checks fired), the active models and
the quarterly trend."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, cached_property
from statistics import fmean
from typing import NamedTuple

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber, TruncQuarter
from django.utils import timezone

from assessments import dora, scoring
from assessments.cadence import with_last_submitted
from assessments.models import Assessment, AssessmentQuerySet
from maturity import generation
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
    assessment_id: int | None = None  # its latest assessment, when in the period shown
    latest_id: int | None = None  # the same whatever the period: what targets are judged by
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
    rows = _team_rows(listed, model, categories, since)
    if groups is None:
        in_order = categories.order_by("order", "id")
        columns = [Column(category.slug, category.name, category.order) for category in in_order]
        return Dashboard(model, columns, rows)
    counted: dict[Group, list[int]] = {}
    for row in rows:
        if row.assessment_id is not None:
            counted.setdefault(group_of(groups, row.team.unit_id), []).append(row.assessment_id)
    columns, counts = _columns_counted(categories, counted)
    return Dashboard(model, columns, rows, counts)


def group_of(groups: Mapping[int, Collection[int]], unit_id: int | None) -> Group:
    """The key in `groups` of the group of units that holds `unit_id`; None for a team in
    none (or in no unit)."""
    return next((key for key, units in groups.items() if unit_id in units), None)


def _assessments_of(teams: QuerySet[Team] | None) -> AssessmentQuerySet:
    """The assessments of `teams`; of every team when None, with no filter to run."""
    if teams is None:
        return Assessment.objects.all()
    return Assessment.objects.filter(team__in=teams.values("pk"))


def _one_parameter(ids: Collection[int]) -> RawSQL:
    """A subquery of `ids` that binds them as one parameter, however many they are:
    SQLite refuses a statement with more than 32,766 parameters (999 before 3.32), and
    Django prepares thousands of parameters more slowly than one list."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def _columns_counted(
    categories: QuerySet[Category], counted: Mapping[Group, Collection[int]]
) -> tuple[list[Column], Counts]:
    """The `categories` in order, with the results in them of the assessments `counted`
    in each group counted in the database by group and (level, score). One query: a row
    per category, group and score held; a category without any, once."""
    every = [pk for assessments in counted.values() for pk in assessments]
    held = FilteredRelation("results", condition=Q(results__assessment__in=_one_parameter(every)))
    group = Case(
        *(
            When(held__assessment__in=_one_parameter(assessments), then=Value(key))
            for key, assessments in counted.items()
            if key is not None
        ),
        default=None,
        output_field=IntegerField(),
    )
    found = (
        categories.annotate(held=held)
        .order_by("order", "id")
        .values_list("id", "slug", "name", "order", group, "held__level", "held__score")
        .annotate(teams=Count("held"))
    )
    columns: dict[int, Column] = {}
    counts: Counts = {}
    for pk, slug, name, order, key, level, score, teams in found:
        columns.setdefault(pk, Column(slug, name, order))
        if teams:
            by_slug = counts.setdefault(key, {})
            by_slug.setdefault(slug, ScoreCounts()).held[level, score] += teams
    return list(columns.values()), counts


def _team_rows(
    teams: QuerySet[Team],
    model: MaturityModel,
    categories: QuerySet[Category],
    since: datetime | None,
) -> list[TeamRow]:
    """A row per team with its latest assessment of `model` (shown when submitted since
    `since`), whether overdue, and its targets in the `categories` (one query: a team
    comes once per target, or once without)."""
    found = (
        with_last_submitted(teams)
        .annotate(
            latest=FilteredRelation(
                "assessments",
                condition=Q(assessments__is_latest=True, assessments__model=model),
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
        latest_id, submitted_at, overall, *metrics, aim, level, due = values[len(team) :]
        row = rows.get(team.pk)
        if row is None:
            row = rows[team.pk] = TeamRow(team, overdue=team.next_due_at < now, latest_id=latest_id)
            if submitted_at is not None and (since is None or submitted_at >= since):
                row.assessment_id, row.submitted_at, row.overall = latest_id, submitted_at, overall
                row.metrics = dict(zip(dora.METRICS, metrics, strict=True))
        if aim is not None:
            row.aims += ((aim, level, due),)
    return list(rows.values())


@dataclass
class Details:
    """An assessment's results by category slug, and the overall score of its team's
    assessment before it (add_details)."""

    previous_overall: float | None
    cells: dict[str, Cell] = field(default_factory=dict)


def add_details(rows: Collection[TeamRow]) -> None:
    """Set on `rows` what the heatmap shows besides their scores: the results by category
    of the assessment each row shows and the members' agreement, the overall score of the
    one before it, and the state of the team's targets today against its latest results,
    whatever the period shown. Read by the assessments the rows hold, so a row never
    mixes in a newer one submitted since (one query)."""
    details = _details_of({row.latest_id for row in rows if row.latest_id is not None})
    day = timezone.localdate()
    for row in rows:
        found = details.get(row.latest_id) if row.latest_id is not None else None
        cells = found.cells if found else {}
        row.targets = targets_state(row.aims, cells, day)
        if found is not None and row.assessed:
            row.cells, row.agreement = cells, mean_agreement(cells.values())
            row.previous_overall = found.previous_overall


def _details_of(assessment_ids: Collection[int]) -> dict[int, Details]:
    """By assessment: its results by category slug, and the overall score of its team's
    counted assessment of the same model before it (one query; none without ids)."""
    if not assessment_ids:
        return {}
    before = (
        Assessment.objects.submitted()
        .filter(team=OuterRef("team"), model=OuterRef("model"))
        .filter(
            Q(submitted_at__lt=OuterRef("submitted_at"))
            | Q(submitted_at=OuterRef("submitted_at"), pk__lt=OuterRef("pk"))
        )
        .order_by("-submitted_at", "-pk")  # as Assessment.mark_latest ranks them
    )
    results = (
        Assessment.objects.filter(pk__in=_one_parameter(assessment_ids))
        .order_by()
        .annotate(previous_overall=Subquery(before.values("overall")[:1]))
        .values_list(
            "pk",
            "previous_overall",
            "results__category__slug",
            "results__level",
            "results__score",
            "results__agreement",
        )
    )
    details: dict[int, Details] = {}
    for pk, previous_overall, slug, level, score, agreed in results:
        read = details.get(pk)
        if read is None:
            read = details[pk] = Details(previous_overall)
        if slug is not None:
            read.cells[slug] = Cell(level, score, agreed)
    return details


def add_checks(rows: Iterable[TeamRow]) -> None:
    """Set `checks` on the assessed rows: how many checks fired on their latest
    assessment, as its record says (one query; none without them)."""
    by_assessment = {row.assessment_id: row for row in rows if row.assessment_id is not None}
    if not by_assessment:
        return
    fired = Assessment.objects.filter(pk__in=_one_parameter(by_assessment)).values_list(
        "pk", "record__checks"
    )
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


MODELS_SECONDS = 5 * 60


def active_models() -> list[ActiveModel]:
    """The models teams can be assessed on (MaturityModelQuerySet.ready: active, two
    levels or more, a practice to answer), each with its levels (one query). Kept under
    the data generation, which every write of a model, level, category, cell or practice
    advances."""
    return generation.cached("active-models", (), _read_active_models, MODELS_SECONDS)


def _read_active_models() -> list[ActiveModel]:
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
