"""Demo and scale data: plausible answers (a team that scores about `target` in a
category has every level up to it in place and part of the next), submitted through
the same steps as a team's own, or written in bulk as those steps would leave them."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from maturity.checks import checks_of
from maturity.models import MaturityModel
from maturity.tree import CategoryNode, ModelTree
from teams.models import AnyUser, Team

from . import records
from .edits import Edit, Sent, Whose
from .models import Answer, AnswerState, Assessment, CategoryResult
from .scoring import Status

# A member's answer one step off the team's: how members disagree in the demo data.
OFF_BY_ONE: dict[str, list[str]] = {
    Status.YES: [Status.PARTLY],
    Status.PARTLY: [Status.YES, Status.NO],
    Status.NO: [Status.PARTLY],
}


def statuses_for(category: CategoryNode, target: float, chooser: random.Random) -> dict[int, str]:
    """Practice id -> status for one category, scoring close to `target`."""
    level = math.floor(target)
    share = target - level
    statuses: dict[int, str] = {}
    for cell in category.cells:
        done = round(share * len(cell.practices))
        for index, practice in enumerate(cell.practices):
            if cell.level <= level:
                status = Status.YES
            elif cell.level == level + 1:
                status = Status.YES if index < done else Status.NO
                if index == done and chooser.random() < 0.5:
                    status = Status.PARTLY
            else:
                status = Status.PARTLY if chooser.random() < 0.15 else Status.NO
            statuses[practice.id] = status
    return statuses


def answers_for(
    tree: ModelTree, targets: Sequence[float], chooser: random.Random
) -> dict[int, str]:
    """Practice id -> status for every practice of `tree`, scoring about `targets` (one per
    category)."""
    statuses: dict[int, str] = {}
    for category, target in zip(tree.categories, targets, strict=True):
        statuses.update(statuses_for(category, target, chooser))
    return statuses


def submit_dated(
    team: Team,
    model: MaturityModel,
    tree: ModelTree,
    user: AnyUser,
    targets: Sequence[float],
    when: datetime,
    chooser: random.Random,
    voters: Sequence[AnyUser] = (),
    delivery: Mapping[str, int] | None = None,
) -> Assessment:
    """An assessment started, answered to score about `targets` (one per category of
    `tree`) and submitted `when` as a team would (about a dozen queries, five more per
    voter). Each of `voters` first gives an own answer, now and then one off the team's."""
    assessment = Assessment.start(team, model, user, prefill_from=None)
    statuses = answers_for(tree, targets, chooser)
    for voter in voters:
        votes = [
            Edit(pk, Whose.MINE, status=Sent(chooser.choice(OFF_BY_ONE[status])))
            if chooser.random() < 0.1
            else Edit(pk, Whose.MINE, status=Sent(status))
            for pk, status in statuses.items()
        ]
        assessment.save_edits(voter, votes)
    assessment.save_answers([(practice_id, status, "") for practice_id, status in statuses.items()])
    if delivery:
        assessment.save_delivery(delivery)
    assessment.submit(user, at=when)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when - timedelta(days=3))
    return assessment


@dataclass(frozen=True)
class Submission:
    """An assessment for submit_in_bulk: the team, its answers and when it was submitted."""

    team: Team
    statuses: dict[int, str]  # practice id -> status, every practice of the tree
    submitted_at: datetime


def submit_in_bulk(
    model: MaturityModel, tree: ModelTree, submissions: Sequence[Submission]
) -> None:
    """Write `submissions` as submit_dated leaves them with no voters and no delivery
    metrics, submitted by no one: drafts, team answers, and the results and records that
    Assessment.submit writes (records.score_and_record), in bulk: five queries on
    PostgreSQL (more on SQLite, which caps the parameters of one), and one per team for
    records.SECTIONS. Give each team's whole history, for teams with nothing submitted
    yet. Bulk writes skip save(): the caller advances the generation (maturity.generation)."""
    now = timezone.now()
    assessments = Assessment.objects.bulk_create(
        Assessment(team=each.team, model=model, created_at=each.submitted_at - timedelta(days=3))
        for each in submissions
    )
    Answer.objects.bulk_create(
        Answer(assessment_id=assessment.pk, practice_id=practice_id, status=status, updated_at=now)
        for assessment, each in zip(assessments, submissions, strict=True)
        for practice_id, status in each.statuses.items()
    )
    checks = checks_of(model.pk)
    category_ids = {category.slug: category.id for category in tree.categories}
    sections: dict[int, dict[str, object]] = {}
    earlier: dict[int, list[records.Earlier]] = {}
    results = []
    for assessment, each in zip(assessments, submissions, strict=True):
        team = each.team
        if team.pk not in sections:
            sections[team.pk] = {name: add(team.pk) for name, add in records.SECTIONS.items()}
        submitted_before = [
            e for e in earlier.setdefault(team.pk, []) if e.submitted_at < each.submitted_at
        ]
        assessment.submitted_at = each.submitted_at
        assessment.record, scored = records.score_and_record(
            tree,
            {pk: AnswerState(status, "", True) for pk, status in each.statuses.items()},
            {},
            assessment_id=assessment.pk,
            team=(team.slug, team.name),
            model=(model.slug, model.version, model.name),
            submitted_at=each.submitted_at,
            submitted_by=None,
            previous=max(submitted_before, key=lambda e: (e.submitted_at, e.id), default=None),
            delivery=None,
            checks=checks,
        )
        assessment.record.update(sections[team.pk])
        earlier[team.pk].append(
            records.Earlier(assessment.pk, each.submitted_at, {r.slug: r.score for r in scored})
        )
        results += [
            CategoryResult(
                assessment_id=assessment.pk,
                category_id=category_ids[result.slug],
                level=result.level,
                score=result.score,
                agreement=row["agreement"],
            )
            for result, row in zip(scored, assessment.record["categories"], strict=True)
        ]
    CategoryResult.objects.bulk_create(results)
    Assessment.objects.bulk_update(assessments, ["submitted_at", "record"])
