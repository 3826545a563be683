"""What the home and team pages show of a team: its latest result and its history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils.safestring import SafeString, mark_safe

from maturity.models import Level
from teams.models import Team

from . import charts, dora, scoring
from .models import Assessment, DeliveryMetrics


@dataclass(frozen=True)
class TeamSummary:
    team: Team
    latest: Assessment | None
    overall: float | None
    weakest: scoring.Result | None

    @property
    def last_submitted(self) -> datetime | None:
        return self.latest.submitted_at if self.latest else None

    @property
    def due_at(self) -> datetime:
        return self.team.due_at(self.last_submitted)

    @property
    def overdue(self) -> bool:
        return self.team.overdue(self.last_submitted)


def _results(assessment: Assessment) -> list[scoring.Result]:
    """The frozen results of an assessment fetched `with_results()`."""
    return [result.as_result() for result in assessment.results.all()]


def team_summaries(teams: Sequence[Team]) -> list[TeamSummary]:
    """Each team with its latest result: overall score and weakest category (two queries)."""
    latest = {
        assessment.team_id: assessment
        for assessment in Assessment.objects.latest_per_team()
        .filter(team__in=teams)
        .defer("record")
        .with_results()
    }
    summaries = []
    for team in teams:
        assessment = latest.get(team.pk)
        results = _results(assessment) if assessment else []
        summaries.append(
            TeamSummary(
                team=team,
                latest=assessment,
                overall=scoring.overall(result.score for result in results),
                weakest=scoring.weakest(results),
            )
        )
    return summaries


def _outcomes(assessment: Assessment) -> dora.Scores | None:
    """The delivery outcomes of an assessment fetched with its `delivery`: None when it
    has no metrics or none of them was given."""
    delivery: DeliveryMetrics | None = getattr(assessment, "delivery", None)
    return None if delivery is None else dora.outcomes(delivery.answers())


@dataclass(frozen=True)
class HistoryRow:
    assessment: Assessment
    overall: float | None
    scores: list[float | None]  # aligned with History.columns
    outcomes: dora.Scores | None = None  # the delivery outcomes, on DORA's Quick Check scale

    @property
    def throughput(self) -> float | None:
        return self.outcomes.throughput if self.outcomes else None

    @property
    def instability(self) -> float | None:
        return self.outcomes.instability if self.outcomes else None


@dataclass(frozen=True)
class History:
    team: Team
    columns: list[tuple[str, str]]  # (slug, name) of every category scored
    rows: list[HistoryRow]  # newest first
    levels: list[tuple[int, str]]

    def trend_svg(self) -> str:
        points = [
            charts.TrendPoint(
                row.assessment.submitted_at.toordinal(),  # type: ignore[union-attr]
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
                row.assessment.submitted_at.toordinal(),  # type: ignore[union-attr]
                f"{row.assessment.submitted_at:%d %b %Y}",
                throughput=row.outcomes.throughput,
                instability=row.outcomes.instability,
                overall=row.outcomes.overall,
            )
            for row in reversed(self.rows)
            if row.outcomes is not None and not row.assessment.is_voided
        ]

    @property
    def last_submitted(self) -> datetime | None:
        """When the team last submitted an assessment that counts (not voided)."""
        counted = (row for row in self.rows if not row.assessment.is_voided)
        return next((row.assessment.submitted_at for row in counted), None)

    @property
    def due_at(self) -> datetime:
        return self.team.due_at(self.last_submitted)

    @property
    def overdue(self) -> bool:
        return self.team.overdue(self.last_submitted)

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


def team_history(team: Team) -> History:
    """The team's submitted assessments, newest first, voided ones included, with scores
    and delivery outcomes (three queries: the outcomes come with the assessments)."""
    assessments = list(
        Assessment.objects.history()
        .filter(team=team)
        .select_related("delivery")
        .defer("record")
        .with_results()
    )
    results = {assessment.pk: _results(assessment) for assessment in assessments}
    columns: dict[str, tuple[int, str]] = {}
    for result in (result for scored in results.values() for result in scored):
        columns.setdefault(result.slug, (result.order, result.name))
    slugs = sorted(columns, key=lambda slug: columns[slug][0])
    rows = []
    for assessment in assessments:
        scores = {result.slug: result.score for result in results[assessment.pk]}
        rows.append(
            HistoryRow(
                assessment,
                scoring.overall(scores.values()),
                [scores.get(slug) for slug in slugs],
                _outcomes(assessment),
            )
        )
    levels: list[tuple[int, str]] = []
    if assessments:
        latest_model = assessments[0].model_id
        levels = list(
            Level.objects.filter(model=latest_model).order_by("value").values_list("value", "name")
        )
    return History(team, [(slug, columns[slug][1]) for slug in slugs], rows, levels)
