"""The record of an assessment: everything its result page, answers page and export
show, with the texts as they were, as plain JSON-ready data.

Pure: plain data in, a dict out. A submitted assessment's record is written once, when
it is submitted, and never changes; a draft's is made afresh for its preview. Pages read
records through `Record`, so a later edit of the model changes nothing a team has
submitted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple, Protocol

from maturity.checks import CheckRule, fires
from maturity.tree import ModelTree

from . import agreement, dora, scoring
from .agreement import NO_VOTES, Votes
from .questionnaire import scoring_categories

SCHEMA = 2


@dataclass(frozen=True)
class RecordedAnswer:
    key: str
    category: str  # slug
    level: int
    text: str
    status: str  # "" while not answered (drafts only)
    note: str
    votes: Votes | None  # None: recorded before members voted


@dataclass(frozen=True)
class Earlier:
    """The team's previous counted assessment, as the record compares with it."""

    id: int
    submitted_at: datetime
    scores: Mapping[str, float | None]  # category slug -> score (None: not scored)


# Sections that an app above this one adds to every record it is written with: the
# planning app registers "targets" (its AppConfig.ready), since assessments may not
# import it. A provider takes the team's id and returns JSON-ready data (one query).
SECTIONS: dict[str, Callable[[int], Any]] = {}


def utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, as in 2026-11-26T10:00:00Z."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def rounded_share(share: float | None) -> float | None:
    """A share of 0..1 as records keep it: two decimals."""
    return None if share is None else round(share, 2)


def make_record(
    *,
    assessment_id: int,
    team: tuple[str, str],
    model: tuple[str, str, str],
    submitted_at: datetime | None,
    submitted_by: str | None,
    levels: Sequence[tuple[int, str]],
    categories: Sequence[scoring.Category],
    results: Sequence[scoring.Result],
    answers: Sequence[RecordedAnswer],
    agreements: Mapping[str, float | None],
    previous: Earlier | None,
    delivery: Mapping[str, int | None] | None = None,
    checks: Sequence[CheckRule] = (),
) -> dict[str, Any]:
    """The record (schema 2): `team` is (slug, name), `model` (slug, version, name),
    `levels` (value, name) floor first; `categories` carry their practices and answers
    as scoring reads them, `results` their levels and scores, `agreements` the members'
    agreement per category slug, `delivery` the DORA answers (metric -> value), `checks`
    the model's checks, of which the record keeps those that fire."""
    names = dict(levels)
    by_slug = {result.slug: result for result in results}
    steps = {
        step.slug: step
        for step in scoring.next_steps([value for value, _ in levels], categories, by_slug)
    }
    overall = scoring.overall(result.score for result in results)
    given = {metric: value for metric, value in (delivery or {}).items() if value is not None}
    levels_by_slug = {result.slug: result.level for result in results}
    return {
        "schema": SCHEMA,
        "id": assessment_id,
        "team": {"slug": team[0], "name": team[1]},
        "model": {"slug": model[0], "version": model[1], "name": model[2]},
        "submitted_at": utc(submitted_at),
        "submitted_by": submitted_by,
        "overall": None if overall is None else scoring.rounded(overall),
        "levels": [{"value": value, "name": name} for value, name in levels],
        "categories": [
            {
                "slug": result.slug,
                "name": result.name,
                "level": result.level,
                "level_name": None
                if result.level is None
                else names.get(result.level, str(result.level)),
                "score": None if result.score is None else scoring.rounded(result.score),
                "agreement": rounded_share(agreements.get(result.slug)),
                "advice": steps[result.slug].advice if result.slug in steps else "",
                "next_steps": [p.text for p in steps[result.slug].practices]
                if result.slug in steps
                else [],
            }
            for result in results
        ],
        "answers": [
            {
                "key": answer.key,
                "category": answer.category,
                "level": answer.level,
                "text": answer.text,
                "status": answer.status,
                "note": answer.note,
                "votes": None if answer.votes is None else answer.votes.as_dict(),
            }
            for answer in answers
        ],
        "previous": None
        if previous is None
        else {
            "id": previous.id,
            "submitted_at": utc(previous.submitted_at),
            "scores": {
                slug: None if score is None else scoring.rounded(score)
                for slug, score in previous.scores.items()
            },
        },
        "delivery": {
            **{metric: given.get(metric) for metric in dora.METRICS},
            "scores": dora.scores(given).as_dict(),
        }
        if given
        else None,
        "checks": [
            {"key": rule.key, "category": rule.category, "message": rule.message}
            for rule in checks
            if fires(rule, levels_by_slug.get(rule.category), given.get(rule.metric))
        ],
        "targets": [],
    }


class TeamAnswer(Protocol):
    """A team answer as a record reads it (models.AnswerState)."""

    @property
    def status(self) -> str: ...

    @property
    def note(self) -> str: ...


def score_and_record(
    tree: ModelTree,
    answers: Mapping[int, TeamAnswer],
    votes: Mapping[int, Votes],
    *,
    assessment_id: int,
    team: tuple[str, str],
    model: tuple[str, str, str],
    submitted_at: datetime | None,
    submitted_by: str | None,
    previous: Earlier | None,
    delivery: Mapping[str, int | None] | None,
    checks: Sequence[CheckRule],
) -> tuple[dict[str, Any], list[scoring.Result]]:
    """The results of `answers` (practice id -> team answer) scored over `tree`, and the
    record (make_record) with them and the members' `votes` (practice id -> votes)."""
    statuses = {practice_id: answer.status for practice_id, answer in answers.items()}
    categories = scoring_categories(tree, statuses)
    results = scoring.score_categories(tree.level_values, categories)
    recorded = [
        RecordedAnswer(
            practice.key,
            category.slug,
            practice.level,
            practice.text,
            answers[practice.id].status if practice.id in answers else "",
            answers[practice.id].note if practice.id in answers else "",
            votes.get(practice.id, NO_VOTES),
        )
        for category in tree.categories
        for practice in category.practices
    ]
    agreements = {
        category.slug: agreement.agreement(votes.get(p.id, NO_VOTES) for p in category.practices)
        for category in tree.categories
    }
    record = make_record(
        assessment_id=assessment_id,
        team=team,
        model=model,
        submitted_at=submitted_at,
        submitted_by=submitted_by,
        levels=[(level.value, level.name) for level in tree.levels],
        categories=categories,
        results=results,
        answers=recorded,
        agreements=agreements,
        previous=previous,
        delivery=delivery,
        checks=checks,
    )
    return record, results


@dataclass(frozen=True)
class CategoryRow:
    slug: str
    name: str
    order: int
    level: int | None  # None: not scored (every practice not applicable)
    level_name: str | None
    score: float | None
    previous_score: float | None
    advice: str
    next_steps: list[str]
    agreement: float | None  # None: no practice had two votes, or recorded before votes

    @property
    def change(self) -> float | None:
        """The change since the previous assessment, as shown (one decimal)."""
        return scoring.change(self.score, self.previous_score)


@dataclass(frozen=True)
class NextStep:
    row: CategoryRow
    target_level: int
    target_name: str


@dataclass(frozen=True)
class AnswerRow:
    key: str
    level: int
    text: str
    status: str
    note: str
    previous_status: str | None  # None: the previous assessment did not ask it
    votes: Votes | None  # None: recorded before members voted

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def previous_label(self) -> str:
        return status_label(self.previous_status or "")

    @property
    def changed(self) -> bool:
        return self.previous_status is not None and self.previous_status != self.status


@dataclass(frozen=True)
class OutcomeRow:
    label: str
    answer: str  # as the team gave it: DORA's answer option, or a percentage
    score: float | None


@dataclass(frozen=True)
class Outcomes:
    """The delivery outcomes of a record, as the result shows them."""

    rows: list[OutcomeRow]
    throughput: float | None
    instability: float | None
    overall: float | None


def outcomes_of(delivery: Mapping[str, Any]) -> Outcomes:
    scores = delivery["scores"]
    rows = []
    for metric in dora.METRICS:
        answer = dora.answer_text(metric, delivery.get(metric))
        rows.append(OutcomeRow(dora.LABELS[metric], answer, scores.get(metric)))
    return Outcomes(rows, scores["throughput"], scores["instability"], scores["overall"])


def status_label(status: str) -> str:
    """How an answer's status reads on a page."""
    return scoring.Status(status).label if status else "Not answered"


class Record:
    """A record as the pages read it."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.levels: list[tuple[int, str]] = [
            (level["value"], level["name"]) for level in data["levels"]
        ]
        previous = data.get("previous") or {}
        earlier = previous.get("scores", {})
        self.rows = [
            CategoryRow(
                slug=category["slug"],
                name=category["name"],
                order=order,
                level=category["level"],
                level_name=category["level_name"],
                score=category["score"],
                previous_score=earlier.get(category["slug"]),
                advice=category["advice"],
                next_steps=category["next_steps"],
                agreement=category.get("agreement"),
            )
            for order, category in enumerate(data["categories"])
        ]

    @property
    def overall(self) -> float | None:
        return self.data["overall"]  # type: ignore[no-any-return]

    @property
    def outcomes(self) -> Outcomes | None:
        """The delivery outcomes, None when no metric was given."""
        delivery = self.data.get("delivery")
        return outcomes_of(delivery) if delivery else None

    @property
    def checks(self) -> list[Mapping[str, str]]:
        """The checks that fired: a level the outcomes contradict, as a question."""
        return list(self.data.get("checks") or [])

    @property
    def level_values(self) -> list[int]:
        return [value for value, _ in self.levels]

    @property
    def previous_submitted_at(self) -> datetime | None:
        previous = self.data.get("previous")
        return (
            datetime.fromisoformat(previous["submitted_at"].replace("Z", "+00:00"))
            if previous
            else None
        )

    def next_steps(self) -> list[NextStep]:
        """Every scored category below the top with its next level: weakest first, ties
        in category order."""
        values = self.level_values
        names = dict(self.levels)
        steps = [
            NextStep(row, target, names[target])
            for row in self.rows
            if row.level is not None
            and (target := next((value for value in values if value > row.level), None)) is not None
        ]
        return sorted(steps, key=lambda step: (step.row.score or 0.0, step.row.order))

    def answers_by_category(
        self, previous: Record | None
    ) -> list[tuple[CategoryRow, list[AnswerRow]]]:
        """Each category with its answers, beside `previous`'s answer to the same key."""
        before = (
            {answer["key"]: answer["status"] for answer in previous.data["answers"]}
            if previous
            else {}
        )
        grouped: dict[str, list[AnswerRow]] = {row.slug: [] for row in self.rows}
        for answer in self.data["answers"]:
            grouped.setdefault(answer["category"], []).append(
                AnswerRow(
                    answer["key"],
                    answer["level"],
                    answer["text"],
                    answer["status"],
                    answer["note"],
                    before.get(answer["key"]),
                    Votes(**answer["votes"]) if answer.get("votes") else None,
                )
            )
        return [(row, grouped[row.slug]) for row in self.rows]


def sections_of(team_id: int) -> dict[str, Any]:
    """What the apps above add to a record of the team `team_id` (SECTIONS: a query each)."""
    return {name: provider(team_id) for name, provider in SECTIONS.items()}


class ResultRow(NamedTuple):
    """A category's result as the results table (CategoryResult) keeps it."""

    category_id: int
    level: int | None
    score: float | None
    agreement: float | None


def result_rows(
    tree: ModelTree, results: Sequence[scoring.Result], record: Mapping[str, Any]
) -> list[ResultRow]:
    """The rows of the results table for `results`, scored over `tree` and recorded in
    `record` (whose agreements it keeps)."""
    ids = {category.slug: category.id for category in tree.categories}
    agreements = {row["slug"]: row["agreement"] for row in record["categories"]}
    return [
        ResultRow(ids[result.slug], result.level, result.score, agreements[result.slug])
        for result in results
    ]
