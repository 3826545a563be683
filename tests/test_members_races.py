"""Two leads change the same team's members at once, on PostgreSQL. The team row lock
makes their changes one after the other: every change that was acknowledged is in the
log and in the team, each was made on the state its page showed (a change to a member
a teammate changed meanwhile is refused), and the team never has zero leads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from teams.models import Membership, MembershipChange, Team

from .test_concurrency import after, at_once, post, signed_in

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writes, so there is no race to test",
)
ROUNDS = 4  # per scenario; each round starts one side a little later than the last
LEAD, MEMBER = Membership.Role.LEAD, Membership.Role.MEMBER
# Every round starts from this team, as both leads' pages show it.
START: dict[str, str] = {"ann": LEAD, "bo": LEAD, "cy": MEMBER, "dee": MEMBER}


@dataclass(frozen=True)
class Scenario:
    """What ann and bo send at once, and the statuses they get, in either order."""

    name: str
    ann: dict[str, str]
    bo: dict[str, str]
    statuses: list[int]


def role(user: str, to: str) -> dict[str, str]:
    return {"action": "role", "user": user, "role": to, "was": START[user]}


def remove(user: str) -> dict[str, str]:
    return {"action": "remove", "user": user, "was": START[user]}


def add(who: str, as_role: str) -> dict[str, str]:
    return {"action": "add", "who": who, "role": as_role}


SCENARIOS = [
    # The loser is no longer a lead: 403 (or 404 once off the team).
    Scenario("demote each other", role("bo", MEMBER), role("ann", MEMBER), [302, 403]),
    Scenario("remove each other", remove("bo"), remove("ann"), [302, 403, 404]),
    # The second would leave no lead.
    Scenario("both step down", role("ann", MEMBER), role("bo", MEMBER), [302, 409]),
    Scenario("both leave", remove("ann"), remove("bo"), [302, 409]),
    # Both change one member: the second page is stale.
    Scenario("promote versus remove", role("cy", LEAD), remove("cy"), [302, 409]),
    Scenario("both add one user", add("eve", MEMBER), add("eve", LEAD), [302, 400]),
    # Changes to different members both count.
    Scenario("different members", role("cy", LEAD), remove("dee"), [302, 302]),
]


def ids_of(data: dict[str, str], people: dict[str, User]) -> dict[str, str]:
    """The form as a page sends it: users by id."""
    return {k: str(people[v].pk) if k == "user" else v for k, v in data.items()}


def reset(team: Team, people: dict[str, User]) -> None:
    """The team as START says, with an empty log."""
    team.membership_changes.all().delete()
    team.memberships.all().delete()
    Membership.objects.bulk_create(
        Membership(team=team, user=people[name], role=start) for name, start in START.items()
    )


def replay(changes: list[MembershipChange]) -> dict[str, str]:
    """The team that the logged changes make of START, checking on the way that each was
    made on the state before it, which is the state its page showed, and that no change
    left the team without a lead."""
    team = dict(START)
    for change in changes:
        before = team.get(change.user_name, "")
        assert change.previous_role == before, f"made on a state it did not see: {change}"
        assert change.previous_role == START.get(change.user_name, ""), f"stale page: {change}"
        if change.action == MembershipChange.Action.REMOVED:
            del team[change.user_name]
        else:
            team[change.user_name] = change.role
        assert LEAD in team.values(), f"no lead left after: {change}"
    return team


@pytest.mark.django_db(transaction=True)
def test_two_leads_change_members_at_once_and_no_change_is_lost(
    django_user_model: type[User],
) -> None:
    team = Team.objects.create(name="Payments", slug="payments")
    people = {name: django_user_model.objects.create_user(name) for name in [*START, "eve"]}
    ann, bo = signed_in(people["ann"]), signed_in(people["bo"])
    url = reverse("team_members", args=[team.slug])
    for round_ in range(ROUNDS):
        for scenario in SCENARIOS:
            reset(team, people)
            responses = at_once(
                post(ann, url, ids_of(scenario.ann, people)),
                after(0.002 * round_, post(bo, url, ids_of(scenario.bo, people))),
            )
            statuses = [response.status_code for response in responses]
            assert set(statuses) <= set(scenario.statuses), (scenario.name, statuses)
            assert statuses.count(302) == scenario.statuses.count(302), (scenario.name, statuses)
            changes = list(team.membership_changes.order_by("pk"))
            assert len(changes) == statuses.count(302), (scenario.name, statuses, changes)
            now = dict(team.memberships.values_list("user__username", "role"))
            assert now == replay(changes), scenario.name
