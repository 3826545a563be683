"""A team's members as its leads change them: add, change a role, remove.

Each change runs in a transaction that first locks the team row, so two leads' changes
to one team happen one after the other, and the rules are checked inside the lock: the
one who acts is still a lead, the member is as the page showed them (`was`), and the
team keeps a lead (`keeping_a_lead`, which the admin shares). Every change writes a
MembershipChange, the team's log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Case, QuerySet, Value, When
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format

from .models import AnyUser, Membership, MembershipChange, Team, lock_team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

Role = Membership.Role
Action = MembershipChange.Action
LOG_LENGTH = 50  # the log shows the newest changes only


class Refused(Exception):
    """A change the rules refuse; nothing was changed. The message says why."""


class NotALead(Refused):
    """The one who acts is not (or no longer) a lead of the team."""


class NotOnTeam(Refused):
    """The change names a user who is not, and never was, on the team."""


class AlreadyOnTeam(Refused):
    """The user to add is on the team already."""


class LastLead(Refused):
    """The change would leave the team without a lead."""


class ChangedMeanwhile(Refused):
    """The member's role changed, or they left, since the page was loaded."""


def roster(team: Team) -> list[Membership]:
    """The team's memberships with their users, leads first, then by user name (one
    query)."""
    leads_first = Case(When(role=Role.LEAD, then=Value(0)), default=Value(1))
    return list(
        team.memberships.select_related("user").order_by(leads_first, Lower("user__username"))
    )


def only_lead(roster: list[Membership]) -> int | None:
    """The user id of the team's one active lead, who may be neither demoted nor removed
    (keeps_a_lead); None when there are more, or none."""
    leads = [m.user_id for m in roster if m.role == Role.LEAD and m.user.is_active]
    return leads[0] if len(leads) == 1 else None


def log(team: Team) -> QuerySet[MembershipChange]:
    """The team's newest changes, newest first."""
    return team.membership_changes.all()[:LOG_LENGTH]


def who(change: MembershipChange) -> str:
    """Who made the change: a user name, or the organisation import."""
    return change.by_name or "organisation import"


def what(change: MembershipChange) -> str:
    """What the change did, e.g. "made cy a lead (was a member)"."""
    role = change.get_role_display().lower()
    previous = change.get_previous_role_display().lower()
    if change.action == Action.ADDED:
        return f"added {change.user_name} as a {role}"
    if change.action == Action.ROLE_CHANGED:
        return f"made {change.user_name} a {role} (was a {previous})"
    return f"removed {change.user_name} (was a {previous})"


def add(team: Team, user: User, role: str, *, by: AnyUser) -> MembershipChange:
    """Add the user to the team in the role."""
    with transaction.atomic():
        _lock(team, by)
        if Membership.objects.filter(team=team, user=user).exists():
            raise AlreadyOnTeam(f"{user.get_username()} is on the team already.")
        Membership.objects.create(team=team, user=user, role=role)
        return record(team, by, Action.ADDED, user, role=role)


def change_role(
    team: Team, user_id: int, role: str, *, was: str, by: AnyUser
) -> MembershipChange | None:
    """Give a member another role; None when they have that role already."""
    with transaction.atomic():
        membership = _member(team, user_id, was=was, by=by)
        previous = membership.role
        if role == previous:
            return None
        with keeping_a_lead(team, _only_lead_refusal(membership)):
            membership.role = role
            membership.save(update_fields=["role"])
        return record(team, by, Action.ROLE_CHANGED, membership.user, role, previous)


def remove(team: Team, user_id: int, *, was: str, by: AnyUser) -> MembershipChange:
    """Take a member off the team (a lead may remove themselves while another remains)."""
    with transaction.atomic():
        membership = _member(team, user_id, was=was, by=by)
        with keeping_a_lead(team, _only_lead_refusal(membership)):
            membership.delete()
        return record(team, by, Action.REMOVED, membership.user, previous=membership.role)


def keeps_a_lead(leads_before: Iterable[User], leads_after: Iterable[User]) -> bool:
    """The rule: a team that had an active lead keeps one (it may be another)."""
    return not any(user.is_active for user in leads_before) or any(
        user.is_active for user in leads_after
    )


@contextmanager
def keeping_a_lead(team: Team, refusal: str) -> Iterator[None]:
    """Make the changes inside under the team's row lock, and undo them with
    LastLead(refusal) when the team's leads in the database, before and after, break
    keeps_a_lead. The members page and the admin both change members through this."""
    with transaction.atomic():
        lock_team(team.pk)
        before = _leads(team)
        yield
        if not keeps_a_lead(before, _leads(team)):
            raise LastLead(refusal)


def _leads(team: Team) -> list[User]:
    """The team's leads, active or not (one query)."""
    leads = Membership.objects.filter(team=team, role=Role.LEAD).select_related("user")
    return [membership.user for membership in leads]


def _lock(team: Team, by: AnyUser) -> None:
    """Lock the team row until the transaction ends; refuse unless `by` is a lead."""
    lock_team(team.pk)
    if not Membership.objects.filter(team=team, user=by.pk, role=Role.LEAD).exists():
        last = _last_change(team, by.pk)
        since = f" {_said(last)}." if last else ""
        raise NotALead(f"Only the team's leads change its members.{since}")


def _member(team: Team, user_id: int, *, was: str, by: AnyUser) -> Membership:
    """The membership the page showed, under the team's lock; refused when it is gone or
    its role is no longer `was`."""
    _lock(team, by)
    membership = (
        Membership.objects.select_related("user").filter(team=team, user_id=user_id).first()
    )
    if membership is not None and membership.role == was:
        return membership
    last = _last_change(team, user_id)
    if membership is not None:
        now = f"{membership.user.get_username()} is a {membership.get_role_display().lower()}"
    elif last is not None:
        now = f"{last.user_name} is no longer on the team"
    else:
        raise NotOnTeam("That user is not on the team.")
    since = f": {_said(last)}" if last else ""
    raise ChangedMeanwhile(f"Since this page was loaded, {now}{since}.")


def _only_lead_refusal(membership: Membership) -> str:
    name = membership.user.get_username()
    return f"{name} is the team's only lead: make someone else a lead first, so the team keeps one."


def _last_change(team: Team, user_id: int | None) -> MembershipChange | None:
    return MembershipChange.objects.filter(team=team, user=user_id).first()


def _said(change: MembershipChange) -> str:
    when = date_format(timezone.localtime(change.at), "j M Y, H:i")
    return f"{who(change)} {what(change)} ({when})"


def record(
    team: Team,
    by: AnyUser,
    action: str,
    user: User,
    role: str = "",
    previous: str = "",
) -> MembershipChange:
    return MembershipChange.objects.create(
        team=team,
        by_id=by.pk,
        by_name=by.get_username(),
        action=action,
        user=user,
        user_name=user.get_username(),
        role=role,
        previous_role=previous,
    )
