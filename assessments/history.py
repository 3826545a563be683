"""What the home, team and plan pages show of a team: its latest result and its history,
read as plain rows (submitted assessments with their frozen results and delivery
outcomes), not as model objects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.safestring import SafeString, mark_safe

from maturity import generation
from maturity.compiled import CompiledQuery, placeholder
from maturity.tree import LEVELS, MODEL_ID
from teams.models import Team

from . import charts, dora, scoring
from .models import Assessment, CategoryResult


@dataclass(frozen=True)
class Submission:
    """A submitted assessment as these pages show it: when, whether it was voided and
    why, its frozen results in category order and its delivery outcomes (on DORA's
    Quick Check scale; None when none was given, or when they were not asked for)."""

    pk: int
    team_id: int
    model_id: int
    submitted_at: datetime
    voided_at: datetime | None
    void_reason: str
    overall: float | None  # as stored at submission: the mean of the scored categories
    results: list[scoring.Result]
    outcomes: dora.Scores | None

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


ASSESSMENT_COLUMNS = (
    "pk",
    "team_id",
    "model_id",
    "submitted_at",
    "voided_at",
    "void_reason",
    "overall",
)
RESULT_COLUMNS = ("category__slug", "category__name", "category__order", "level", "score")
DELIVERY_COLUMNS = tuple(f"delivery__{metric}" for metric in dora.METRICS)


def _outcomes(delivery: Sequence[int | None]) -> dora.Scores | None:
    """The outcomes of an assessment's delivery metrics (all None without metrics)."""
    return dora.outcomes(dict(zip(dora.METRICS, delivery, strict=True)))


def _submission(row: Sequence[Any], results: list[scoring.Result], *, outcomes: bool) -> Submission:
    """From a row of ASSESSMENT_COLUMNS, then DELIVERY_COLUMNS when `outcomes`."""
    pk, team_id, model_id, submitted_at, voided_at, void_reason, overall = row[
        : len(ASSESSMENT_COLUMNS)
    ]
    delivery = row[len(ASSESSMENT_COLUMNS) :]
    return Submission(
        pk,
        team_id,
        model_id,
        submitted_at,
        voided_at,
        void_reason,
        overall,
        results=results,
        outcomes=_outcomes(delivery) if outcomes else None,
    )


def submission_rows(assessments: QuerySet[Assessment]) -> QuerySet[Assessment, Any]:
    """`assessments` (submitted ones), newest first, as rows of ASSESSMENT_COLUMNS then
    RESULT_COLUMNS: a row per result. For a few assessments picked by key, such as the
    latest of each team: joining a whole history to its results this way, PostgreSQL may
    scan every team's results (team_history reads a team's results apart, from its
    team's assessments)."""
    columns = (*ASSESSMENT_COLUMNS, *(f"results__{column}" for column in RESULT_COLUMNS))
    return assessments.order_by(
        "-submitted_at", "-pk", "results__category__order", "results__category_id"
    ).values_list(*columns)


def submissions_of(rows: Iterable[Sequence[Any]]) -> list[Submission]:
    """The submissions of submission_rows' rows."""
    firsts: dict[int, Sequence[Any]] = {}  # each assessment's first row
    results: dict[int, list[scoring.Result]] = {}
    split = len(ASSESSMENT_COLUMNS)
    for row in rows:
        pk = row[0]
        if pk not in firsts:
            firsts[pk], results[pk] = row, []
        if row[split] is not None:  # an assessment without results has one row of nulls
            results[pk].append(scoring.Result(*row[split:]))
    return [_submission(row, results[pk], outcomes=False) for pk, row in firsts.items()]


def submissions(assessments: QuerySet[Assessment]) -> list[Submission]:
    """`assessments` (submitted ones), newest first, with their results (one query)."""
    return submissions_of(submission_rows(assessments))


def latest_of(team: int | OuterRef) -> Subquery:
    """The id of the team's latest counted (not voided) assessment, as a subquery; `team`
    is a team's id, or OuterRef("team") to pick each row's team."""
    counted = Assessment.objects.submitted().filter(team=team)  # type: ignore[misc]  # OuterRef
    return Subquery(counted.order_by("-submitted_at", "-pk").values("pk")[:1])


TEAM_ID = placeholder()  # stands for a team's id while the queries below are compiled

# What the team's pages ask of it, compiled once per process (maturity.compiled): its
# latest result (LATEST), its history and that history's results (HEADS, RESULTS), read
# by team: PostgreSQL runs that join from the team's assessments (an index) to their
# results (another).
LATEST = CompiledQuery(lambda: submission_rows(Assessment.objects.filter(pk=latest_of(TEAM_ID))))
HEADS = CompiledQuery(
    lambda: (
        Assessment.objects.history()
        .filter(team=TEAM_ID)
        .values_list(*ASSESSMENT_COLUMNS, *DELIVERY_COLUMNS)
    )
)
RESULTS = CompiledQuery(
    lambda: (
        CategoryResult.objects.filter(
            assessment__team=TEAM_ID, assessment__submitted_at__isnull=False
        )
        .order_by("category__order", "category_id")
        .values_list("assessment_id", *RESULT_COLUMNS)
    )
)


def latest_submission(team: Team) -> Submission | None:
    """The team's latest counted (not voided) assessment with its results (one query)."""
    found = submissions_of(LATEST.rows({TEAM_ID: team.pk}))
    return found[0] if found else None


class Cadence:
    """When a team with `last_submitted` should next submit, and whether that has passed."""

    team: Team

    @property
    def last_submitted(self) -> datetime | None:
        raise NotImplementedError  # each view of the history says which submission counts

    @property
    def due_at(self) -> datetime:
        return self.team.due_at(self.last_submitted)

    @property
    def overdue(self) -> bool:
        return self.team.overdue(self.last_submitted)


@dataclass(frozen=True)
class TeamSummary(Cadence):
    team: Team
    latest: Submission | None

    @property
    def overall(self) -> float | None:
        return self.latest.overall if self.latest else None

    @property
    def weakest(self) -> scoring.Result | None:
        return scoring.weakest(self.latest.results) if self.latest else None

    @property
    def last_submitted(self) -> datetime | None:
        return self.latest.submitted_at if self.latest else None


@dataclass(frozen=True)
class HistoryRow:
    assessment: Submission
    scores: list[float | None]  # aligned with History.columns

    @property
    def overall(self) -> float | None:
        return self.assessment.overall

    @property
    def outcomes(self) -> dora.Scores | None:
        """The delivery outcomes, on DORA's Quick Check scale."""
        return self.assessment.outcomes

    @property
    def throughput(self) -> float | None:
        return self.outcomes.throughput if self.outcomes else None

    @property
    def instability(self) -> float | None:
        return self.outcomes.instability if self.outcomes else None


@dataclass(frozen=True)
class History(Cadence):
    team: Team
    columns: list[tuple[str, str]]  # (slug, name) of every category scored
    rows: list[HistoryRow]  # newest first
    levels: list[tuple[int, str]]  # of the newest assessment's model

    def trend_svg(self) -> str:
        points = [
            charts.TrendPoint(
                row.assessment.submitted_at.toordinal(),
                row.overall,
                f"{row.assessment.submitted_at:%d %b %Y}",
            )
            for row in reversed(self.rows)
            if row.overall is not None and not row.assessment.is_voided
        ]
        title = f"{self.team.name}: overall score over time"
        return charts.trend_svg(points, self.levels, title=title)

    def _outcome_points(self) -> list[charts.OutcomesPoint]:
        """The delivery outcomes over time, oldest first; voided assessments left out."""
        return [
            charts.OutcomesPoint(
                row.assessment.submitted_at.toordinal(),
                f"{row.assessment.submitted_at:%d %b %Y}",
                throughput=row.outcomes.throughput,
                instability=row.outcomes.instability,
                overall=row.outcomes.overall,
            )
            for row in reversed(self.rows)
            if row.outcomes is not None and not row.assessment.is_voided
        ]

    @property
    def latest_counted(self) -> Submission | None:
        """The newest assessment that counts (not voided)."""
        counted = (row.assessment for row in self.rows if not row.assessment.is_voided)
        return next(counted, None)

    @property
    def last_submitted(self) -> datetime | None:
        """When the team last submitted an assessment that counts (not voided)."""
        latest = self.latest_counted
        return latest.submitted_at if latest else None

    @cached_property
    def has_outcomes(self) -> bool:
        """Whether an assessment that counts (not voided) has delivery outcomes."""
        return any(row.outcomes is not None and not row.assessment.is_voided for row in self.rows)

    def outcomes_trend_svg(self) -> SafeString:
        """Throughput, instability and overall delivery outcomes over time, on DORA's Quick
        Check scale; marked safe as it is (charts escape every text they put in), for the
        template to place."""
        title = f"{self.team.name}: delivery outcomes over time"
        return mark_safe(charts.outcomes_trend_svg(self._outcome_points(), title=title))


LEVELS_SECONDS = 60 * 60


def model_levels(model_id: int) -> list[tuple[int, str]]:
    """A model's levels as (value, name), the floor first (one query), kept under the data
    generation as the model tree is: a plan page reads them on every request."""
    return generation.cached(
        "model-levels",
        model_id,
        lambda: [(value, name) for value, name, _ in LEVELS.rows({MODEL_ID: model_id})],
        LEVELS_SECONDS,
    )


def team_history(team: Team) -> History:
    """The team's submitted assessments, newest first, voided ones included, with scores
    and delivery outcomes, and the levels of the newest one's model (three queries; two
    before the first submission)."""
    rows = HEADS.rows({TEAM_ID: team.pk})
    results: dict[int, list[scoring.Result]] = {}
    if rows:
        for pk, *values in RESULTS.rows({TEAM_ID: team.pk}):
            results.setdefault(pk, []).append(scoring.Result(*values))
    found = [_submission(row, results.get(row[0], []), outcomes=True) for row in rows]
    columns: dict[str, tuple[int, str]] = {}
    for result in (result for submission in found for result in submission.results):
        columns.setdefault(result.slug, (result.order, result.name))
    slugs = sorted(columns, key=lambda slug: columns[slug][0])
    history = []
    for submission in found:
        scores = {result.slug: result.score for result in submission.results}
        history.append(HistoryRow(submission, [scores.get(slug) for slug in slugs]))
    levels = model_levels(found[0].model_id) if found else []
    return History(team, [(slug, columns[slug][1]) for slug in slugs], history, levels)
