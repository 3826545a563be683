"""When a team last submitted: what its cadence is measured from (Team.is_overdue)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from teams.models import Team

from .models import Assessment


def with_last_submitted(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Annotate `last_submitted`: when each team last submitted an assessment that
    counts (voided ones do not), None when it never did; no extra query."""
    latest = (
        Assessment.objects.submitted()
        .filter(team=OuterRef("pk"))
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )
    return teams.annotate(last_submitted=Subquery(latest))  # type: ignore[no-redef]


@dataclass(frozen=True)
class Overdue:
    """How many of some teams are overdue for an assessment."""

    teams: int
    overdue: int


def count_overdue(teams: QuerySet[Team]) -> Overdue:
    """How many of `teams` there are and how many are overdue (one query)."""
    found = [
        team.is_overdue for team in with_last_submitted(teams.only("created_at", "cadence_days"))
    ]
    return Overdue(len(found), sum(found))
