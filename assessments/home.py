"""What the home page reads for the signed-in user: their teams with each one's latest
result, and their teams' drafts. Asked on nearly every visit, so each query is compiled
once per process (maturity.compiled), with the user's id bound on each run, and what
they read is kept under the data generation, which every write of it moves on (a
membership, a team, a submission or void, a draft started or discarded, a model's or a
user's name)."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet

from maturity import generation
from maturity.compiled import CompiledQuery, placeholder
from teams.models import AnyUser, Team

from .history import TeamSummary, latest_of, submission_rows, submissions_of
from .models import Assessment

USER_ID = placeholder()  # stands for the user's id while the queries below are compiled

MY_TEAMS = CompiledQuery(lambda: Team.objects.filter(memberships__user=USER_ID).order_by("name"))

# The latest counted assessment of each of the user's teams, with its results.
LATEST_OF_MY_TEAMS = CompiledQuery(
    lambda: submission_rows(
        Assessment.objects.filter(
            team__memberships__user=USER_ID,
            pk=latest_of(OuterRef("team")),
        )
    )
)


def _drafts() -> QuerySet[Assessment]:
    return (
        Assessment.objects.drafts()
        .filter(team__memberships__user=USER_ID)
        .select_related("team", "model", "created_by")
        .only("created_at", "team__name", "model__name", "model__version", "created_by__username")
        .order_by("-created_at")
    )


DRAFTS_OF_MY_TEAMS = CompiledQuery(_drafts)


KEPT_SECONDS = 5 * 60


def team_summaries(user: AnyUser) -> list[TeamSummary]:
    """Each of the user's teams, by name, with its latest result: overall score and
    weakest category (two queries; one when they are on no team), kept."""
    return generation.cached("my-teams", user.pk, lambda: _team_summaries(user), KEPT_SECONDS)


def _team_summaries(user: AnyUser) -> list[TeamSummary]:
    teams: list[Team] = MY_TEAMS.objects({USER_ID: user.pk})
    if not teams:
        return []
    rows = LATEST_OF_MY_TEAMS.rows({USER_ID: user.pk})
    latest = {submission.team_id: submission for submission in submissions_of(rows)}
    return [TeamSummary(team, latest.get(team.pk)) for team in teams]


def drafts(user: AnyUser) -> list[Assessment]:
    """The drafts of the user's teams, the newest first, with their teams, models and
    who started them (one query), kept."""
    return generation.cached(
        "my-drafts", user.pk, lambda: DRAFTS_OF_MY_TEAMS.objects({USER_ID: user.pk}), KEPT_SECONDS
    )
