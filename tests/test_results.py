"""The result page, export.json, the team page and home."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from assessments.models import Assessment, DeliveryMetrics
from assessments.reports import Kept
from maturity import generation
from maturity.models import Cell, MaturityModel
from teams.models import Membership, Team

from .conftest import DEFAULT_VERSION, answer_all, up_to


def submit(team: Team, model: MaturityModel, user: User, status_for, when: datetime) -> Assessment:  # type: ignore[no-untyped-def]
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, status_for)
    assessment.submit(user, at=when)
    return assessment


def monthly_history(team: Team, model: MaturityModel, user: User, months: int) -> list[Assessment]:
    """One submitted assessment on the first of each month of 2026, oldest first."""
    return [
        submit(team, model, user, up_to(month % 3), datetime(2026, month, 1, tzinfo=timezone.utc))
        for month in range(1, months + 1)
    ]


def build_half_of_level_2(practice) -> str:  # type: ignore[no-untyped-def]
    """Level 1 everywhere; in build, level 2 half done (yes, partly, no...)."""
    if practice.level <= 1:
        return "yes"
    if practice.key.startswith("build.2.") and practice.order == 1:
        return "yes"
    if practice.key.startswith("build.2.") and practice.order == 2:
        return "partly"
    return "no"


@pytest.fixture
def two_results(
    cd_model: MaturityModel, payments: Team, member: User
) -> tuple[Assessment, Assessment]:
    earlier = submit(
        payments, cd_model, member, up_to(0), datetime(2026, 5, 1, 9, tzinfo=timezone.utc)
    )
    later = submit(
        payments,
        cd_model,
        member,
        build_half_of_level_2,
        datetime(2026, 11, 26, 10, tzinfo=timezone.utc),
    )
    return earlier, later


def test_result_page_shows_radar_levels_changes_and_next_steps(
    client: Client,
    member: User,
    two_results: tuple[Assessment, Assessment],
    django_assert_num_queries: object,
) -> None:
    _, later = two_results
    client.force_login(member)
    # session, user (with what the navigation needs), assessment with membership, team and
    # record: the record holds the rest
    with django_assert_num_queries(3):  # type: ignore[operator]
        response = client.get(reverse("assessment_result", args=[later.pk]))
    page = response.content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "stroke-dasharray" in page  # the previous assessment, dashed
    assert "Previous (01 May 2026)" in page
    assert "1 · Consistent" in page
    assert "▲ +1.0" in page  # level 0 -> level 1 in five categories
    assert "▲ +1.5" in page  # build: 0.0 -> 1.5
    # Next steps: build (1.5) comes after the five categories at 1.0, which are in order.
    steps = page.split('id="next-steps-heading"')[1]
    positions = [
        steps.index(name)
        for name in [
            "Environments and deployment",
            "Release management",
            "Testing",
            "Build management",
        ]
    ]
    assert positions == sorted(positions)


def test_result_page_query_count_does_not_grow_with_history(
    client: Client,
    member: User,
    cd_model: MaturityModel,
    payments: Team,
    django_assert_num_queries: object,
) -> None:
    latest = monthly_history(payments, cd_model, member, months=6)[-1]
    client.force_login(member)
    with django_assert_num_queries(3):  # type: ignore[operator]
        client.get(reverse("assessment_result", args=[latest.pk]))


def test_first_result_has_no_comparison(
    client: Client, member: User, submitted: Assessment
) -> None:
    client.force_login(member)
    page = client.get(reverse("assessment_result", args=[submitted.pk])).content.decode()
    assert "stroke-dasharray" not in page.split('class="legend"')[0]
    assert ">Change<" not in page  # no column for it


def test_draft_result_is_a_labelled_preview(
    client: Client, member: User, draft: Assessment
) -> None:
    answer_all(draft, up_to(2))
    client.force_login(member)
    page = client.get(reverse("assessment_result", args=[draft.pk])).content.decode()
    assert "Preview of a draft" in page
    assert '<td class="text-end fw-semibold">2.0</td>' in page
    assert '<div class="display-6 fw-semibold">2.0</div>' in page
    assert "Download JSON" not in page


def test_export_json_matches_the_contract(
    client: Client, manager: User, two_results: tuple[Assessment, Assessment]
) -> None:
    _, later = two_results
    client.force_login(manager)
    response = client.get(reverse("assessment_export", args=[later.pk]))
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert list(data) == sorted(
        [
            "schema",
            "id",
            "team",
            "model",
            "submitted_at",
            "submitted_by",
            "overall",
            "levels",
            "categories",
            "answers",
            "previous",
            "delivery",
            "checks",
            "targets",
        ]
    )
    assert data["schema"] == 2 and data["id"] == later.pk
    assert data["team"] == {"slug": "payments", "name": "Payments"}
    assert data["model"] == {
        "slug": "continuous-delivery",
        "version": DEFAULT_VERSION,
        "name": "Continuous delivery maturity model",
    }
    assert data["submitted_by"] == "mira"
    assert data["submitted_at"] == "2026-11-26T10:00:00Z"
    assert data["overall"] == 1.1  # (1.5 + 5 x 1.0) / 6 = 1.083
    assert [c["slug"] for c in data["categories"]] == [
        "build",
        "environments",
        "release",
        "testing",
        "data",
        "configuration",
    ]
    build = data["categories"][0]
    assert list(build) == sorted(
        ["slug", "name", "level", "level_name", "score", "agreement", "advice", "next_steps"]
    )
    assert build["name"] == "Build management and continuous integration"
    assert (build["level"], build["level_name"], build["score"]) == (1, "Consistent", 1.5)
    build_level_2 = later.tree().category("build").cells[2].practices  # type: ignore[union-attr]
    assert build["next_steps"] == [p.text for p in build_level_2 if p.order >= 2]


def test_export_of_a_draft_is_404(client: Client, member: User, draft: Assessment) -> None:
    client.force_login(member)
    assert client.get(reverse("assessment_export", args=[draft.pk])).status_code == 404


def test_top_category_has_no_next_steps(
    client: Client, member: User, cd_model: MaturityModel, payments: Team
) -> None:
    done = submit(payments, cd_model, member, up_to(3), datetime(2026, 3, 1, tzinfo=timezone.utc))
    client.force_login(member)
    data = client.get(reverse("assessment_export", args=[done.pk])).json()
    assert {c["score"] for c in data["categories"]} == {3.0}
    assert all(c["next_steps"] == [] for c in data["categories"])
    page = client.get(reverse("assessment_result", args=[done.pk])).content.decode()
    assert "Every scored area is at the top level" in page
    assert "Add to the plan" not in page


def test_team_page_lists_history_newest_first_with_a_trend(
    client: Client, manager: User, two_results: tuple[Assessment, Assessment]
) -> None:
    client.force_login(manager)
    page = client.get(reverse("team_detail", args=["payments"])).content.decode()
    table = page.split('id="history-heading"')[1]
    assert table.index("26 Nov 2026") < table.index("1 May 2026")
    assert 'class="chart trend"' in page
    assert "Start new assessment" not in page  # managers read only


@pytest.mark.parametrize("count", [1, 6])
def test_team_page_query_count_is_constant(
    client: Client,
    member: User,
    cd_model: MaturityModel,
    payments: Team,
    count: int,
    django_assert_num_queries: object,
) -> None:
    history = monthly_history(payments, cd_model, member, months=count)
    for assessment in history[::2]:  # delivery outcomes for some: they come with the history
        DeliveryMetrics.objects.create(assessment=assessment, lead_time=4, change_fail_rate=10)
    client.force_login(member)
    # session, user, team with membership, assessments with their delivery metrics, their
    # results, levels for the trend; then targets, open
    # plan items
    with django_assert_num_queries(8):  # type: ignore[operator]
        client.get(reverse("team_detail", args=["payments"]))


def test_home_shows_latest_overall_weakest_area_and_drafts(
    client: Client, member: User, two_results: tuple[Assessment, Assessment], draft: Assessment
) -> None:
    client.force_login(member)
    page = client.get("/").content.decode()
    assert 'overall <strong class="fs-5">1.1</strong>' in page
    assert "Weakest area: <strong>Environments and deployment</strong> (1.0)" in page
    assert reverse("assessment_review", args=[draft.pk]) in page
    assert reverse("assessment_new", args=["payments"]) in page


def test_home_lists_my_teams_by_name_and_no_one_elses(
    client: Client, member: User, mobile: Team
) -> None:
    for name in ("Zebra", "Alpha"):
        team = Team.objects.create(name=name, slug=name.lower())
        Membership.objects.create(user=member, team=team)
    client.force_login(member)
    page = client.get("/").content.decode()
    assert page.index(">Alpha</a>") < page.index(">Payments</a>") < page.index(">Zebra</a>")
    assert mobile.name not in page


@pytest.mark.parametrize("teams", [2, 8])
def test_home_query_count_is_constant(
    client: Client,
    member: User,
    manager: User,
    cd_model: MaturityModel,
    teams: int,
    django_assert_num_queries: object,
) -> None:
    from teams.models import Membership

    for index in range(teams):
        team = Team.objects.create(name=f"Team {index}", slug=f"team-{index}")
        Membership.objects.create(user=manager, team=team)
        submit(team, cd_model, member, up_to(index % 3), datetime(2026, 1, 1, tzinfo=timezone.utc))
        Assessment.start(team, cd_model, manager, prefill_from=None)
    client.force_login(manager)
    # session, user, memberships, the latest result of each of my teams, the cadences in
    # use, how many teams are overseen and overdue, drafts
    with django_assert_num_queries(7):  # type: ignore[operator]
        page = client.get("/").content.decode()
    assert page.count("Start new assessment") == teams
    # Viewed again with a shared cache: the memberships with the latest results, the
    # cadences in use, the overdue count and the drafts come from it.
    with django_assert_num_queries(2 if generation.is_shared() else 7):  # type: ignore[operator]
        again = client.get("/").content.decode()
    assert again.count("Start new assessment") == teams
    # and Payments, seen as a manager; the teams assessed on 1 January are past 90 days
    assert f"{teams + 1} teams, <strong>{teams} overdue</strong>" in page


@pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_with_a_shared_cache_a_managers_overdue_count_is_kept_until_a_team_or_assessment_is_saved(
    client: Client,
    member: User,
    manager: User,
    payments: Team,
    cd_model: MaturityModel,
    django_assert_num_queries: object,
) -> None:
    client.force_login(manager)
    assert "1 team, none overdue" in client.get("/").content.decode()
    # session, user and the manager check: the count and the memberships come from the cache
    with django_assert_num_queries(2):  # type: ignore[operator]
        client.get("/")
    submit(payments, cd_model, member, up_to(1), datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert "1 team, <strong>1 overdue</strong>" in client.get("/").content.decode()
    Team.objects.create(name="Search", slug="search")
    assert "2 teams, <strong>1 overdue</strong>" in client.get("/").content.decode()


def test_home_for_someone_without_a_team_says_what_to_do(
    client: Client, django_user_model: type[User]
) -> None:
    client.force_login(django_user_model.objects.create_user("new", password="pw"))
    assert b"You are not on a team yet" in client.get("/").content


@pytest.mark.parametrize("page", ["assessment_result", "assessment_answers"])
def test_texts_from_the_model_are_escaped_on_the_result_and_answers_pages(
    client: Client, member: User, draft: Assessment, cd_model: MaturityModel, page: str
) -> None:
    hostile = "<script>alert(1)</script>"
    cd_model.categories.filter(slug="build").update(name=hostile)
    cd_model.practices.filter(key="build.1.team-notified").update(text=hostile)
    answer_all(draft, up_to(0))
    draft.save_answers([(draft.tree().practices[0].id, "yes", hostile)])
    draft.submit()
    client.force_login(member)
    shown = client.get(reverse(page, args=[draft.pk])).content.decode()
    assert hostile not in shown
    assert escape(hostile) in shown


def test_a_submitted_result_follows_the_team_name(
    client: Client, member: User, submitted: Assessment, payments: Team
) -> None:
    client.force_login(member)
    url = reverse("assessment_result", args=[submitted.pk])
    payments.name = "Payments & Billing"
    payments.save()
    assert "Payments &amp; Billing" in client.get(url).content.decode()


def test_a_draft_result_follows_its_answers(
    client: Client, member: User, draft: Assessment
) -> None:
    client.force_login(member)
    url = reverse("assessment_result", args=[draft.pk])
    assert ">-1.0</div>" in client.get(url).content.decode()
    answer_all(draft, up_to(3))
    assert ">3.0</div>" in client.get(url).content.decode()


def test_a_result_follows_a_renamed_team(
    client: Client, member: User, submitted: Assessment, payments: Team
) -> None:
    client.force_login(member)
    url = reverse("assessment_result", args=[submitted.pk])
    client.get(url)
    payments.slug = "billing"
    payments.save()
    page = client.get(url).content.decode()
    assert reverse("team_detail", args=["billing"]) in page


def _without_csrf_tokens(content: bytes) -> bytes:
    """A page with its CSRF tokens blanked: Django masks them afresh on every response."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def _model_edit(edit: str, model: MaturityModel) -> None:
    """One kind of edit of the model, with plain saves, as the admin makes them."""
    if edit == "practice-text":
        practice = model.practices.get(key="build.1.team-notified")
        practice.text, practice.help = "Reworded after the fact", "New help"
        practice.save()
    elif edit == "level-name":
        level = model.levels.get(value=1)
        level.name = "Renamed level"
        level.save()
    elif edit == "category-name":
        category = model.categories.get(slug="testing")
        category.name = "Testing, renamed"
        category.save()
    elif edit == "cell-advice":
        for cell in Cell.objects.filter(category__model=model):
            cell.advice = "Different advice"
            cell.save()
    elif edit == "retire-practice":
        practice = model.practices.get(key="build.2.metrics-visible")
        practice.is_active = False
        practice.save()
    else:  # move a practice to another level
        practice = model.practices.get(key="build.1.team-notified")
        practice.cell = Cell.objects.get(category__slug="build", level__value=3)
        practice.save()


@pytest.mark.parametrize(
    "edit",
    [
        "practice-text",
        "level-name",
        "category-name",
        "cell-advice",
        "retire-practice",
        "move-practice",
    ],
)
def test_model_edits_change_nothing_a_submitted_assessment_shows(
    client: Client,
    member: User,
    cd_model: MaturityModel,
    two_results: tuple[Assessment, Assessment],
    edit: str,
) -> None:
    _, later = two_results
    client.force_login(member)
    pages = [
        reverse(name, args=[later.pk])
        for name in ["assessment_result", "assessment_answers", "assessment_export"]
    ]
    before = {url: _without_csrf_tokens(client.get(url).content) for url in pages}
    assert b"Consistent" in before[pages[0]] and b"Testing" in before[pages[1]]
    _model_edit(edit, cd_model)
    caches["immutable"].clear()  # the pages show the record, not a kept rendering
    after = {url: _without_csrf_tokens(client.get(url).content) for url in pages}
    assert after == before


def test_result_page_query_count_does_not_grow_with_the_model(
    client: Client,
    member: User,
    cd_model: MaturityModel,
    payments: Team,
    django_assert_num_queries: object,
) -> None:
    cell = Cell.objects.get(category__slug="testing", level__value=2)
    for index in range(30):
        cell.practices.create(key=f"testing.2.extra-{index}", text=f"Extra {index}")
    large = submit(payments, cd_model, member, up_to(1), datetime(2026, 5, 1, tzinfo=timezone.utc))
    client.force_login(member)
    # session, user, assessment with membership, team and record
    with django_assert_num_queries(3):  # type: ignore[operator]
        page = client.get(reverse("assessment_result", args=[large.pk])).content.decode()
    assert "Extra 0" in page  # a next step of testing


def test_answers_page_shows_each_answer_beside_the_previous_one_in_fixed_queries(
    client: Client,
    member: User,
    two_results: tuple[Assessment, Assessment],
    django_assert_num_queries: object,
) -> None:
    earlier, later = two_results
    client.force_login(member)
    # session, user, assessment with membership, team and record, the previous
    # assessment's record
    with django_assert_num_queries(4):  # type: ignore[operator]
        page = client.get(reverse("assessment_answers", args=[later.pk])).content.decode()
    assert later.record is not None and earlier.record is not None
    changed = {
        answer["key"]
        for answer, before in zip(later.record["answers"], earlier.record["answers"], strict=True)
        if answer["status"] != before["status"]
    }
    assert changed and page.count(">changed</span>") == len(changed)
    # Its rendering is kept now: session, user, assessment with membership, team and record
    with django_assert_num_queries(3):  # type: ignore[operator]
        again = client.get(reverse("assessment_answers", args=[later.pk])).content.decode()
    assert _without_csrf_tokens(again.encode()) == _without_csrf_tokens(page.encode())


def test_a_submitted_result_is_rendered_from_its_record_once(
    client: Client,
    member: User,
    two_results: tuple[Assessment, Assessment],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from assessments import reports

    drawn: list[object] = []

    def draw(record: object) -> str:
        drawn.append(record)
        return "radar"

    monkeypatch.setattr(reports, "radar_html", draw)
    _, later = two_results
    client.force_login(member)
    url = reverse("assessment_result", args=[later.pk])
    first = _without_csrf_tokens(client.get(url).content)
    with CaptureQueriesContext(connection) as captured:
        again = _without_csrf_tokens(client.get(url).content)
    assert len(drawn) == 1 and again == first
    assert b"Add to plan" in again  # beside the kept parts, the live ones
    read = [query["sql"] for query in captured.captured_queries]
    assert not [sql for sql in read if '"assessments_assessment"."record"' in sql]


@pytest.mark.parametrize("page", ["assessment_result", "assessment_answers"])
def test_parts_kept_for_another_submission_are_not_shown(
    client: Client, member: User, submitted: Assessment, page: str
) -> None:
    stale = {part: mark_safe("Stale part") for part in ("summary", "overall", "record", "steps")}
    kept = Kept(datetime(2020, 1, 1, tzinfo=timezone.utc), {**stale, "answers": stale["record"]})
    name = page.removeprefix("assessment_")
    caches["immutable"].set(f"kept:{name}:{submitted.pk}", kept)
    client.force_login(member)
    shown = client.get(reverse(page, args=[submitted.pk])).content.decode()
    assert "Stale part" not in shown and "Consistent" in shown


def test_a_member_is_offered_the_plan_after_a_manager_saw_the_result_first(
    client: Client, member: User, manager: User, submitted: Assessment
) -> None:
    url = reverse("assessment_result", args=[submitted.pk])
    client.force_login(manager)
    assert "Add to plan" not in client.get(url).content.decode()
    client.force_login(member)
    assert "Add to plan" in client.get(url).content.decode()


def test_a_kept_result_shows_a_void_at_once(
    client: Client, member: User, submitted: Assessment
) -> None:
    client.force_login(member)
    url = reverse("assessment_result", args=[submitted.pk])
    before = client.get(url).content.decode()
    assert "Add to plan" in before and "Voided" not in before
    submitted.void(member, "Entered for the wrong team")
    after = client.get(url).content.decode()
    assert "Voided</strong>" in after and "Entered for the wrong team" in after
    assert "Add to plan" not in after and "Void…" not in after
    next_steps = [page.split('id="next-steps-heading"')[1] for page in (before, after)]
    assert next_steps[0].split("</section>")[0] == next_steps[1].split("</section>")[0]


@pytest.mark.parametrize("page", ["assessment_result", "assessment_answers", "assessment_export"])
def test_a_kept_page_is_404_for_a_member_who_left(
    client: Client, member: User, submitted: Assessment, page: str
) -> None:
    client.force_login(member)
    url = reverse(page, args=[submitted.pk])
    assert client.get(url).status_code == 200
    member.memberships.all().delete()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("page", ["assessment_result", "assessment_answers", "assessment_export"])
def test_an_id_beyond_any_assessment_is_404(client: Client, member: User, page: str) -> None:
    client.force_login(member)
    for pk in (2**63, 10**30):
        assert client.get(reverse(page, args=[pk])).status_code == 404


@pytest.mark.parametrize("extra_practices", [0, 30])
def test_a_drafts_result_preview_takes_fixed_queries_whatever_the_models_size(
    client: Client,
    member: User,
    draft: Assessment,
    extra_practices: int,
    django_assert_num_queries: object,
) -> None:
    cell = Cell.objects.get(category__slug="testing", level__value=2)
    for index in range(extra_practices):
        cell.practices.create(key=f"testing.2.extra-{index}", text=f"Extra {index}")
    client.force_login(member)
    # session, user, assessment with membership and team, then the preview: tree (two),
    # answers, members' answers, model, previous assessment, delivery metrics, checks,
    # the team's targets
    with django_assert_num_queries(12):  # type: ignore[operator]
        page = client.get(reverse("assessment_result", args=[draft.pk]))
    assert page.status_code == 200
    assert b"draft, not submitted" in page.content
