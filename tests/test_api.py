"""The read API's endpoints: what each one lists, its filters and pagination, and the
number of queries each answers in, which does not grow with the teams or the page."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.fields import DateTimeField
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.pagination import PageNumbers
from api.serializers import EXAMPLE_RECORD
from assessments.models import Assessment, CategoryResult
from maturity import generation
from maturity.models import Category, MaturityModel
from planning.models import PlanItem, Target
from teams.models import Membership, Team, Unit

from .conftest import answer_all, mark_latest, up_to
from .test_dashboard import submit_at


@pytest.fixture
def manager_api(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client


def get(client: Client, name: str, *args: object, **query: Any) -> Any:
    response = client.get(reverse(f"api:{name}", args=args), query)
    assert response.status_code == 200, response.content
    return response.json()


def iso(moment: datetime | None) -> str:
    """A date and time as the API sends it."""
    assert moment is not None
    return DateTimeField().to_representation(moment)


def record_of(assessment: Assessment) -> dict[str, Any]:
    """The record of a submitted assessment."""
    assert assessment.record is not None
    return assessment.record


def slugs(page: dict[str, Any], key: str = "slug") -> list[str]:
    return [row[key] for row in page["results"]]


def recorded(team: Team, model: MaturityModel, record: dict[str, Any], days_ago: int) -> Assessment:
    """A submitted assessment with `record` as it is and the results it records, made
    without answering (fast)."""
    assessment = Assessment.objects.create(
        team=team,
        model=model,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        record=record,
        overall=record["overall"],
    )
    freeze_results([assessment], record)
    return assessment


def freeze_results(assessments: list[Assessment], record: dict[str, Any]) -> None:
    """The results of each of `assessments` (on one model) as `record` shows them, as
    submitting freezes them beside the record."""
    categories = dict(
        Category.objects.filter(model=assessments[0].model_id).values_list("slug", "pk")
    )
    CategoryResult.objects.bulk_create(
        CategoryResult(
            assessment=assessment,
            category_id=categories[result["slug"]],
            level=result["level"],
            score=result["score"],
            agreement=result["agreement"],
        )
        for assessment in assessments
        for result in record["categories"]
    )


def many_teams(
    count: int, model: MaturityModel, record: dict[str, Any], each: int, unit: Unit | None = None
) -> None:
    """`count` teams with `each` submitted assessments, in bulk."""
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n:03}", slug=f"team-{n:03}", unit=unit) for n in range(count)
    )
    now = timezone.now()
    assessments = Assessment.objects.bulk_create(
        Assessment(
            team=team,
            model=model,
            submitted_at=now - timedelta(days=d),
            record=record,
            overall=record["overall"],
        )
        for team in teams
        for d in range(each)
    )
    mark_latest(assessments)
    freeze_results(assessments, record)


# Units


def test_units_are_those_the_user_sees_with_their_visible_parent(
    client: Client, manager: User, unit_manager: User, member: User, outsider: User
) -> None:
    expected = {
        manager: [
            ("engineering", None),
            ("payments-platform", "engineering"),
            ("sales", None),
        ],
        unit_manager: [("engineering", None), ("payments-platform", "engineering")],
        member: [("payments-platform", None)],  # Engineering is not the member's to see
        outsider: [("sales", None)],
    }
    for user, units in expected.items():
        client.force_login(user)
        rows = get(client, "units")["results"]
        assert [(row["slug"], row["parent"]) for row in rows] == units, user
    assert rows == [{"slug": "sales", "name": "Sales", "parent": None}]


# Teams


def test_teams_list_what_the_pages_show(
    manager_api: Client, submitted: Assessment, mobile: Team, units: dict[str, Unit]
) -> None:
    Team.objects.filter(pk=mobile.pk).update(created_at=timezone.now() - timedelta(days=91))
    page = get(manager_api, "teams")
    assert page["count"] == 2
    assert page["results"] == [
        {
            "slug": "mobile",
            "name": "Mobile",
            "unit": "sales",
            "cadence_days": 90,
            "latest_overall": None,
            "last_submitted": None,
            "overdue": True,
            "url": "http://testserver/teams/mobile/",
        },
        {
            "slug": "payments",
            "name": "Payments",
            "unit": "payments-platform",
            "cadence_days": 90,
            "latest_overall": record_of(submitted)["overall"],
            "last_submitted": iso(submitted.submitted_at),
            "overdue": False,
            "url": "http://testserver/teams/payments/",
        },
    ]


def test_latest_overall_is_of_the_latest_counted_assessment(
    manager_api: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    earlier = submit_at(payments, cd_model, member, 2, days_ago=20)
    later = submit_at(payments, cd_model, member, 0, days_ago=10)
    assert get(manager_api, "teams")["results"][0]["latest_overall"] == record_of(later)["overall"]
    later.void(member, "Answered for another team.")
    assert (
        get(manager_api, "teams")["results"][0]["latest_overall"] == record_of(earlier)["overall"]
    )


def test_teams_filter_by_unit_subtree(manager_api: Client, units: dict[str, Unit]) -> None:
    assert slugs(get(manager_api, "teams", unit="engineering")) == ["payments"]
    assert slugs(get(manager_api, "teams", unit="payments-platform")) == ["payments"]
    assert slugs(get(manager_api, "teams", unit="sales")) == ["mobile"]
    assert slugs(get(manager_api, "teams", unit="")) == ["mobile", "payments"]  # no filter


def test_a_unit_the_user_does_not_see_is_refused_as_one_that_does_not_exist(
    client: Client, member: User, units: dict[str, Unit]
) -> None:
    client.force_login(member)
    hidden = client.get(reverse("api:teams"), {"unit": "sales"})
    missing = client.get(reverse("api:teams"), {"unit": "no-such-unit"})
    assert hidden.status_code == missing.status_code == 400
    assert (
        hidden.json()
        == missing.json()
        == {
            "detail": "Invalid query parameters.",
            "errors": {"unit": ["You see no unit with this slug."]},
        }
    )


def test_teams_filter_by_overdue(manager_api: Client, payments: Team, mobile: Team) -> None:
    Team.objects.filter(pk=mobile.pk).update(created_at=timezone.now() - timedelta(days=91))
    assert slugs(get(manager_api, "teams", overdue="true")) == ["mobile"]
    assert slugs(get(manager_api, "teams", overdue="false")) == ["payments"]
    assert slugs(get(manager_api, "teams", overdue="")) == ["mobile", "payments"]


def test_team_detail_has_targets_and_open_plan_items(
    client: Client, member: User, payments: Team
) -> None:
    Target.objects.create(team=payments, category="testing", level=2, due="2027-06-30")
    Target.objects.create(team=payments, category="build", level=1, due="2027-03-31")
    PlanItem.objects.create(team=payments, title="Undated", category="build")
    PlanItem.objects.create(
        team=payments,
        title="Notify on broken builds",
        category="build",
        practice_key="build.1.team-notified",
        owner=member,
        due="2027-01-31",
    )
    PlanItem.objects.create(
        team=payments,
        title="Done already",
        status=PlanItem.Status.DONE,
        closed_at=timezone.now(),
    )
    client.force_login(member)
    team = get(client, "team", "payments")
    assert team["slug"] == "payments" and team["latest_overall"] is None
    assert team["targets"] == [
        {"category": "build", "level": 1, "due": "2027-03-31"},
        {"category": "testing", "level": 2, "due": "2027-06-30"},
    ]
    items = team["open_plan_items"]
    assert [item["title"] for item in items] == ["Notify on broken builds", "Undated"]
    assert items[0]["owner"] == "mira" and items[0]["practice_key"] == "build.1.team-notified"
    assert items[1]["owner"] is None and items[1]["due"] is None


# A team's assessments and an assessment's record


def test_team_assessments_are_submitted_ones_newest_first_voided_marked(
    client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    older = submit_at(payments, cd_model, member, 0, days_ago=30)
    newer = submit_at(payments, cd_model, member, 2, days_ago=5)
    older.void(member, "Answered for another team.")
    Assessment.start(payments, cd_model, member, prefill_from=None)  # a draft: not listed
    client.force_login(member)
    rows = get(client, "team_assessments", "payments")["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0] == {
        "id": newer.pk,
        "model": "continuous-delivery",
        "model_version": cd_model.version,
        "submitted_at": iso(newer.submitted_at),
        "overall": record_of(newer)["overall"],
        "voided_at": None,
    }
    assert rows[1]["voided_at"] is not None


def test_assessment_detail_is_the_export(
    client: Client, member: User, submitted: Assessment
) -> None:
    client.force_login(member)
    exported = client.get(reverse("assessment_export", args=[submitted.pk]))
    assert get(client, "assessment", submitted.pk) == json.loads(exported.content)


def test_the_record_example_has_the_keys_of_a_record(submitted: Assessment) -> None:
    assert set(EXAMPLE_RECORD) <= set(record_of(submitted))


def test_an_overall_score_of_nothing_scored_is_null(
    manager_api: Client, cd_model: MaturityModel, submitted: Assessment
) -> None:
    not_scored = [
        dict(category, level=None, score=None) for category in record_of(submitted)["categories"]
    ]
    nothing_scored = dict(record_of(submitted), overall=None, categories=not_scored)
    latest = recorded(submitted.team, cd_model, nothing_scored, days_ago=0)
    assert get(manager_api, "teams")["results"][0]["latest_overall"] is None
    rows = get(manager_api, "team_assessments", "payments")["results"]
    assert [row["overall"] for row in rows] == [None, record_of(submitted)["overall"]]
    row = get(manager_api, "scores")["results"][0]
    assert row["assessment"] == latest.pk and row["overall"] is None
    assert set(row["categories"]["build"].values()) == {None}


# Scores


def test_scores_are_the_latest_counted_per_team_from_the_record(
    manager_api: Client, cd_model: MaturityModel, payments: Team, mobile: Team, member: User
) -> None:
    submit_at(payments, cd_model, member, 0, days_ago=30)
    latest = submit_at(payments, cd_model, member, 2, days_ago=5)
    counted = submit_at(mobile, cd_model, member, 1, days_ago=20)
    submit_at(mobile, cd_model, member, 3, days_ago=2).void(member, "A test run.")
    rows = get(manager_api, "scores")["results"]
    assert [(row["team"], row["assessment"]) for row in rows] == [
        ("mobile", counted.pk),
        ("payments", latest.pk),
    ]
    row = rows[1]
    assert row["team_name"] == "Payments" and row["unit"] is None
    assert (row["model"], row["model_version"]) == ("continuous-delivery", cd_model.version)
    assert row["submitted_at"] == iso(latest.submitted_at)
    assert row["overall"] == record_of(latest)["overall"]
    assert row["categories"] == {
        category["slug"]: {"level": category["level"], "score": category["score"]}
        for category in record_of(latest)["categories"]
    }
    assert list(row["categories"]) == [c["slug"] for c in record_of(latest)["categories"]]


def test_scores_show_one_decimal_as_the_record_does(
    manager_api: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, lambda p: "yes" if p.level < 1 else "partly" if p.order == 1 else "no")
    assessment.submit()
    frozen = CategoryResult.objects.filter(assessment=assessment).values_list("score", flat=True)
    assert any(
        score is not None and score != round(score, 1) for score in frozen
    )  # more decimals than shown
    row = get(manager_api, "scores")["results"][0]
    assert row["overall"] == record_of(assessment)["overall"]
    assert row["categories"] == {
        category["slug"]: {"level": category["level"], "score": category["score"]}
        for category in record_of(assessment)["categories"]
    }


def test_scores_show_the_categories_as_submitted_after_an_admin_edits_them(
    manager_api: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    assessment = submit_at(payments, cd_model, member, 1, days_ago=1)
    Category.objects.filter(model=cd_model, slug="build").update(slug="ci", name="CI", order=99)
    Category.objects.filter(model=cd_model, slug="data").update(order=0)
    exported = json.loads(
        manager_api.get(reverse("assessment_export", args=[assessment.pk])).content
    )
    row = get(manager_api, "scores")["results"][0]
    assert list(row["categories"].items()) == [
        (category["slug"], {"level": category["level"], "score": category["score"]})
        for category in exported["categories"]
    ]
    submitted = ["build", "environments", "release", "testing", "data", "configuration"]
    assert list(row["categories"]) == submitted


def test_scores_list_an_assessment_without_results(
    manager_api: Client, cd_model: MaturityModel, submitted: Assessment
) -> None:
    empty = dict(record_of(submitted), overall=None, categories=[])
    latest = recorded(submitted.team, cd_model, empty, days_ago=0)
    page = get(manager_api, "scores")
    assert page["count"] == 1
    row = page["results"][0]
    assert (row["assessment"], row["overall"], row["categories"]) == (latest.pk, None, {})


def test_scores_pages_hold_each_team_once_by_name(
    manager_api: Client, cd_model: MaturityModel, submitted: Assessment
) -> None:
    many_teams(5, cd_model, record_of(submitted), each=3)
    pages = [get(manager_api, "scores", page_size=2, page=n)["results"] for n in (1, 2, 3)]
    assert [[row["team"] for row in page] for page in pages] == [
        ["payments", "team-000"],
        ["team-001", "team-002"],
        ["team-003", "team-004"],
    ]
    latest = Assessment.objects.filter(team__slug="team-003").latest("submitted_at")
    assert pages[2][0]["assessment"] == latest.pk


def test_scores_filter_by_date_unit_and_model(
    manager_api: Client,
    cd_model: MaturityModel,
    payments: Team,
    mobile: Team,
    member: User,
    units: dict[str, Unit],
) -> None:
    submit_at(payments, cd_model, member, 1, days_ago=3)
    submit_at(mobile, cd_model, member, 1, days_ago=40)
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert slugs(get(manager_api, "scores", since=since), "team") == ["payments"]
    assert slugs(get(manager_api, "scores", unit="sales"), "team") == ["mobile"]
    for model in ("continuous-delivery", f"continuous-delivery:{cd_model.version}"):
        assert slugs(get(manager_api, "scores", model=model), "team") == ["mobile", "payments"]
    MaturityModel.objects.create(name="Other", slug="other", version="1")
    assert get(manager_api, "scores", model="other")["count"] == 0
    # the default, as on the dashboard: the newest active model with practices, not Other
    assert get(manager_api, "scores")["count"] == 2


@pytest.mark.parametrize("model", ["nope", "continuous-delivery:0", ":1", "a:b:c"])
def test_scores_refuse_an_unknown_model(
    manager_api: Client, cd_model: MaturityModel, model: str
) -> None:
    response = manager_api.get(reverse("api:scores"), {"model": model})
    assert response.status_code == 400
    assert response.json()["errors"] == {"model": ["There is no such model."]}


def test_scores_leave_out_teams_the_user_does_not_see(
    client: Client, cd_model: MaturityModel, member: User, payments: Team, mobile: Team
) -> None:
    submit_at(payments, cd_model, member, 1, days_ago=3)
    submit_at(mobile, cd_model, member, 1, days_ago=3)
    client.force_login(member)
    assert slugs(get(client, "scores"), "team") == ["payments"]


# Pagination


def test_lists_are_paginated(manager_api: Client, cd_model: MaturityModel) -> None:
    Team.objects.bulk_create(Team(name=f"Team {n}", slug=f"team-{n}") for n in range(5))
    first = get(manager_api, "teams", page_size=2)
    assert first["count"] == 5 and len(first["results"]) == 2
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/teams/?page=2&page_size=2"
    last = get(manager_api, "teams", page_size=2, page=3)
    assert slugs(last) == ["team-4"] and last["next"] is None
    beyond = manager_api.get(reverse("api:teams"), {"page": 4, "page_size": 2})
    assert beyond.status_code == 404 and "detail" in beyond.json()


@pytest.mark.parametrize(
    ("asked", "size"), [(None, 50), ("10", 10), ("200", 200), ("201", 200), ("10000", 200)]
)
def test_page_size_defaults_to_50_and_is_capped_at_200(asked: str | None, size: int) -> None:
    query = {} if asked is None else {"page_size": asked}
    request = Request(APIRequestFactory().get("/", query))
    assert PageNumbers().get_page_size(request) == size


# Query counts: the same whatever the number of teams and the page size.


@pytest.mark.parametrize(("teams", "page_size"), [(2, 50), (30, 50), (30, 10), (30, 200)])
def test_units_and_teams_queries(
    manager_api: Client,
    django_assert_num_queries: Any,
    cd_model: MaturityModel,
    submitted: Assessment,
    units: dict[str, Unit],
    teams: int,
    page_size: int,
) -> None:
    for n in range(teams):
        Unit.objects.create(name=f"Unit {n}", slug=f"unit-{n}", parent=units["sales"])
    many_teams(teams, cd_model, record_of(submitted), each=2, unit=units["sales"])
    # session, user and the manager's flags, count, page
    with django_assert_num_queries(4):
        get(manager_api, "units", page_size=page_size)
    with django_assert_num_queries(4):
        get(manager_api, "teams", page_size=page_size)
    # ... and the unit's subtree: the unit, every unit's parent
    with django_assert_num_queries(6):
        get(manager_api, "teams", page_size=page_size, unit="sales")
    # ... and when each team is due
    with django_assert_num_queries(5):
        assert get(manager_api, "teams", page_size=page_size, overdue="false")["count"] > teams


@pytest.mark.parametrize("teams", [2, 30])
def test_a_unit_managers_lists_take_as_many_queries_for_any_number_of_teams(
    client: Client,
    django_assert_num_queries: Any,
    cd_model: MaturityModel,
    submitted: Assessment,
    unit_manager: User,
    units: dict[str, Unit],
    teams: int,
) -> None:
    many_teams(teams, cd_model, record_of(submitted), each=2, unit=units["platform"])
    client.force_login(unit_manager)
    # session, user and the manager's flags, the units managed, every unit's parent, count, page
    for name in ("units", "teams"):
        with django_assert_num_queries(6):
            get(client, name)
    # ... and the newest active model; with a shared cache, the user's teams too (the page
    # is kept under them), and a kept page leaves out the model, count and page
    with django_assert_num_queries(8 if generation.is_shared() else 7):
        assert get(client, "scores")["count"] == teams + 1
    with django_assert_num_queries(5 if generation.is_shared() else 7):
        assert get(client, "scores")["count"] == teams + 1


@pytest.mark.parametrize("assessments", [1, 30])
def test_team_and_assessment_queries(
    client: Client,
    django_assert_num_queries: Any,
    cd_model: MaturityModel,
    member: User,
    submitted: Assessment,
    assessments: int,
) -> None:
    payments = submitted.team
    for n in range(assessments):
        recorded(payments, cd_model, record_of(submitted), days_ago=n + 1)
        PlanItem.objects.create(team=payments, title=f"Item {n}", owner=member)
    client.force_login(member)
    # session, user, the team and the user's membership, the team's row, targets, open items
    with django_assert_num_queries(6):
        get(client, "team", "payments")
    # session, user, the team and the user's membership (a shared cache keeps it from the
    # request before), count, page
    with django_assert_num_queries(4 if generation.is_shared() else 5):
        get(client, "team_assessments", "payments")
    # session, user, the assessment with the user's role
    with django_assert_num_queries(3):
        get(client, "assessment", submitted.pk)


@pytest.mark.parametrize(("teams", "page_size"), [(3, 50), (25, 50), (25, 5), (25, 200)])
def test_scores_queries(
    manager_api: Client,
    django_assert_num_queries: Any,
    cd_model: MaturityModel,
    submitted: Assessment,
    units: dict[str, Unit],
    teams: int,
    page_size: int,
) -> None:
    many_teams(teams, cd_model, record_of(submitted), each=2, unit=units["sales"])
    # session, user and the manager's flags, the newest active model, count, page (its teams
    # with their latest assessments and the scores their records hold)
    with django_assert_num_queries(5):
        get(manager_api, "scores", page_size=page_size)
    # ... and the model named, the unit, every unit's parent (no default model)
    with django_assert_num_queries(7):
        get(manager_api, "scores", page_size=page_size, unit="sales", model="continuous-delivery")


def test_scores_of_200_teams_with_8_assessments_each_take_5_queries(
    manager_api: Client,
    django_assert_num_queries: Any,
    cd_model: MaturityModel,
    submitted: Assessment,
) -> None:
    many_teams(200, cd_model, record_of(submitted), each=8)
    with django_assert_num_queries(5):
        page = get(manager_api, "scores", page_size=200)
    assert page["count"] == 201 and len(page["results"]) == 200
    assert len({row["team"] for row in page["results"]}) == 200
    # kept with a shared cache: the session and the user with the manager's flags
    with django_assert_num_queries(2 if generation.is_shared() else 5):
        assert get(manager_api, "scores", page_size=200) == page
    # a parameter the endpoint does not read: never kept, so such URLs cannot fill the cache
    for _ in range(2):
        with django_assert_num_queries(5):
            assert get(manager_api, "scores", page_size=200, unread="x")["count"] == 201


@pytest.mark.skipif(not generation.is_shared(), reason="pages are kept only in a shared cache")
def test_kept_scores_show_each_submission_and_membership_change_at_once(
    client: Client, cd_model: MaturityModel, member: User, payments: Team, mobile: Team
) -> None:
    submit_at(payments, cd_model, member, 1, days_ago=3)
    client.force_login(member)
    assert slugs(get(client, "scores"), "team") == ["payments"]
    latest = submit_at(payments, cd_model, member, 2, days_ago=1)
    assert [row["assessment"] for row in get(client, "scores")["results"]] == [latest.pk]
    submit_at(mobile, cd_model, member, 1, days_ago=1)
    assert slugs(get(client, "scores"), "team") == ["payments"]  # not one of the member's
    Membership.objects.create(user=member, team=mobile)
    assert slugs(get(client, "scores"), "team") == ["mobile", "payments"]
    Membership.objects.filter(user=member, team=payments).delete()
    assert slugs(get(client, "scores"), "team") == ["mobile"]


@pytest.mark.skipif(not generation.is_shared(), reason="pages are kept only in a shared cache")
def test_kept_scores_follow_a_managers_scope_at_once(
    client: Client,
    cd_model: MaturityModel,
    member: User,
    manager: User,
    unit_manager: User,
    units: dict[str, Unit],
) -> None:
    submit_at(Team.objects.get(slug="payments"), cd_model, member, 1, days_ago=3)
    submit_at(Team.objects.get(slug="mobile"), cd_model, member, 1, days_ago=3)
    client.force_login(unit_manager)  # manages Engineering, above Payments' unit
    assert slugs(get(client, "scores"), "team") == ["payments"]
    units["engineering"].managers.remove(unit_manager)
    units["sales"].managers.add(unit_manager)
    assert slugs(get(client, "scores"), "team") == ["mobile"]
    client.force_login(manager)  # a global manager, through the Managers group
    assert slugs(get(client, "scores"), "team") == ["mobile", "payments"]
    manager.groups.clear()
    assert get(client, "scores")["count"] == 0


@pytest.mark.parametrize("first", [None, "4"])
def test_scores_are_indented_as_asked_whichever_was_kept_first(
    client: Client, cd_model: MaturityModel, member: User, payments: Team, first: str | None
) -> None:
    """The page is kept as rendered (api/renderers.py), once per indent asked for."""
    submit_at(payments, cd_model, member, 1, days_ago=3)
    client.force_login(member)
    url = reverse("api:scores")
    answers = {}
    for indent in (first, *({None, "4"} - {first})):
        accept = "application/json" + (f"; indent={indent}" if indent else "")
        response = client.get(url, HTTP_ACCEPT=accept)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        answers[indent] = response.content.decode()
    assert answers[None].startswith('{"count":1,') and "\n" not in answers[None]
    assert answers["4"].startswith('{\n    "count": 1,')
    assert json.loads(answers[None]) == json.loads(answers["4"])


def test_scores_answer_a_draft_only_team_with_nothing(
    manager_api: Client,
    django_assert_num_queries: Any,
    cd_model: MaturityModel,
    payments: Team,
    member: User,
) -> None:
    answer_all(Assessment.start(payments, cd_model, member, prefill_from=None), up_to(1))
    # session, user and the manager's flags, the newest active model, count: no page to read
    with django_assert_num_queries(4):
        assert get(manager_api, "scores")["count"] == 0


def test_head_and_options_tell_nothing_of_hidden_teams(
    client: Client, outsider: User, payments: Team
) -> None:
    client.force_login(outsider)
    own, hidden = reverse("api:team", args=["mobile"]), reverse("api:team", args=["payments"])
    assert client.head(own).status_code == 200
    assert client.head(hidden).status_code == 404
    assert client.options(own).json() == client.options(hidden).json()
