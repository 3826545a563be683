"""The dashboard's Targets column: per team, how many of its targets in the model's
categories are on track (reached, or due date not passed) and how many are behind."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from dashboard.data import Cell, ListedTeam, TargetsState, TeamRow, targets_state
from dashboard.sections import targets_text
from dashboard.stats import sort_rows
from maturity import generation
from maturity.models import MaturityModel
from planning.models import Target
from teams.models import Team

from .conftest import answer_all, up_to

TODAY = date(2026, 6, 15)
PAST, FUTURE = TODAY - timedelta(days=1), TODAY + timedelta(days=1)


def submit(team: Team, model: MaturityModel, user: User, level: int, days_ago: int = 1) -> None:
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, up_to(level))
    assessment.submit(user, at=timezone.now() - timedelta(days=days_ago))


def aim(team: Team, **targets: tuple[int, int]) -> None:
    """Targets by category slug: (level, days from today until due; negative: passed)."""
    today = timezone.localdate()
    Target.objects.set_for(
        team,
        {slug: (level, today + timedelta(days=days)) for slug, (level, days) in targets.items()},
    )


@pytest.fixture
def manager_client(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client


@pytest.fixture
def planned(cd_model: MaturityModel, member: User, payments: Team, mobile: Team) -> dict[str, Team]:
    """Payments at level 1 everywhere, one of three targets behind; Mobile at 2, both
    targets on track; Idle never assessed, its one target not yet due; Dormant at 0
    without targets."""
    submit(payments, cd_model, member, 1)
    aim(
        payments,
        build=(1, -30),  # reached, though its date has passed: on track
        testing=(3, 30),  # not reached, due later: on track
        data=(2, -1),  # not reached, due yesterday: behind
    )
    submit(mobile, cd_model, member, 2)
    aim(mobile, build=(2, -5), environments=(3, 0))  # reached; due today is not passed
    idle = Team.objects.create(name="Idle", slug="idle")
    aim(idle, release=(1, 10))
    dormant = Team.objects.create(name="Dormant", slug="dormant")
    submit(dormant, cd_model, member, 0)
    return {"payments": payments, "mobile": mobile, "idle": idle, "dormant": dormant}


def heat_row(page: str, name: str) -> str:
    table = page.split('class="table table-sm align-middle heatmap"')[1].split("</table>")[0]
    return table.split(f">{name}</a>")[1].split("</tr>")[0]


def targets_cell(page: str, name: str) -> str:
    return heat_row(page, name).split('class="text-end text-nowrap targets">')[1].split("</td>")[0]


# The rule, on plain values


@pytest.mark.parametrize(
    ("level", "due", "latest", "on_track"),
    [
        (2, PAST, Cell(2, 2.0), True),  # reached: on track whatever the date
        (2, PAST, Cell(3, 3.0), True),
        (2, FUTURE, Cell(1, 1.0), True),  # not reached, not due yet
        (2, TODAY, Cell(1, 1.0), True),  # due today is not passed
        (2, PAST, Cell(1, 1.0), False),  # due date passed: behind
        (0, FUTURE, Cell(None, None), True),  # not scored: no level, not due yet
        (0, PAST, Cell(None, None), False),  # not scored, due date passed: behind
        (0, FUTURE, None, True),  # not in the latest result (or never assessed)
        (0, PAST, None, False),
    ],
)
def test_a_target_is_on_track_when_reached_or_not_yet_due(
    level: int, due: date, latest: Cell | None, on_track: bool
) -> None:
    cells = {"build": latest} if latest else {}
    expected = TargetsState(1, 0) if on_track else TargetsState(0, 1)
    assert targets_state([("build", level, due)], cells, TODAY) == expected


def test_targets_state_counts_each_and_is_none_without_targets() -> None:
    cells = {"build": Cell(2, 2.0), "testing": Cell(0, 0.5)}
    targets = [("build", 2, PAST), ("testing", 1, PAST), ("data", 1, PAST), ("env", 3, FUTURE)]
    state = targets_state(targets, cells, TODAY)
    assert state == TargetsState(on_track=2, behind=2) and state.total == 4
    assert targets_state([], cells, TODAY) is None


def test_the_cell_reads_on_track_or_behind_of_all_with_a_badge() -> None:
    assert targets_text(TargetsState(2, 0)) == ("2 on track", "badge text-bg-success")
    assert targets_text(TargetsState(2, 1)) == ("1 behind of 3", "badge text-bg-danger")
    assert targets_text(None) == ("–", "")


# The page


def test_the_heatmap_shows_each_teams_targets_after_the_checks(
    manager_client: Client, planned: dict[str, Team]
) -> None:
    response = manager_client.get(reverse("dashboard"))
    page = response.content.decode()
    headings = page.split("<thead>")[1].split("</thead>")[0]
    assert headings.index(">Checks fired</a>") < headings.index(">Targets</a>")
    assert 'aria-describedby="targets-help"' in headings and 'id="targets-help"' in page
    assert "1 behind of 3" in targets_cell(page, "Payments")
    assert "badge text-bg-danger" in targets_cell(page, "Payments")
    assert "2 on track" in targets_cell(page, "Mobile")
    assert "badge text-bg-success" in targets_cell(page, "Mobile")
    assert reverse("team_plan", args=["mobile"]) in targets_cell(page, "Mobile")
    assert "1 on track" in targets_cell(page, "Idle")  # not assessed, not due yet
    assert "not assessed" in heat_row(page, "Idle")
    assert "–" in targets_cell(page, "Dormant") and "badge" not in targets_cell(page, "Dormant")
    assert "style=" not in heat_row(page, "Payments")  # CSP: classes only
    states = {shown.row.team.slug: shown.row.targets for shown in response.context["rows"]}
    assert states == {
        "dormant": None,
        "idle": TargetsState(1, 0),
        "mobile": TargetsState(2, 0),
        "payments": TargetsState(2, 1),
    }


def test_an_unassessed_teams_target_is_behind_once_its_date_has_passed(
    manager_client: Client, planned: dict[str, Team]
) -> None:
    aim(planned["idle"], release=(1, -1))
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert "1 behind of 1" in targets_cell(page, "Idle")


def test_targets_outside_the_models_categories_are_left_out(
    manager_client: Client, planned: dict[str, Team]
) -> None:
    Target.objects.create(team=planned["dormant"], category="retired", level=1, due=PAST)
    Target.objects.create(team=planned["mobile"], category="retired", level=3, due=PAST)
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert "–" in targets_cell(page, "Dormant")  # none in this model: as without targets
    assert "2 on track" in targets_cell(page, "Mobile")


@pytest.mark.parametrize(("days", "shown"), [(5, "1 on track"), (-5, "1 behind of 1")])
def test_a_category_not_scored_is_behind_only_once_its_date_has_passed(
    manager_client: Client,
    cd_model: MaturityModel,
    member: User,
    payments: Team,
    days: int,
    shown: str,
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    entries = []
    for category in assessment.tree().categories:
        for practice in category.practices:
            na = category.slug == "data"
            entries.append((practice.id, "na" if na else "yes", "Not ours." if na else ""))
    assert assessment.save_answers(entries).clean
    assessment.submit(member)
    aim(payments, data=(0, days))  # the data category has no level
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert shown in targets_cell(page, "Payments")


def test_a_period_filter_judges_targets_against_the_latest_result_still(
    manager_client: Client, planned: dict[str, Team], cd_model: MaturityModel, member: User
) -> None:
    old = Team.objects.create(name="Old", slug="old")
    submit(old, cd_model, member, 3, days_ago=200)
    aim(old, build=(3, -10))
    page = manager_client.get(reverse("dashboard"), {"within": "90"}).content.decode()
    assert "not assessed in this period" in heat_row(page, "Old")
    assert "1 on track" in targets_cell(page, "Old")  # reached 200 days ago


# Sorting


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("desc", ["payments", "idle", "mobile", "dormant"]),
        ("asc", ["idle", "mobile", "payments", "dormant"]),
    ],
)
def test_the_heatmap_sorts_by_the_number_of_targets_behind(
    manager_client: Client, planned: dict[str, Team], direction: str, expected: list[str]
) -> None:
    response = manager_client.get(reverse("dashboard"), {"sort": "targets", "dir": direction})
    assert [shown.row.team.slug for shown in response.context["rows"]] == expected
    link = next(link for link in response.context["trailing_links"] if link.key == "targets")
    assert link.state == ("descending" if direction == "desc" else "ascending")


def listed(name: str) -> ListedTeam:
    """A team as the dashboard lists it, in no unit and never assessed."""
    return ListedTeam(0, name, name.lower(), None, 90, None, timezone.now())


def test_sort_rows_by_targets_puts_teams_without_targets_last_then_by_name() -> None:
    rows = [
        TeamRow(listed("Without")),
        TeamRow(listed("Zero"), targets=TargetsState(1, 0)),
        TeamRow(listed("One"), targets=TargetsState(4, 1)),
        TeamRow(listed("Many"), targets=TargetsState(0, 3)),
    ]
    assert [r.team.name for r in sort_rows(rows, "targets", descending=True)] == [
        "Many",
        "One",
        "Zero",
        "Without",
    ]
    assert [r.team.name for r in sort_rows(rows, "targets", descending=False)] == [
        "Zero",
        "One",
        "Many",
        "Without",
    ]


# The CSV


def test_the_csv_has_the_number_of_targets_behind(
    manager_client: Client, planned: dict[str, Team]
) -> None:
    content = manager_client.get(reverse("dashboard_csv")).content.decode("utf-8")
    table = list(csv.reader(io.StringIO(content)))
    header = table[0]
    assert header[-4:-2] == ["checks_fired", "targets_behind"]
    behind = {line[1]: line[-3] for line in table[1:]}
    assert behind == {"dormant": "", "idle": "0", "mobile": "0", "payments": "1"}
    assert all(len(line) == len(header) for line in table)


# Access


def test_only_managers_see_the_targets_of_every_team(
    client: Client, planned: dict[str, Team], member: User, outsider: User, manager: User
) -> None:
    for user in (member, outsider):
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 404
        assert client.get(reverse("dashboard_csv")).status_code == 404
    client.logout()
    assert client.get(reverse("dashboard")).status_code == 302
    assert client.get(reverse("dashboard_csv")).status_code == 302
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert "1 behind of 3" in page
    assert client.get(reverse("team_plan", args=["payments"])).status_code == 200  # the link


# Queries


@pytest.mark.parametrize("teams", [2, 30])
def test_targets_cost_one_query_whatever_the_number_of_teams_and_targets(
    manager_client: Client,
    cd_model: MaturityModel,
    member: User,
    teams: int,
    django_assert_num_queries: object,
) -> None:
    slugs = list(cd_model.categories.values_list("slug", flat=True))
    for index in range(teams):
        team = Team.objects.create(name=f"Team {index:02}", slug=f"team-{index}")
        if index % 2:
            submit(team, cd_model, member, index % 4, days_ago=index + 1)
        aim(team, **{slug: (2, index - teams // 2) for slug in slugs[: index % 6 + 1]})
    assert Target.objects.count() >= teams
    # session, user and the manager check, active models with levels, units, teams with
    # their latest assessment and targets, the categories with the latest scores counted,
    # results of each team's latest two assessments (to sort by targets), the checks fired
    # of the page's teams, the quarterly trend
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = manager_client.get(reverse("dashboard"), {"sort": "targets"})
    assert response.status_code == 200
    with_targets = [shown for shown in response.context["rows"] if shown.row.targets]
    assert len(with_targets) == teams  # the member's Payments has none
    # the CSV: the categories not counted, every team's results and checks fired, no trend
    cache.clear()  # with a shared cache, the active models would come from it
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = manager_client.get(reverse("dashboard_csv"))
    assert len(response.content.decode().splitlines()) == teams + 2  # Payments, header


# With a shared cache


@pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_with_a_shared_cache_a_saved_target_shows_on_the_next_request(
    manager_client: Client, planned: dict[str, Team]
) -> None:
    url = reverse("dashboard")
    assert "1 behind of 3" in targets_cell(manager_client.get(url).content.decode(), "Payments")
    aim(planned["payments"], data=(2, 30))  # as the plan page saves them
    assert "3 on track" in targets_cell(manager_client.get(url).content.decode(), "Payments")
    target = Target.objects.get(team=planned["mobile"], category="environments")
    target.due = timezone.localdate() - timedelta(days=1)
    target.save()
    assert "1 behind of 2" in targets_cell(manager_client.get(url).content.decode(), "Mobile")
