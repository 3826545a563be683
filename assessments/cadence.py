"""When a team last submitted: what its cadence is measured from (Team.is_overdue)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from maturity import generation
from teams.access import Managed
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


def overdue_condition(now: datetime | None = None) -> Q:
    """On teams annotated with `counted_from` (with_counted_from): those whose cadence
    has passed at `now` (default: now), as Team.is_overdue says, in the database. SQLite
    cannot multiply a duration, so it is one condition per cadence in use (one query)."""
    moment = now or timezone.now()
    late = Q(pk__in=[])  # none
    for days in Team.objects.order_by().values_list("cadence_days", flat=True).distinct():
        late |= Q(cadence_days=days, counted_from__lt=moment - timedelta(days=days))
    return late


def with_counted_from(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Annotate `last_submitted` and `counted_from`: the moment each team's cadence counts
    from, its last counted submission or else its creation."""
    return with_last_submitted(teams).annotate(
        counted_from=Coalesce("last_submitted", "created_at")
    )


@dataclass(frozen=True)
class Overdue:
    """How many of some teams are overdue for an assessment."""

    teams: int
    overdue: int


def count_overdue(teams: QuerySet[Team]) -> Overdue:
    """How many of `teams` there are and how many are overdue (two queries, whatever the
    number of teams)."""
    late = overdue_condition()
    counts = with_counted_from(teams.order_by()).aggregate(
        teams=Count("pk"), overdue=Count("pk", filter=late)
    )
    return Overdue(counts["teams"], counts["overdue"])


OVERDUE_SECONDS = 5 * 60  # how late a team turning overdue as time passes may show


def overdue_managed(scope: Managed) -> Overdue:
    """count_overdue of the teams `scope` covers, as the manager's home shows it: kept
    under the data generation (counted again once a team or assessment is written) and
    the day, for at most OVERDUE_SECONDS."""
    covered = "all" if scope.everything else sorted(scope.units)
    today = timezone.localdate()
    return generation.cached(
        "overdue", (covered, today), lambda: count_overdue(scope.teams()), OVERDUE_SECONDS
    )
