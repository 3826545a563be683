"""Units: a unit's managers see the teams of the unit and below it (pages, dashboard,
CSV), the dashboard filters by unit and rolls teams up per unit, and teams are overdue
once their cadence has passed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from dashboard.rollup import Units
from maturity import generation
from maturity.models import MaturityModel
from teams.access import managed
from teams.models import Team, Unit

from .test_dashboard import submit_at


@pytest.fixture
def scored(
    units: dict[str, Unit], cd_model: MaturityModel, member: User, payments: Team, mobile: Team
) -> dict[str, Team]:
    """Payments (level 2) and Checkout (level 0) in Payments platform, Mobile (level 1)
    in Sales, Loose (never assessed, made 100 days ago) in no unit."""
    checkout = Team.objects.create(name="Checkout", slug="checkout", unit=units["platform"])
    loose = Team.objects.create(
        name="Loose", slug="loose", created_at=timezone.now() - timedelta(days=100)
    )
    submit_at(payments, cd_model, member, 2, days_ago=10)
    submit_at(checkout, cd_model, member, 0, days_ago=200)
    submit_at(mobile, cd_model, member, 1, days_ago=30)
    return {"payments": payments, "checkout": checkout, "mobile": mobile, "loose": loose}


def heatmap_teams(page: str) -> list[str]:
    table = page.split('class="table table-sm align-middle heatmap"')[1].split("</table>")[0]
    return [cell.split("</a>")[0] for cell in table.split('<th scope="row"><a href="')[1:]]


def names(page_teams: list[str]) -> list[str]:
    return [cell.split(">", 1)[1] for cell in page_teams]


def rollup_rows(page: str) -> dict[str, list[str]]:
    table = page.split('class="table table-sm align-middle rollup-table"')[1].split("</table>")[0]
    rows = {}
    for row in table.split("<tbody>")[1].split("<tr>")[1:]:
        head, *cells = row.split("<td")
        label = head.split("</th>")[0].rsplit(">", 2)[-2].split("<")[0]
        rows[label] = [cell.split(">", 1)[1].split("</td>")[0] for cell in cells]
    return rows


# Who sees what


def test_a_unit_manager_manages_the_units_below_theirs(
    unit_manager: User, units: dict[str, Unit]
) -> None:
    scope = managed(unit_manager)
    assert scope.units == {units["engineering"].pk, units["platform"].pk}
    assert not scope.everything


def test_a_unit_manager_sees_only_their_units_teams_on_the_dashboard_and_csv(
    client: Client, unit_manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(unit_manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert names(heatmap_teams(page)) == ["Checkout", "Payments"]
    assert "Mobile" not in page and "Loose" not in page
    content = client.get(reverse("dashboard_csv")).content.decode()
    assert [row[1] for row in csv.reader(io.StringIO(content))][1:] == ["checkout", "payments"]


def test_a_unit_outside_the_managers_units_is_not_offered_and_is_ignored(
    client: Client, unit_manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(unit_manager)
    page = client.get(reverse("dashboard"), {"unit": "sales"}).content.decode()
    assert "Some filters were not understood" in page
    assert names(heatmap_teams(page)) == ["Checkout", "Payments"]
    assert ">Sales<" not in page
    content = client.get(reverse("dashboard_csv"), {"unit": "sales"}).content.decode()
    assert "mobile" not in content


def test_a_removed_unit_manager_no_longer_sees_the_teams(
    client: Client, unit_manager: User, units: dict[str, Unit], scored: dict[str, Team]
) -> None:
    client.force_login(unit_manager)
    assert client.get(reverse("team_detail", args=["payments"])).status_code == 200
    units["engineering"].managers.remove(unit_manager)
    assert client.get(reverse("team_detail", args=["payments"])).status_code == 404
    assert client.get(reverse("dashboard")).status_code == 404


def test_a_team_moved_out_of_the_unit_is_no_longer_seen(
    client: Client, unit_manager: User, units: dict[str, Unit], scored: dict[str, Team]
) -> None:
    client.force_login(unit_manager)
    result = Assessment.objects.submitted().get(team=scored["payments"])
    assert client.get(reverse("assessment_result", args=[result.pk])).status_code == 200
    payments = scored["payments"]
    payments.unit = units["sales"]
    payments.save()
    assert client.get(reverse("assessment_result", args=[result.pk])).status_code == 404
    assert client.get(reverse("assessment_export", args=[result.pk])).status_code == 404


# The dashboard's unit filter and roll-up


def test_a_global_manager_filters_by_unit_and_sees_the_path(
    client: Client, manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(manager)
    page = client.get(reverse("dashboard"), {"unit": "payments-platform"}).content.decode()
    assert names(heatmap_teams(page)) == ["Checkout", "Payments"]
    trail = page.split('aria-label="Units"')[1].split("</nav>")[0]
    assert "All teams" in trail and "Engineering" in trail and "Payments platform" in trail
    assert 'aria-current="page">Payments platform<' in trail
    select = page.split('name="unit"')[1].split("</select>")[0]
    assert "Engineering / Payments platform" in select


def test_the_rollup_has_a_row_per_unit_with_means_medians_and_overdue(
    client: Client, manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(manager)
    rows = rollup_rows(client.get(reverse("dashboard")).content.decode())
    assert list(rows) == ["Engineering", "Sales", "In no unit"]
    # teams, assessed, overall mean, six categories "mean (median)", overdue
    assert rows["Engineering"][:3] == ["2", "2", "1.0"]  # Payments 2, Checkout 0
    assert rows["Engineering"][3:9] == ["1.0 (1.0)"] * 6
    assert rows["Engineering"][9] == "1 (50%)"  # Checkout, last assessed 200 days ago
    assert rows["Sales"][:3] == ["1", "1", "1.0"] and rows["Sales"][9] == "0"
    assert rows["In no unit"][:3] == ["1", "0", "–"] and rows["In no unit"][9] == "1 (100%)"


def test_a_rollup_row_opens_its_unit_keeping_the_filters(
    client: Client, manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(manager)
    page = client.get(reverse("dashboard"), {"within": "365", "teams": "mobile"}).content
    table = page.decode().split("rollup-table")[1]
    link = table.split('<a href="')[1].split('"')[0].replace("&amp;", "&")
    assert link == "?within=365&unit=engineering"  # the overlay's teams are dropped
    below = client.get(reverse("dashboard") + link).content.decode()
    assert list(rollup_rows(below)) == ["Payments platform"]


def test_the_rollup_is_left_out_without_units_below(
    client: Client, manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(manager)
    page = client.get(reverse("dashboard"), {"unit": "sales"}).content.decode()
    assert "rollup-table" not in page and names(heatmap_teams(page)) == ["Mobile"]


@pytest.mark.parametrize("size", [2, 12])
def test_the_dashboards_queries_do_not_grow_with_units_and_teams(
    client: Client,
    unit_manager: User,
    units: dict[str, Unit],
    cd_model: MaturityModel,
    member: User,
    size: int,
    django_assert_num_queries: object,
) -> None:
    for index in range(size):
        unit = Unit.objects.create(
            name=f"Squad {index}", slug=f"squad-{index}", parent=units["platform"]
        )
        team = Team.objects.create(name=f"Team {index:02}", slug=f"team-{index}", unit=unit)
        submit_at(team, cd_model, member, index % 3, days_ago=index * 40)
    client.force_login(unit_manager)
    # session, user and the manager check, the units managed, every unit's parent, active
    # models with levels, units, categories, teams with their targets, results of the
    # latest two, checks fired of the rows shown, the quarterly trend
    with django_assert_num_queries(11):  # type: ignore[operator]
        page = client.get(reverse("dashboard"), {"unit": "payments-platform"}).content.decode()
    assert len(rollup_rows(page)) == size + 1  # each squad, and Payments right in the unit


@pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_with_a_shared_cache_each_manager_gets_the_sections_of_their_own_units(
    client: Client, manager: User, other_unit_manager: User, scored: dict[str, Team]
) -> None:
    client.force_login(manager)
    assert "Payments" in client.get(reverse("dashboard")).content.decode()
    client.force_login(other_unit_manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert names(heatmap_teams(page)) == ["Mobile"] and "Payments" not in page


# Units as a tree


def test_a_unit_cannot_be_put_below_itself(units: dict[str, Unit]) -> None:
    engineering = units["engineering"]
    engineering.parent = units["platform"]
    with pytest.raises(ValidationError, match="loop"):
        engineering.full_clean()
    engineering.parent = units["sales"]
    engineering.full_clean()


def test_the_path_of_a_unit_stops_at_what_the_manager_sees(units: dict[str, Unit]) -> None:
    below_engineering = frozenset({units["platform"].pk})
    seen = Units.load(below_engineering)
    platform = seen.by_slug("payments-platform")
    assert platform is not None and seen.path_label(platform) == "Payments platform"
    assert [unit.name for unit in seen.children(None)] == ["Payments platform"]
    assert seen.by_slug("engineering") is None


# Cadence


def test_a_team_is_overdue_once_its_cadence_has_passed(
    client: Client, member: User, payments: Team, cd_model: MaturityModel
) -> None:
    client.force_login(member)
    submit_at(payments, cd_model, member, 1, days_ago=40)
    Team.objects.filter(pk=payments.pk).update(cadence_days=30)
    page = client.get(reverse("team_detail", args=["payments"])).content.decode()
    assert "Overdue</span> since" in page and "every 30 days" in page
    assert "Overdue</span> since" in client.get("/").content.decode()
    Team.objects.filter(pk=payments.pk).update(cadence_days=60)
    page = client.get(reverse("team_detail", args=["payments"])).content.decode()
    due = (timezone.now() + timedelta(days=20)).strftime("%-d %b %Y")
    assert f"next assessment due {due}" in page and "Overdue" not in page


def test_a_voided_submission_does_not_count_for_the_cadence(
    client: Client, member: User, payments: Team, cd_model: MaturityModel
) -> None:
    submit_at(payments, cd_model, member, 1, days_ago=200)
    recent = submit_at(payments, cd_model, member, 1, days_ago=5)
    client.force_login(member)
    assert "Overdue" not in client.get(reverse("team_detail", args=["payments"])).content.decode()
    recent.void(member, "Answered for the wrong team")
    assert "Overdue" in client.get(reverse("team_detail", args=["payments"])).content.decode()


def test_a_team_that_never_submitted_is_overdue_once_older_than_its_cadence(
    payments: Team,
) -> None:
    from assessments.cadence import with_last_submitted

    assert not with_last_submitted(Team.objects.filter(pk=payments.pk)).get().is_overdue
    Team.objects.filter(pk=payments.pk).update(created_at=timezone.now() - timedelta(days=91))
    assert with_last_submitted(Team.objects.filter(pk=payments.pk)).get().is_overdue


def test_the_databases_overdue_agrees_with_the_teams_own_rule(
    cd_model: MaturityModel, member: User
) -> None:
    from assessments.cadence import Overdue, count_overdue, overdue_condition, with_counted_from

    now = timezone.now()
    for index, (cadence, age, submitted) in enumerate(
        [(30, 40, None), (30, 20, None), (90, 400, 100), (90, 400, 80), (7, 10, 8), (365, 9, 1)]
    ):
        team = Team.objects.create(
            name=f"T{index}", slug=f"t{index}", cadence_days=cadence,
            created_at=now - timedelta(days=age),
        )  # fmt: skip
        if submitted is not None:
            submit_at(team, cd_model, member, 1, days_ago=submitted)
    rows = with_counted_from(Team.objects.all())
    by_rule = {team.slug for team in rows if team.is_overdue}
    assert by_rule == {"t0", "t2", "t4"}
    assert {team.slug for team in rows.filter(overdue_condition())} == by_rule
    assert count_overdue(Team.objects.all()) == Overdue(teams=Team.objects.count(), overdue=3)
