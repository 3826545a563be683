"""Demo and scale data: plausible answers (a team that scores about `target` in a
category has every level up to it in place and part of the next), submitted through
the same steps as a team's own."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from maturity.models import MaturityModel
from maturity.tree import CategoryNode, ModelTree
from teams.models import AnyUser, Team

from .edits import Edit, Sent, Whose
from .models import Assessment
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
    statuses: dict[int, str] = {}
    for category, target in zip(tree.categories, targets, strict=True):
        statuses.update(statuses_for(category, target, chooser))
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
