"""Who may see which team. Each helper returns the object for a user allowed to see it
and raises Http404 for anyone else, so outsiders learn nothing, not even that it exists."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import AnyUser, Team


def is_manager(user: AnyUser) -> bool:
    """Whether the user may see every team's results, read-only: superusers, and active
    users granted `teams.view_all_teams` directly or through a group such as
    "Managers". One query at most per request: the answer is kept on the user object."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_is_manager"):
        granted = Permission.objects.filter(
            content_type__app_label="teams", codename="view_all_teams"
        ).filter(Q(user=user) | Q(group__user=user))
        user._is_manager = granted.exists()  # type: ignore[union-attr,attr-defined]
    return bool(user._is_manager)  # type: ignore[union-attr,attr-defined]


def get_team_for_user(user: AnyUser, slug: str, *, to_edit: bool = False) -> Team:
    """A team its members may see and edit; managers may see every team (read-only)."""
    team = get_object_or_404(Team.objects.with_membership(user), slug=slug)
    if team.is_member or (not to_edit and is_manager(user)):
        return team
    raise Http404("No team matches the given query.")


def require_manager(user: AnyUser) -> None:
    """The managers' pages are for managers only; anyone else gets 404."""
    if not is_manager(user):
        raise Http404("No such page.")
