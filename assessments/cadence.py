"""When a team last submitted: what its cadence is measured from (Team.is_overdue)."""

from __future__ import annotations

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
