"""The optional delivery outcomes: the questionnaire's step, the record's `delivery` and
`checks`, and the result page."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from assessments.models import Assessment, DeliveryMetrics
from assessments.records import make_record
from maturity.models import MaturityModel
from teams.models import Team

from .conftest import answer_all, up_to

ANSWERS = {
    "lead_time": "4",
    "deployment_frequency": "3",
    "recovery_time": "5",
    "change_fail_rate": "12",
    "rework_rate": "",
}


@pytest.fixture
def member_client(client: Client, member: User) -> Client:
    client.force_login(member)
    return client


def outcomes_url(assessment: Assessment) -> str:
    return reverse("assessment_outcomes", args=[assessment.pk])


def test_a_member_gives_the_outcomes_and_sees_them_again(
    member_client: Client, draft: Assessment
) -> None:
    page = member_client.get(outcomes_url(draft)).content.decode()
    assert "Once a week to once a month" in page and "DORA" in page
    response = member_client.post(outcomes_url(draft), ANSWERS)
    assert response["Location"] == reverse("assessment_review", args=[draft.pk])
    saved = DeliveryMetrics.objects.get(assessment=draft)
    assert saved.answers() == {
        "lead_time": 4,
        "deployment_frequency": 3,
        "recovery_time": 5,
        "change_fail_rate": 12,
        "rework_rate": None,
    }
    form = member_client.get(outcomes_url(draft)).context["form"]
    assert form["deployment_frequency"].value() == 3 and form["change_fail_rate"].value() == 12


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("change_fail_rate", "101", "less than or equal to 100"),
        ("rework_rate", "-1", "greater than or equal to 0"),
        ("change_fail_rate", "many", "Enter a whole number"),
        ("lead_time", "7", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_the_fields_message_and_nothing_typed_is_lost(
    member_client: Client, draft: Assessment, field: str, value: str, message: str
) -> None:
    response = member_client.post(outcomes_url(draft), {**ANSWERS, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    form = response.context["form"]
    assert form["recovery_time"].value() == "5"  # the rest as typed, the bad one too
    assert form[field].value() == value
    assert not DeliveryMetrics.objects.filter(assessment=draft).exists()


def test_a_pre_filled_draft_starts_from_the_last_outcomes(
    cd_model: MaturityModel, payments: Team, member: User
) -> None:
    first = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(first, up_to(1))
    first.save_delivery({"deployment_frequency": 5, "change_fail_rate": 8})
    first.submit(member)
    second = Assessment.start(payments, cd_model, member, prefill_from=first)
    assert second.delivery_answers() == {**dict.fromkeys(ANSWERS), "deployment_frequency": 5,
                                         "change_fail_rate": 8}  # fmt: skip


def quick_check(answers: dict[str, int]) -> dict[str, float | None]:
    """DORA's Quick Check rule, written out again independently of dora.py."""
    step = {name: Fraction((answers[name] - 1) * 10, 5) for name in ("lead_time",
            "deployment_frequency", "recovery_time") if name in answers}  # fmt: skip
    percent = {name: Fraction(100 - answers[name], 10) for name in ("change_fail_rate",
               "rework_rate") if name in answers}  # fmt: skip
    every = {**step, **percent}

    def mean(values: list[Fraction]) -> Fraction | None:
        return sum(values, Fraction(0)) / len(values) if values else None

    found: dict[str, Fraction | None] = {
        **every,
        "throughput": mean(list(step.values())),
        "instability": mean(list(percent.values())),
        "overall": mean(list(every.values())),
    }
    return {
        name: None
        if value is None
        else float(
            (Decimal(value.numerator) / value.denominator).quantize(Decimal("0.1"), ROUND_HALF_UP)
        )
        for name, value in found.items()
    }


answers = st.fixed_dictionaries(
    {},
    optional={
        "lead_time": st.integers(1, 6),
        "deployment_frequency": st.integers(1, 6),
        "recovery_time": st.integers(1, 6),
        "change_fail_rate": st.integers(0, 100),
        "rework_rate": st.integers(0, 100),
    },
)


@given(answers)
def test_the_records_delivery_scores_agree_with_the_quick_check_rule(
    given_answers: dict[str, int],
) -> None:
    record = make_record(
        assessment_id=1, team=("t", "T"), model=("m", "1", "M"), submitted_at=None,
        submitted_by=None, levels=[(0, "Zero"), (1, "One")], categories=[], results=[],
        answers=[], agreements={}, previous=None, delivery=given_answers,
    )  # fmt: skip
    if not given_answers:
        assert record["delivery"] is None
        return
    expected = quick_check(given_answers)
    shown = record["delivery"]["scores"]
    for name, value in expected.items():
        assert shown[name] == pytest.approx(value, abs=0.051), name
    assert {k: v for k, v in record["delivery"].items() if k != "scores" and v is not None} == (
        given_answers
    )


def test_the_result_shows_the_outcomes_with_dora_credited(
    member_client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, up_to(1))
    assessment.save_delivery({"lead_time": 6, "deployment_frequency": 6, "change_fail_rate": 5})
    assessment.submit(member)
    page = member_client.get(reverse("assessment_result", args=[assessment.pk])).content.decode()
    assert "Delivery outcomes" in page and "DORA's Quick Check scale" in page
    assert "Less than one hour" in page and "5%" in page and "dora.dev" in page
    record = Assessment.objects.get(pk=assessment.pk).record
    assert record is not None
    assert record["delivery"]["scores"]["throughput"] == 10.0
    assert record["delivery"]["scores"]["overall"] == pytest.approx(9.8)  # (10+10+9.5)/3


def test_without_outcomes_the_record_says_none(submitted: Assessment) -> None:
    assert submitted.record is not None
    assert submitted.record["delivery"] is None and submitted.record["checks"] == []


def test_the_dashboard_shows_outcomes_sorts_by_them_and_plots_maturity_against_throughput(
    client: Client, manager: User, cd_model: MaturityModel, member: User
) -> None:
    for slug, steps, fail in (("fast", 6, 5), ("slow", 2, 40), ("quiet", None, None)):
        team = Team.objects.create(name=slug.title(), slug=slug)
        assessment = Assessment.start(team, cd_model, member, prefill_from=None)
        answer_all(assessment, up_to(1))
        if steps is not None:
            assessment.save_delivery({"deployment_frequency": steps, "change_fail_rate": fail})
        assessment.submit(member)
    client.force_login(manager)
    response = client.get(reverse("dashboard"), {"sort": "throughput", "dir": "desc"})
    rows = [shown.row.team.slug for shown in response.context["rows"]]
    assert rows == ["fast", "slow", "payments", "quiet"]  # no outcomes: last, by name
    [fast] = [shown for shown in response.context["rows"] if shown.row.team.slug == "fast"]
    assert (fast.throughput, fast.instability) == ("10.0", "9.5")
    page = response.content.decode()
    assert "Maturity and delivery" in page
    scatter = page.split('class="chart scatter"')[1].split("</svg>")[0]
    assert scatter.count("<circle") == 2  # fast and slow; quiet gave no outcomes
    content = client.get(reverse("dashboard_csv")).content.decode()
    table = list(csv.reader(io.StringIO(content)))
    header, slow = table[0], next(row for row in table if row[1] == "slow")
    assert slow[header.index("throughput")] == "2.0" and slow[header.index("instability")] == "6.0"


def test_a_level_the_outcomes_contradict_is_questioned_on_the_result_and_the_dashboard(
    client: Client, member: User, manager: User, cd_model: MaturityModel, payments: Team
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, up_to(2))  # environments at Quantitatively managed
    assessment.save_delivery({"deployment_frequency": 2, "lead_time": 5, "recovery_time": 5})
    assessment.submit(member)
    record = Assessment.objects.get(pk=assessment.pk).record
    assert record is not None
    fired = {check["key"]: check for check in record["checks"]}
    assert set(fired) == {"deploys-rarely"}  # lead time and recovery are fine
    assert fired["deploys-rarely"]["category"] == "environments"
    client.force_login(member)
    page = client.get(reverse("assessment_result", args=[assessment.pk])).content.decode()
    assert "Worth a question" in page and escape(fired["deploys-rarely"]["message"]) in page
    client.force_login(manager)
    rows = client.get(reverse("dashboard")).context["rows"]
    assert [shown.row.checks for shown in rows if shown.row.team.pk == payments.pk] == [1]


def test_a_level_below_the_check_or_good_outcomes_fire_nothing(
    cd_model: MaturityModel, payments: Team, member: User
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, up_to(1))  # below every check's level
    assessment.save_delivery({"deployment_frequency": 1, "lead_time": 1, "change_fail_rate": 90})
    assessment.submit(member)
    assert Assessment.objects.get(pk=assessment.pk).record["checks"] == []  # type: ignore[index]


def test_copied_outcomes_are_marked_until_a_member_saves_them(
    member_client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    first = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(first, up_to(1))
    first.save_delivery({"deployment_frequency": 5})
    first.submit(member)
    second = Assessment.start(payments, cd_model, member, prefill_from=first)
    review = reverse("assessment_review", args=[second.pk])
    assert "are not yet confirmed" in member_client.get(review).content.decode()
    assert "copied from" in member_client.get(outcomes_url(second)).content.decode()
    member_client.post(outcomes_url(second), {"deployment_frequency": "6"})
    assert DeliveryMetrics.objects.get(assessment=second).confirmed is True
    assert "are not yet confirmed" not in member_client.get(review).content.decode()


def test_two_members_on_the_outcomes_page_change_only_what_each_changed(
    member_client: Client, draft: Assessment, payments: Team, django_user_model: type[User]
) -> None:
    teammate = django_user_model.objects.create_user("bo")
    payments.memberships.create(user=teammate)
    other = Client()
    other.force_login(teammate)
    draft.save_delivery({"lead_time": 3, "change_fail_rate": 20})
    as_rendered = {"lead_time-was": "3", "change_fail_rate-was": "20"}
    mine = {"lead_time": "3", "change_fail_rate": "20", "deployment_frequency": "4"}
    theirs = {"lead_time": "5", "change_fail_rate": "20"}
    assert other.post(outcomes_url(draft), {**theirs, **as_rendered}).status_code == 302
    response = member_client.post(outcomes_url(draft), {**mine, **as_rendered})
    assert response.status_code == 302  # different metrics: both kept
    assert draft.delivery_answers() == {
        "lead_time": 5, "deployment_frequency": 4, "recovery_time": None,
        "change_fail_rate": 20, "rework_rate": None,
    }  # fmt: skip

    stale = {"lead_time": "2", "change_fail_rate": "20", **as_rendered}  # lead time was 3
    response = member_client.post(outcomes_url(draft), stale)
    assert response.status_code == 409
    page = response.content.decode()
    assert "A teammate changed 1 of these" in page
    assert "saved now <strong>Less than one day</strong>" in page
    assert draft.delivery_answers()["lead_time"] == 5


def test_the_outcomes_page_takes_a_fixed_number_of_queries(
    member_client: Client, draft: Assessment, django_assert_num_queries: object
) -> None:
    # session, user, assessment with membership, team size and confirmation, its delivery
    # metrics, levels, practices (the progress), answers
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = member_client.get(outcomes_url(draft))
    assert response.status_code == 200 and "Delivery outcomes" in response.content.decode()
