"""The team page's delivery outcomes: throughput and instability in the history table
and their trend, with the overall outcome, on DORA's Quick Check scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime, timezone

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from assessments.charts import OutcomesPoint, outcomes_trend_svg
from assessments.history import team_history
from assessments.models import Assessment
from maturity.models import MaturityModel
from teams.models import Membership, Team

from .conftest import answer_all, up_to

SVG = "{http://www.w3.org/2000/svg}"
# Throughput (6 + 4 + 8) / 3 = 6.0, instability 8.8 (rework rate not given), overall 6.7.
MAY = {"lead_time": 4, "deployment_frequency": 3, "recovery_time": 5, "change_fail_rate": 12}
# Throughput (8 + 6 + 10) / 3 = 8.0, instability (9.5 + 9.0) / 2 = 9.3, overall 8.5.
JUNE = {
    "lead_time": 5,
    "deployment_frequency": 4,
    "recovery_time": 6,
    "change_fail_rate": 5,
    "rework_rate": 10,
}


def submit(
    team: Team,
    model: MaturityModel,
    user: User,
    when: datetime,
    delivery: Mapping[str, int | None] | None = None,
) -> Assessment:
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, up_to(1))
    if delivery is not None:
        assessment.save_delivery(delivery)
    assessment.submit(user, at=when)
    return assessment


def on(month: int) -> datetime:
    return datetime(2026, month, 1, 9, tzinfo=timezone.utc)


def team_page(client: Client, user: User, slug: str = "payments") -> str:
    client.force_login(user)
    response = client.get(reverse("team_detail", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


def outcomes_chart(page: str) -> ET.Element:
    """The outcomes chart of a page, parsed: it must be well-formed XML."""
    found = re.search(r'<svg[^>]*class="chart outcomes".*?</svg>', page, re.DOTALL)
    assert found is not None, "no outcomes chart on the page"
    return ET.fromstring(found.group())


def history_table(page: str) -> str:
    return page.split('id="history-heading"')[1]


def cells(page: str, date: str) -> list[str]:
    """The texts of the history table's row of `date`, from its overall score on."""
    row = history_table(page).split(f">{date}</a></th>")[1].split("</tr>")[0]
    return re.findall(r"<td[^>]*>(.*?)</td>", row)


def test_outcomes_columns_and_trend_show_with_their_values(
    client: Client, cd_model: MaturityModel, payments: Team, member: User, manager: User
) -> None:
    submit(payments, cd_model, member, on(4))  # before the team gave any outcomes
    submit(payments, cd_model, member, on(5), MAY)
    submit(payments, cd_model, member, on(6), JUNE)
    page = team_page(client, manager)

    table = history_table(page)
    assert '<th scope="col" class="text-end">Throughput</th>' in table
    assert '<th scope="col" class="text-end">Instability</th>' in table
    assert cells(page, "1 May 2026")[-2:] == ["6.0", "8.8"]
    assert cells(page, "1 Jun 2026")[-2:] == ["8.0", "9.3"]
    assert cells(page, "1 Apr 2026")[-2:] == ["–", "–"]

    assert "Delivery outcomes over time" in page
    assert "DORA's Quick Check scale (0–10, higher is better" in page
    assert "dora.dev" in page
    # Below the score trend.
    assert page.index('class="chart trend"') < page.index('class="chart outcomes"')
    root = outcomes_chart(page)
    assert root.get("role") == "img"
    assert root.findtext(f"{SVG}title") == "Payments: delivery outcomes over time"
    desc = root.findtext(f"{SVG}desc") or ""
    assert desc == (
        "01 May 2026: throughput 6.0, instability 8.8, overall 6.7; "
        "01 Jun 2026: throughput 8.0, instability 9.3, overall 8.5"
    )
    assert "Apr" not in desc  # no outcomes, no point


def test_each_series_is_a_line_told_apart_without_colour_and_named_in_the_legend(
    client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    submit(payments, cd_model, member, on(5), MAY)
    submit(payments, cd_model, member, on(6), JUNE)
    root = outcomes_chart(team_page(client, member))
    lines = {
        group.get("data-series"): group.find(f"{SVG}polyline")
        for group in root.iterfind(f".//{SVG}g[@class='series']")
    }
    assert set(lines) == {"throughput", "instability", "overall"}
    assert all(
        line is not None and len(line.get("points", "").split()) == 2 for line in lines.values()
    )
    dashes = {name: line.get("stroke-dasharray") for name, line in lines.items()}  # type: ignore[union-attr]
    assert len(set(dashes.values())) == 3  # solid, dashed, dotted
    legend = root.find(f".//{SVG}g[@class='legend']")
    assert legend is not None
    assert [text.text for text in legend.iter(f"{SVG}text")] == [
        "Throughput",
        "Instability",
        "Overall",
    ]
    assert {line.get("stroke-dasharray") for line in legend.iter(f"{SVG}line")} == set(
        dashes.values()
    )
    assert root.find(f".//{SVG}*[@style]") is None
    # The 0..10 axis: higher is better, so 10 is at the top.
    ticks = {
        t.text: float(t.get("y", "")) for t in root.iter(f"{SVG}text") if t.text in {"0", "10"}
    }
    assert ticks["10"] < ticks["0"]


def test_no_outcomes_no_columns_and_no_chart(
    client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    submit(payments, cd_model, member, on(5))
    submit(payments, cd_model, member, on(6), dict.fromkeys(MAY))  # the step saved blank
    page = team_page(client, member)
    assert 'class="chart trend"' in page
    assert "Throughput" not in page and "Instability" not in page
    assert "Delivery outcomes over time" not in page and 'class="chart outcomes"' not in page
    assert cells(page, "1 Jun 2026") == cells(page, "1 May 2026")  # no dashes either


def test_a_team_never_assessed_shows_no_outcomes(
    client: Client, payments: Team, member: User
) -> None:
    page = team_page(client, member)
    assert "has not submitted an assessment yet" in page
    assert "Delivery outcomes" not in page


def test_voided_assessments_are_left_out_of_the_outcomes_trend(
    client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    submit(payments, cd_model, member, on(5), MAY)
    mistaken = submit(payments, cd_model, member, on(6), JUNE)
    submit(payments, cd_model, member, on(7), MAY)
    mistaken.void(member, "Wrong team")
    page = team_page(client, member)
    desc = outcomes_chart(page).findtext(f"{SVG}desc") or ""
    assert "01 May 2026" in desc and "01 Jul 2026" in desc
    assert "Jun" not in desc and "8.0" not in desc
    # Still in the table, voided, its cell spanning the outcome columns too.
    voided = history_table(page).split('<tr class="voided">')[1].split("</tr>")[0]
    columns = len(team_history(payments).columns)
    assert f'colspan="{columns + 3}"' in voided and "Wrong team" in voided


def test_outcomes_of_voided_assessments_only_show_no_chart(
    client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    submit(payments, cd_model, member, on(5))
    submit(payments, cd_model, member, on(6), JUNE).void(member, "Duplicate")
    page = team_page(client, member)
    assert 'class="chart outcomes"' not in page and "Throughput" not in page
    columns = len(team_history(payments).columns)
    assert f'colspan="{columns + 1}"' in page


def test_texts_in_the_outcomes_chart_are_escaped(
    client: Client, cd_model: MaturityModel, member: User, manager: User
) -> None:
    hostile = '<script>alert(1)</script> & "Ops"'
    team = Team.objects.create(name=hostile, slug="hostile")
    Membership.objects.create(user=member, team=team)
    submit(team, cd_model, member, on(5), MAY)
    page = team_page(client, manager, "hostile")
    assert hostile not in page and "<script>alert" not in page
    root = outcomes_chart(page)
    assert root.find(f".//{SVG}script") is None
    assert root.findtext(f"{SVG}title") == f"{hostile}: delivery outcomes over time"
    assert escape(hostile) in page


def test_history_loads_the_outcomes_with_the_assessments(
    cd_model: MaturityModel,
    payments: Team,
    member: User,
    django_assert_num_queries: object,
) -> None:
    submit(payments, cd_model, member, on(5), MAY)
    submit(payments, cd_model, member, on(6))
    submit(payments, cd_model, member, on(7), JUNE).void(member, "Duplicate")
    with django_assert_num_queries(3):  # type: ignore[operator]
        history = team_history(payments)
        outcomes = [row.outcomes for row in history.rows]
        history.outcomes_trend_svg()
    assert [row.assessment.is_voided for row in history.rows] == [True, False, False]
    assert outcomes[1] is None
    assert outcomes[0] is not None and outcomes[0].throughput == pytest.approx(8.0)
    assert outcomes[2] is not None and outcomes[2].instability == pytest.approx(8.8)
    assert outcomes[2].overall == pytest.approx(6.7)


def test_a_single_assessment_shows_its_points_without_lines() -> None:
    svg = outcomes_trend_svg(
        [OutcomesPoint(1.0, "1 May 2026", throughput=6.0, instability=None, overall=6.0)],
        title="t",
    )
    root = ET.fromstring(svg)
    assert root.find(f".//{SVG}polyline") is None
    throughput = root.find(f".//{SVG}g[@data-series='throughput']")
    instability = root.find(f".//{SVG}g[@data-series='instability']")
    assert throughput is not None and len(throughput) == 1  # its marker
    assert instability is not None and len(instability) == 0  # not given: no point
    assert root.findtext(f"{SVG}desc") == "1 May 2026: throughput 6.0, overall 6.0"


def test_an_empty_chart_says_so() -> None:
    root = ET.fromstring(outcomes_trend_svg([], title="t"))
    assert root.findtext(f"{SVG}desc") == "no data"


scores = st.none() | st.floats(min_value=-5, max_value=15, allow_nan=False)


@given(
    st.lists(st.tuples(st.text(), scores, scores, scores), min_size=0, max_size=6),
    st.text(),
)
def test_the_outcomes_chart_is_always_well_formed_and_inside_its_box(
    rows: list[tuple[str, float | None, float | None, float | None]], title: str
) -> None:
    points = [
        OutcomesPoint(float(day), label, throughput=a, instability=b, overall=c)
        for day, (label, a, b, c) in enumerate(rows)
    ]
    root = ET.fromstring(outcomes_trend_svg(points, title=title))
    assert root.find(f".//{SVG}script") is None
    _, _, width, height = map(float, root.get("viewBox", "").split())
    for marker in root.iterfind(f".//{SVG}g[@class='series']/{SVG}circle"):
        assert 0 <= float(marker.get("cx", "")) <= width
        assert 0 <= float(marker.get("cy", "")) <= height
