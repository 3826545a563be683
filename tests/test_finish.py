"""Finishing touches found by a walk through every journey: the manager's home, what a
new assessment takes, the result's level, colours, radar, download and print view,
readable trend axes, the Team column's first sort, the lock-out's length, the account
menu, and the dashboard's default model."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse

from assessments.charts import (
    CHAR_EM,
    RADAR_RADIUS,
    OutcomesPoint,
    Series,
    TrendPoint,
    outcomes_trend_svg,
    radar_svg,
    trend_svg,
)
from assessments.display import change_css, level_reached, time_to_answer
from assessments.models import Assessment
from dashboard.sections import sort_links
from maturity.models import Level, MaturityModel
from teams.models import Team

from .conftest import DEFAULT_MODEL_FILE, DEFAULT_VERSION, answer_all, run_command, up_to

SVG = "{http://www.w3.org/2000/svg}"
LEVELS = [
    (-1, "Regressive"),
    (0, "Repeatable"),
    (1, "Consistent"),
    (2, "Quantitatively managed"),
    (3, "Optimizing"),
]
AXES = ["Build", "Environments", "Release", "Testing", "Data", "Configuration"]


def submit(team: Team, model: MaturityModel, user: User, status_for, day: int) -> Assessment:  # type: ignore[no-untyped-def]
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, status_for)
    assessment.submit(user, at=datetime(2026, 3, day, tzinfo=timezone.utc))
    return assessment


@pytest.fixture
def rise_and_drop(cd_model: MaturityModel, payments: Team, member: User) -> Assessment:
    """Payments from level 0 to level 1 everywhere but data management, which fell to -1
    (overall 0.7)."""
    submit(payments, cd_model, member, up_to(0), day=1)
    fell = lambda p: "no" if p.key.startswith("data.") else up_to(1)(p)  # noqa: E731
    return submit(payments, cd_model, member, fell, day=3)


# 9. A manager's home


def test_a_manager_without_a_team_lands_on_a_summary_that_leads_to_the_dashboard(
    client: Client, manager: User, payments: Team
) -> None:
    client.force_login(manager)
    page = client.get("/").content.decode()
    assert "You are not on a team yet" not in page
    assert "Teams you oversee" in page
    assert f'href="{reverse("dashboard")}">Open the dashboard</a>' in page


# 10. What a new assessment takes


def test_the_new_assessment_page_says_what_it_takes_without_a_select_for_one_model(
    client: Client, member: User, cd_model: MaturityModel
) -> None:
    client.force_login(member)
    page = client.get(reverse("assessment_new", args=["payments"])).content.decode()
    statements = cd_model.practices.filter(is_active=True).count()
    assert f"{statements} statements about how you work, in 6 areas" in page
    assert f"plan {time_to_answer(statements)}" in page
    assert "The whole team" in page and "next steps" in page
    assert "<select" not in page
    assert f'<input type="hidden" name="model" value="{cd_model.pk}">' in page
    response = client.post(reverse("assessment_new", args=["payments"]), {"model": cd_model.pk})
    assert response.status_code == 302 and Assessment.objects.get().model == cd_model


def test_the_new_assessment_page_offers_a_select_with_several_models(
    client: Client, member: User, cd_model: MaturityModel, tmp_path: Path
) -> None:
    newer = tmp_path / "v9.yaml"
    text = DEFAULT_MODEL_FILE.read_text().replace(f'version: "{DEFAULT_VERSION}"', 'version: "9"')
    newer.write_text(text)
    run_command("load_model", str(newer))
    client.force_login(member)
    page = client.get(reverse("assessment_new", args=["payments"])).content.decode()
    assert '<select name="model"' in page
    assert "(in Continuous delivery maturity model (v9), the model offered first)" in page


def test_the_new_assessment_page_says_when_no_model_is_ready(
    client: Client, member: User, no_model: None
) -> None:
    client.force_login(member)
    page = client.get(reverse("assessment_new", args=["payments"])).content.decode()
    assert "No maturity model is ready" in page and "Start the assessment" not in page


@pytest.mark.parametrize(
    ("statements", "said"),
    [(0, "about 10 minutes"), (50, "about 50 minutes"), (60, "about 1 hour"),
     (79, "about 1 hour 20 minutes"), (120, "about 2 hours")],
)  # fmt: skip
def test_the_time_to_plan_is_a_minute_a_statement_to_the_next_ten_minutes(
    statements: int, said: str
) -> None:
    assert time_to_answer(statements) == said


# 11. The result


def test_the_result_names_the_level_of_the_overall_score_and_colours_changes(
    client: Client, member: User, rise_and_drop: Assessment
) -> None:
    client.force_login(member)
    page = client.get(reverse("assessment_result", args=[rise_and_drop.pk])).content.decode()
    overall = page.split('class="text-end overall"')[1].split("</div>\n</div>")[0]
    assert ">0.7<" in overall and "0 · Repeatable" in overall
    table = page.split('class="table align-middle result-table"')[1].split("</table>")[0]
    assert table.count('class="text-end text-nowrap change-up">▲ +1.0') == 5
    assert table.count('class="text-end text-nowrap change-down">▼ −1.0') == 1


def test_the_dashboard_colours_changes_too(
    client: Client, manager: User, rise_and_drop: Assessment
) -> None:
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    assert '<td class="text-end text-nowrap change-up">▲ +0.7</td>' in page


@pytest.mark.parametrize(
    ("score", "level"),
    [(None, None), (-1.0, (-1, "Regressive")), (0.7, (0, "Repeatable")),
     (1.0, (1, "Consistent")), (2.96, (3, "Optimizing")), (3.0, (3, "Optimizing"))],
)  # fmt: skip
def test_a_score_reaches_the_highest_level_at_or_below_it_as_shown(
    score: float | None, level: tuple[int, str] | None
) -> None:
    assert level_reached(score, LEVELS) == level


def test_a_change_is_coloured_by_its_sign() -> None:
    shown = [change_css(value) for value in (0.5, -0.3, 0.0, None)]
    assert shown == ["change-up", "change-down", "", ""]


def test_the_radar_rings_fill_more_of_the_chart() -> None:
    root = ET.fromstring(radar_svg(AXES, LEVELS, [Series("Now", [1] * 6)], title="t"))
    width = float(root.get("viewBox", "").split()[2])
    outer = root.findall(f".//{SVG}g[@class='grid']/{SVG}polygon")[-1]
    ys = [float(pair.split(",")[1]) for pair in outer.get("points", "").split()]
    assert (max(ys) - min(ys)) / width > 0.55  # the rings' diameter was half the width


def test_ring_labels_are_numbers_beside_the_upward_axis_and_the_names_a_key_below() -> None:
    values = [3, 3, 3, 3, 3, 3]  # data on every ring's corner of the upward axis
    root = ET.fromstring(radar_svg(AXES, LEVELS, [Series("Now", values)], title="t"))
    numbers = root.find(f".//{SVG}g[@class='ring-numbers']")
    assert numbers is not None and numbers.get("text-anchor") == "end"
    texts = numbers.findall(f"{SVG}text")
    assert [text.text for text in texts] == ["-1", "0", "1", "2", "3"]
    assert all(float(text.get("x", "0")) < -4 for text in texts)  # clear of a point's dot
    plot = root.find(f"{SVG}g")
    assert plot is not None
    centre_y = float(plot.get("transform", "").split()[1].rstrip(")"))
    key = root.find(f".//{SVG}g[@class='level-labels']")
    assert key is not None
    below = [float(text.get("y", "0")) > centre_y + RADAR_RADIUS for text in key.iter(f"{SVG}text")]
    assert below and all(below)  # below the rings
    assert "2 Quantitatively managed" in "".join(key.itertext())


# 12. Download and print


def test_the_json_download_is_an_attachment(
    client: Client, member: User, rise_and_drop: Assessment
) -> None:
    client.force_login(member)
    response = client.get(reverse("assessment_export", args=[rise_and_drop.pk]))
    assert response["Content-Disposition"] == (
        f'attachment; filename="payments-assessment-{rise_and_drop.pk}.json"'
    )


def test_the_result_offers_a_print_view(
    client: Client, member: User, rise_and_drop: Assessment
) -> None:
    client.force_login(member)
    page = client.get(reverse("assessment_result", args=[rise_and_drop.pk])).content.decode()
    assert re.search(r"<button [^>]*data-print hidden>Print / save as PDF</button>", page)
    assert re.search(r'<script src="/static/js/print\.js[^"]*" defer></script>', page)
    css = (Path(__file__).resolve().parents[1] / "static/css/app.css").read_text()
    assert ".next-steps { columns: 3;" in css.split("@media print")[-1]


# 13. Trend axes


def time_labels(svg: str) -> list[tuple[float, str]]:
    axis = ET.fromstring(svg).find(f".//{SVG}g[@class='time-axis']")
    assert axis is not None
    return [(float(text.get("x", "")), text.text or "") for text in axis.findall(f"{SVG}text")]


def test_a_trend_labels_every_point_when_there_is_room() -> None:
    points = [TrendPoint(30 * month, 1, f"0{month + 1} Mar 2026") for month in range(5)]
    assert [label for _, label in time_labels(trend_svg(points, LEVELS, title="t"))] == [
        point.label for point in points
    ]


@pytest.mark.parametrize("count", [2, 9, 30])
def test_crowded_labels_are_thinned_without_overlapping_and_the_last_is_kept(count: int) -> None:
    points = [TrendPoint(day, 1, f"{day + 1:02d} Mar 2026") for day in range(count)]
    for svg in (
        trend_svg(points, LEVELS, title="t"),
        outcomes_trend_svg(
            [OutcomesPoint(point.x, point.label, 5, 5, 5) for point in points], title="t"
        ),
    ):
        shown = time_labels(svg)
        assert shown[-1][1] == points[-1].label
        for (x, label), (next_x, next_label) in itertools.pairwise(shown):
            assert next_x - x >= (len(label) + len(next_label)) * 12 * CHAR_EM / 2
        ticks = ET.fromstring(svg).findall(f".//{SVG}g[@class='time-axis']/{SVG}line")
        assert len(ticks) == count


# 14. Small things


def test_the_first_click_on_team_sorts_a_to_z_and_a_second_reverses_it() -> None:
    columns = [("team", "Team"), ("overall", "Overall")]
    team, overall = sort_links(QueryDict(), columns, "team", False)
    assert "dir=asc" in team.url and team.state == "none"  # the page opens in team order
    assert "dir=desc" in overall.url
    team, _ = sort_links(QueryDict("sort=team&dir=asc"), columns, "team", False)
    assert "dir=desc" in team.url and team.state == "ascending"
    _, overall = sort_links(QueryDict("sort=overall&dir=desc"), columns, "overall", True)
    assert "dir=asc" in overall.url and overall.state == "descending"


def test_team_names_take_no_possessive(client: Client, member: User, draft: Assessment) -> None:
    answer_all(draft, up_to(1))
    client.force_login(member)
    review = client.post(reverse("assessment_review", args=[draft.pk])).content.decode()
    assert "Submit this assessment of Payments now?" in review
    assert "Payments's" not in review and "Payments&#x27;s" not in review


@pytest.mark.parametrize(("minutes", "said"), [(15, "15 minutes."), (1, "1 minute.")])
def test_the_lock_out_says_how_long_it_lasts(
    client: Client, member: User, minutes: int, said: str
) -> None:
    with override_settings(AXES_COOLOFF_TIME=timedelta(minutes=minutes)):
        for _ in range(5):
            client.post(reverse("login"), {"username": "mira", "password": "wrong"})
        locked = client.post(reverse("login"), {"username": "mira", "password": "pw"})
    assert locked.status_code == 429
    assert f"paused for {said}" in locked.content.decode()


def test_the_account_menu_names_the_password_change(client: Client, member: User) -> None:
    client.force_login(member)
    page = client.get("/").content.decode()
    menu = page.split('class="dropdown account-menu"')[1].split("</details>")[0]
    assert "<summary" in menu and "mira</summary>" in menu
    assert (
        f'<a class="dropdown-item" href="{reverse("password_change")}">Change password</a>' in menu
    )
    assert ">Sign out</button>" in menu


def test_a_model_with_levels_but_no_practices_is_not_the_dashboards_default(
    client: Client, manager: User, cd_model: MaturityModel
) -> None:
    empty = MaturityModel.objects.create(name="Empty", slug="empty", version="1")
    Level.objects.bulk_create(
        [Level(model=empty, value=0, name="Start"), Level(model=empty, value=1, name="Done")]
    )
    client.force_login(manager)
    response = client.get(reverse("dashboard"))
    assert response.context["active"].model == cd_model
    assert b'name="model"' not in response.content  # the empty one is no choice either
