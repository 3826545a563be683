"""Who may see what. Each helper returns the object for a user allowed to see it
and raises Http404 for anyone else, so outsiders learn nothing, not even that it exists."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import AnyUser, Assessment, Team, is_manager


def get_team_for_user(user: AnyUser, slug: str, *, to_edit: bool = False) -> Team:
    """A team its members may see and edit; managers may see every team (read-only)."""
    team = get_object_or_404(Team.objects.with_membership(user), slug=slug)
    if team.is_member or (not to_edit and is_manager(user)):
        return team
    raise Http404("No team matches the given query.")


def get_assessment_for_user(user: AnyUser, pk: int, *, to_edit: bool = False) -> Assessment:
    """Members see and edit their team's assessments; managers see submitted ones."""
    assessment = get_object_or_404(
        Assessment.objects.select_related("team", "model").with_membership(user), pk=pk
    )
    if assessment.is_member or (not to_edit and not assessment.is_draft and is_manager(user)):
        return assessment
    raise Http404("No assessment matches the given query.")


def require_manager(user: AnyUser) -> None:
    """The dashboard is for managers only; anyone else gets 404."""
    if not is_manager(user):
        raise Http404("No such page.")
