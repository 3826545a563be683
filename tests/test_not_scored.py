"""A category in which every practice is not applicable is not scored: "not applicable"
on the pages, null in the record, left out of the overall score, the dashboard's
medians and the trend, empty in the CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, CategoryResult
from assessments.scoring import overall
from maturity.models import MaturityModel
from teams.models import Team

NOT_OURS = "We keep no data of our own: the platform team runs the one database we use."


@pytest.fixture
def without_data(cd_model: MaturityModel, payments: Team, member: User) -> Assessment:
    """Payments' submitted assessment: data management not applicable, the rest at 1."""
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    entries = []
    for category in assessment.tree().categories:
        for practice in category.practices:
            if category.slug == "data":
                entries.append((practice.id, "na", NOT_OURS))
            else:
                entries.append((practice.id, "yes" if practice.level <= 1 else "no", ""))
    outcome = assessment.save_answers(entries)
    assert outcome.clean
    assessment.submit(member)
    return assessment


def test_the_record_has_no_level_nor_score_and_the_overall_leaves_it_out(
    without_data: Assessment,
) -> None:
    record = without_data.record
    assert record is not None
    data = next(c for c in record["categories"] if c["slug"] == "data")
    assert (data["level"], data["level_name"], data["score"], data["next_steps"]) == (
        None, None, None, []
    )  # fmt: skip
    others = [c["score"] for c in record["categories"] if c["slug"] != "data"]
    assert others == [1.0] * 5 and record["overall"] == 1.0
    frozen = CategoryResult.objects.get(assessment=without_data, category__slug="data")
    assert (frozen.level, frozen.score) == (None, None)


def test_the_result_and_answers_pages_say_not_applicable(
    client: Client, member: User, without_data: Assessment
) -> None:
    client.force_login(member)
    result = client.get(reverse("assessment_result", args=[without_data.pk])).content.decode()
    assert "Not applicable: not scored" in result
    radar = result.split('class="chart-box radar-box"')[1].split("</svg>")[0]
    assert "Build management" in radar and "Data management" not in radar  # no axis
    answers = client.get(reverse("assessment_answers", args=[without_data.pk])).content.decode()
    assert "not applicable: not scored" in answers and NOT_OURS in answers


def test_the_dashboard_shows_n_a_and_leaves_it_out_of_medians_and_the_csv(
    client: Client, manager: User, without_data: Assessment, cd_model: MaturityModel
) -> None:
    client.force_login(manager)
    page = client.get(reverse("dashboard"), {"model": cd_model.pk})
    assert page.status_code == 200
    rows = page.context["rows"]
    [payments] = [row for row in rows if row.row.team.slug == "payments"]
    data_column = [c.slug for c in page.context["data"].columns].index("data")
    assert payments.cells[data_column].text == "n/a"
    medians = {d.column.slug: d.median for d, _ in page.context["distributions"]}
    assert medians["data"] is None and medians["build"] == 1.0
    assert payments.overall == "1.0"

    content = client.get(reverse("dashboard_csv"), {"model": cd_model.pk}).content.decode()
    table = list(csv.reader(io.StringIO(content)))
    header, row = table[0], next(r for r in table if r[1] == "payments")
    assert row[header.index("Data management")] == ""
    assert float(row[header.index("overall")]) == overall([1.0] * 5)
