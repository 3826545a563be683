"""Two admins, or an admin and a lead on the members page, take away a team's two leads
at once, on PostgreSQL. Each checks the rule inside the team row's lock, on the rows in
the database, so whichever comes second is refused (or, in the admin, makes its form's
roster the team's again): the team never ends without a lead, and nobody sees an error
page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from teams.admin import NO_LEAD_LEFT_MEANWHILE
from teams.models import Membership, Team

from .test_concurrency import after, at_once, messages_after, post, signed_in

if TYPE_CHECKING:  # what the test client returns
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writes, so there is no race to test",
)
ROUNDS = 4  # per scenario; each round starts the second side a little later than the last
LEAD, MEMBER = Membership.Role.LEAD, Membership.Role.MEMBER
START: dict[str, str] = {"ann": LEAD, "bo": LEAD, "cy": MEMBER}  # as every page shows it
Roster = dict[str, tuple[str, bool]]  # the admin's form: user -> (role, delete)


def roster(**changes: tuple[str, bool]) -> Roster:
    """The admin's form: the team as START, with the changes."""
    return {name: changes.get(name, (role, False)) for name, role in START.items()}


@dataclass(frozen=True)
class Scenario:
    """One admin sends `admin`; at once, another sends `other`, or (None) bo leaves the
    team on the members page."""

    name: str
    admin: Roster
    other: Roster | None


DEMOTE_ANN, DEMOTE_BO = roster(ann=(MEMBER, False)), roster(bo=(MEMBER, False))
SCENARIOS = [
    Scenario("two admins demote one lead each", DEMOTE_ANN, DEMOTE_BO),
    Scenario("two admins remove one lead each", roster(ann=(LEAD, True)), roster(bo=(LEAD, True))),
    Scenario("an admin demotes one lead as the other leaves", DEMOTE_ANN, None),
]


def admin_form(team: Team, people: dict[str, User], rows: Roster) -> dict[str, str]:
    """The admin's team form as its page sends it."""
    ids = dict(team.memberships.values_list("user__username", "pk"))
    data = {
        "name": team.name,
        "slug": team.slug,
        "cadence_days": str(team.cadence_days),
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for index, (name, (role, delete)) in enumerate(rows.items()):
        prefix = f"memberships-{index}-"
        data |= {prefix + "id": str(ids[name]), prefix + "team": str(team.pk)}
        data |= {prefix + "user": str(people[name].pk), prefix + "role": role}
        if delete:
            data[prefix + "DELETE"] = "on"
    return data


def reset(team: Team, people: dict[str, User]) -> None:
    """The team as START says, with an empty log."""
    team.membership_changes.all().delete()
    team.memberships.all().delete()
    Membership.objects.bulk_create(
        Membership(team=team, user=people[name], role=role) for name, role in START.items()
    )


@pytest.mark.django_db(transaction=True)
def test_the_team_keeps_a_lead_whoever_saves_first(django_user_model: type[User]) -> None:
    team = Team.objects.create(name="Payments", slug="payments")
    people = {name: django_user_model.objects.create_user(name) for name in START}
    al, di = (signed_in(django_user_model.objects.create_superuser(name)) for name in ["al", "di"])
    bo = signed_in(people["bo"])
    change_page = reverse("admin:teams_team_change", args=[team.pk])
    leave = {"action": "remove", "user": str(people["bo"].pk), "was": LEAD}
    refused_in_admin = 0
    for round_ in range(ROUNDS):
        for scenario in SCENARIOS:
            reset(team, people)
            others: tuple[Client, Callable[[], Response]]
            if scenario.other is None:
                others = bo, post(bo, reverse("team_members", args=[team.slug]), leave)
            else:
                others = di, post(di, change_page, admin_form(team, people, scenario.other))
            responses = at_once(
                post(al, change_page, admin_form(team, people, scenario.admin)),
                after(0.002 * round_, others[1]),
            )
            statuses = [response.status_code for response in responses]
            assert 500 not in statuses, (scenario.name, statuses)
            leads = team.memberships.filter(role=LEAD)
            assert leads.exists(), (scenario.name, statuses)
            for client, response in zip((al, others[0]), responses, strict=True):
                said = messages_after(client, response)  # read by every round, so its own
                if response.status_code == 302 and response["Location"] == change_page:
                    assert said == [NO_LEAD_LEFT_MEANWHILE], scenario.name
                    refused_in_admin += 1
    assert refused_in_admin, "no round raced: the check under the lock was never needed"
