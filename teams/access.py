"""Who may see which team. Each helper returns the object for a user allowed to see it
and raises Http404 for anyone else, so outsiders learn nothing, not even that it exists.

Members see and edit their teams. Managers read: global managers (superusers and users
granted `teams.view_all_teams`, directly or through a group such as "Managers") every
team, a unit's managers the teams of the unit and of every unit below it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from maturity import generation
from maturity.compiled import CompiledQuery, placeholder, text_placeholder

from .models import AnyUser, Membership, Team, Unit


@dataclass(frozen=True)
class Managed:
    """What a user manages: every team (`everything`), or the teams of `units`, the
    units they manage and every unit below those."""

    everything: bool
    units: frozenset[int]

    def __bool__(self) -> bool:
        return self.everything or bool(self.units)

    def covers(self, team: Team) -> bool:
        return self.everything or team.unit_id in self.units

    def teams(self) -> QuerySet[Team]:
        """The teams managed (filtered in the database, not by a list of teams)."""
        if self.everything:
            return Team.objects.all()
        return Team.objects.filter(unit__in=self.units)


NOTHING = Managed(everything=False, units=frozenset())


MANAGER_FLAGS = ("granted_every_team", "manages_a_unit")


def manager_flags() -> dict[str, Exists]:
    """Annotations of a User query: whether the user is granted every team (directly or
    through a group), and whether they manage a unit."""
    granted = Permission.objects.filter(
        content_type__app_label="teams", codename="view_all_teams"
    ).filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))
    manages = Unit.objects.filter(managers=OuterRef("pk"))
    return dict(zip(MANAGER_FLAGS, (Exists(granted), Exists(manages)), strict=True))


def _manager_flags(user: User) -> tuple[bool, bool]:
    """(granted every team, manages a unit): read with the user when the sign-in backend
    (config.auth) annotated them, else in one query."""
    if all(hasattr(user, flag) for flag in MANAGER_FLAGS):
        return (getattr(user, MANAGER_FLAGS[0]), getattr(user, MANAGER_FLAGS[1]))
    row = User.objects.filter(pk=user.pk).values_list(*manager_flags().values()).first()
    return row or (False, False)


def below(roots: Iterable[int], parents: dict[int, int | None]) -> frozenset[int]:
    """The units `roots` and every unit below them, given each unit's parent."""
    children: dict[int | None, list[int]] = {}
    for unit, parent in parents.items():
        children.setdefault(parent, []).append(unit)
    found: set[int] = set()
    todo = list(roots)
    while todo:
        unit = todo.pop()
        if unit not in found:
            found.add(unit)
            todo.extend(children.get(unit, ()))
    return frozenset(found)


def unit_parents() -> dict[int, int | None]:
    """Each unit's parent (one query)."""
    return dict(Unit.objects.values_list("pk", "parent_id"))


def managed(user: AnyUser) -> Managed:
    """What the user manages (at most two queries per request: the answer is kept on the
    user object, which lives for one request)."""
    if not (user.is_authenticated and user.is_active):
        return NOTHING
    if user.is_superuser:
        return Managed(everything=True, units=frozenset())
    kept: Managed | None = getattr(user, "_managed", None)
    if kept is None:
        everything, manages_units = _manager_flags(user)
        units: frozenset[int] = frozenset()
        if manages_units and not everything:
            roots = user.managed_units.values_list("pk", flat=True)  # type: ignore[union-attr]
            units = below(roots, unit_parents())
        kept = Managed(everything, units)
        user._managed = kept  # type: ignore[union-attr,attr-defined]
    return kept


def is_manager(user: AnyUser) -> bool:
    """Whether the user manages any team: offered the dashboard."""
    return bool(managed(user))


def visible_teams(user: AnyUser) -> QuerySet[Team]:
    """The teams the user may see: their own and those they manage."""
    scope = managed(user)
    if scope.everything:
        return Team.objects.all()
    own = Exists(Membership.objects.filter(team=OuterRef("pk"), user=user.pk))
    return Team.objects.filter(own | Q(unit__in=scope.units))


def teams_seen_by(user: AnyUser) -> object:
    """What decides which teams visible_teams gives the user, as part of a cache key:
    "all", or the units they manage and the teams they belong to (one query)."""
    scope = managed(user)
    if scope.everything:
        return "all"
    own = Membership.objects.filter(user=user.pk).values_list("team", flat=True)
    return (sorted(scope.units), sorted(own))


# Stand for the request's user and team while TEAM_FOR_USER's SQL is compiled.
USER_ID, SLUG = placeholder(), text_placeholder()

# The team with its unit and whether the user is a member: asked on every page of a team,
# so compiled once per process (maturity.compiled).
TEAM_FOR_USER = CompiledQuery(
    lambda: (
        Team.objects.select_related("unit")
        .with_membership(get_user_model()(pk=USER_ID))
        .filter(slug=SLUG)
    )
)


TEAM_SECONDS = 5 * 60


def get_team_for_user(user: AnyUser, slug: str, *, to_edit: bool = False) -> Team:
    """A team its members may see and edit; its managers may see it (read-only)."""
    team = _team_for_user(user.pk, slug)
    if team is not None and (team.is_member or (not to_edit and managed(user).covers(team))):
        return team
    raise Http404("No team matches the given query.")


def _team_for_user(user_id: int | None, slug: str) -> Team | None:
    """The team with its unit and whether the user is a member (one query), kept under
    the data generation, which every write of a team, a unit or a membership moves on.
    Each caller gets its own copy: a view may change its team's fields."""
    return generation.cached_copy(
        "team-for-user",
        (user_id, slug),
        lambda: next(iter(TEAM_FOR_USER.objects({USER_ID: user_id, SLUG: slug})), None),
        TEAM_SECONDS,
    )


def require_manager(user: AnyUser) -> Managed:
    """The managers' pages are for managers only; anyone else gets 404."""
    scope = managed(user)
    if not scope:
        raise Http404("No such page.")
    return scope
