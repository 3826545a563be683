"""Targets and the improvement plan: the plan page, adding next steps from a result, the
team page's plan section, who may do what, and what a tampered POST gets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from assessments.models import Assessment
from maturity import generation
from maturity.models import Category, MaturityModel
from planning import widgets
from planning.display import NOT_IN_MODEL
from planning.models import PlanItem, Target
from teams.models import Membership, Team

from .conftest import answer_all, tokens_of_two_views, up_to

CATEGORIES = ["build", "environments", "release", "testing", "data", "configuration"]
NEXT_STEP = "build.2.metrics-visible"  # level 2 of build: answered no in `submitted`
IN_PLACE = "build.1.team-notified"  # level 1 of build: answered yes in `submitted`


def today() -> date:
    return timezone.localdate()


def later(days: int = 90) -> date:
    return today() + timedelta(days=days)


def plan_url(slug: str = "payments") -> str:
    return reverse("team_plan", args=[slug])


def add_url(slug: str = "payments") -> str:
    return reverse("plan_add", args=[slug])


@pytest.fixture
def teammate(payments: Team, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("tim", password="pw")
    Membership.objects.create(user=user, team=payments)
    return user


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


def targets_post(
    shown: dict[str, tuple[int, date]] | None = None, **wanted: tuple[object, object]
) -> dict[str, object]:
    """The targets form as sent: every category blank but those in `wanted`; with `shown`,
    the targets as the page showed them (blank for the others)."""
    data: dict[str, object] = {"action": "targets"}
    for slug in CATEGORIES:
        level, due = wanted.get(slug, ("", ""))
        data[f"{slug}-level"], data[f"{slug}-due"] = level, due
        if shown is not None:
            was = shown.get(slug)
            data[f"{slug}-was"] = f"{was[0]}|{was[1]:%Y-%m-%d}" if was else ""
    return data


def item_post(prefix: str = "new", **fields: object) -> dict[str, object]:
    values = {"title": "", "category": "", "owner": "", "due": ""} | fields
    return {f"{prefix}-{name}": value for name, value in values.items()}


def make_item(team: Team, title: str = "Wire up the build radiator", **fields: object) -> PlanItem:
    return PlanItem.objects.create(team=team, title=title, **fields)


def submit_later(team: Team, model: MaturityModel, user: User, level: int) -> Assessment:
    """A further submitted assessment, a minute from now."""
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, up_to(level))
    assessment.submit(user, at=timezone.now() + timedelta(minutes=1))
    return assessment


# The plan page: what it shows


def test_plan_page_shows_each_category_with_its_latest_level_and_the_targets_form(
    as_user: Callable[[User], Client], member: User, submitted: Assessment
) -> None:
    page = as_user(member).get(plan_url()).content.decode()
    assert "Build management and continuous integration" in page
    assert "Configuration management" in page
    assert page.count(">1 · Consistent</span>") == len(CATEGORIES)  # the latest levels
    assert "Save targets" in page
    # Target levels are the model's levels above its floor.
    assert '<option value="3">3 · Optimizing</option>' in page
    assert '<option value="-1">' not in page


def test_plan_page_before_any_result_uses_the_newest_ready_model(
    as_user: Callable[[User], Client], member: User, cd_model: MaturityModel
) -> None:
    page = as_user(member).get(plan_url()).content.decode()
    assert "No result yet" in page
    assert "Data management" in page and "no result yet" in page


def test_a_manager_reads_the_plan_without_any_form(
    as_user: Callable[[User], Client], manager: User, submitted: Assessment, payments: Team
) -> None:
    Target.objects.create(team=payments, category="build", level=2, due=later())
    make_item(payments, owner=None)
    page = as_user(manager).get(plan_url()).content.decode()
    assert "2 · Quantitatively managed" in page
    assert "Wire up the build radiator" in page
    assert "<form" not in page.split('id="main"')[1]
    assert "Save targets" not in page and "Reopen" not in page


def test_the_targets_table_shows_each_kind_of_row_and_escapes_the_names(
    as_user: Callable[[User], Client],
    manager: User,
    member: User,
    submitted: Assessment,
    payments: Team,
) -> None:
    """The targets table's rows are written out in Python (planning/display.py)."""
    hostile = '<img src=x onerror=alert(1)> & "Build"'
    Category.objects.filter(model=submitted.model, slug="build").update(name=hostile)
    Target.objects.create(team=payments, category="build", level=2, due=date(2099, 6, 30))
    Target.objects.create(team=payments, category="retired-area", level=1, due=date(2099, 1, 2))
    read = as_user(manager).get(plan_url()).content.decode()
    edit = as_user(member).get(plan_url()).content.decode()
    for page in (read, edit):
        assert "<img src=x" not in page
        assert f'<th scope="row" class="fw-normal">{escape(hostile)}</th>' in page
        assert "<td>1 · Consistent</td>\n          <td>2 Jan 2099</td>" in page.replace(
            NOT_IN_MODEL, ""
        )
    assert '<td class="text-body-secondary">No target</td><td></td>' in read
    assert "<td>2 · Quantitatively managed</td>\n          <td>30 Jun 2099</td>" in read
    assert NOT_IN_MODEL in edit and NOT_IN_MODEL not in read
    assert 'name="build-was" value="2|2099-06-30"' in edit


# Targets


def test_a_member_sets_changes_and_clears_targets(
    as_user: Callable[[User], Client], teammate: User, submitted: Assessment, payments: Team
) -> None:
    client = as_user(teammate)
    due = later()
    response = client.post(plan_url(), targets_post(build=(2, due), testing=(3, due)))
    assert response.status_code == 302
    assert set(Target.objects.filter(team=payments).values_list("category", "level", "due")) == {
        ("build", 2, due),
        ("testing", 3, due),
    }
    response = client.post(plan_url(), targets_post(build=(3, due)), follow=True)
    assert "Targets saved." in response.content.decode()
    assert list(Target.objects.filter(team=payments).values_list("category", "level")) == [
        ("build", 3)
    ]


def test_targets_of_other_categories_and_teams_stay(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    mobile: Team,
) -> None:
    Target.objects.create(team=payments, category="retired-area", level=1, due=later())
    Target.objects.create(team=mobile, category="build", level=1, due=later())
    as_user(member).post(plan_url(), targets_post(build=(2, later())))
    assert Target.objects.filter(team=payments).filter(category="retired-area").exists()
    assert Target.objects.filter(team=mobile).filter(category="build", level=1).exists()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        ((2, ""), "A target needs a due date too."),
        (("", "2027-01-01"), "Choose a level for this due date, or clear the date."),
        ((-1, "2099-01-01"), "Choose one of the model&#x27;s levels above its lowest one."),
        ((7, "2099-01-01"), "Choose one of the model&#x27;s levels above its lowest one."),
        (("two", "2099-01-01"), "Choose one of the model&#x27;s levels above its lowest one."),
        ((2, "30/06/2099"), "Enter a date as YYYY-MM-DD"),
        ((2, "2099-02-30"), "Enter a date as YYYY-MM-DD"),
        ((2, "2001-01-01"), "This date has passed"),
    ],
    ids=["no-due", "no-level", "floor", "unknown", "not-a-number", "format", "no-day", "past"],
)
def test_invalid_targets_are_refused_and_nothing_is_saved(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    build: tuple[object, object],
    message: str,
) -> None:
    Target.objects.create(team=payments, category="testing", level=2, due=later())
    response = as_user(member).post(
        plan_url(), targets_post(build=build, data=(3, later()))
    )  # data would be valid: it is not saved either
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "The targets were not saved" in page
    assert list(Target.objects.filter(team=payments).values_list("category", "level")) == [
        ("testing", 2)
    ]


def test_a_target_whose_date_passed_can_stay_as_it_is(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    past = today() - timedelta(days=10)
    Target.objects.create(team=payments, category="build", level=2, due=past)
    page = as_user(member).get(plan_url()).content.decode()
    assert f'name="build-was" value="2|{past:%Y-%m-%d}"' in page
    data = targets_post({"build": (2, past)}, build=(2, past.isoformat()), data=(3, later()))
    response = as_user(member).post(plan_url(), data)
    assert response.status_code == 302
    assert set(Target.objects.filter(team=payments).values_list("category", "due")) == {
        ("build", past),
        ("data", later()),
    }


def test_a_tampered_as_shown_value_is_echoed_escaped_and_counts_as_a_change(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    """What the page showed of a target is a hidden value sent back, not a form field:
    whatever it holds, it is written back only escaped, and a value that is no target the
    page could have shown makes the row a change, written as sent."""
    client = as_user(member)
    hostile = '"><script>alert(1)</script>'
    refused = targets_post(build=("9", later()))
    refused["build-was"] = hostile
    response = client.post(plan_url(), refused)
    page = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)" not in page
    assert f'name="build-was" value="{escape(hostile)}"' in page
    Target.objects.create(team=payments, category="build", level=2, due=later())
    unchanged = targets_post({"build": (2, later())}, build=(2, later()))
    assert "nothing to save" in client.post(plan_url(), unchanged, follow=True).content.decode()
    unchanged["build-was"] = "2|not-a-date"
    assert "Targets saved." in client.post(plan_url(), unchanged, follow=True).content.decode()
    assert list(Target.objects.filter(team=payments).values_list("category", "level")) == [
        ("build", 2)
    ]


def test_a_save_writes_only_the_targets_changed_on_the_page(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    # The page showed no targets; meanwhile a teammate set one for testing.
    Target.objects.create(team=payments, category="testing", level=3, due=later())
    response = as_user(member).post(plan_url(), targets_post({}, build=(2, later())))
    assert response.status_code == 302
    assert set(Target.objects.filter(team=payments).values_list("category", "level")) == {
        ("build", 2),
        ("testing", 3),
    }


def test_saving_unchanged_targets_says_so(
    as_user: Callable[[User], Client], member: User, submitted: Assessment
) -> None:
    response = as_user(member).post(plan_url(), targets_post(), follow=True)
    assert "nothing to save" in response.content.decode()


# Plan items


def test_a_member_adds_an_item_with_category_owner_and_due_date(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    submitted: Assessment,
    payments: Team,
) -> None:
    data = {"action": "add"} | item_post(
        title="  Show the build status on a screen  ",
        category="build",
        owner=teammate.pk,
        due=later().isoformat(),
    )
    response = as_user(member).post(plan_url(), data, follow=True)
    assert "Added to the plan: Show the build status on a screen" in response.content.decode()
    item = PlanItem.objects.filter(team=payments).get()
    assert (item.title, item.category, item.owner, item.due, item.status) == (
        "Show the build status on a screen",
        "build",
        teammate,
        later(),
        PlanItem.Status.OPEN,
    )
    assert item.practice_key == "" and item.closed_at is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Give the item a title"),
        ({"title": "x" * 201}, "Keep the title to 200 characters or fewer."),
        ({"title": "Ok", "owner": "outsider"}, "Choose a member of the team as the owner"),
        ({"title": "Ok", "owner": "nobody-such"}, "Choose a member of the team as the owner"),
        ({"title": "Ok", "category": "no-such-area"}, "Choose one of the model&#x27;s categories"),
        ({"title": "Ok", "due": "next week"}, "Enter a date as YYYY-MM-DD"),
        ({"title": "Ok", "due": "2001-01-01"}, "This date has passed"),
    ],
    ids=["blank-title", "long-title", "foreign-owner", "bad-owner", "category", "date", "past"],
)
def test_an_invalid_item_is_refused_with_a_message_and_not_added(
    as_user: Callable[[User], Client],
    member: User,
    outsider: User,
    submitted: Assessment,
    payments: Team,
    fields: dict[str, str],
    message: str,
) -> None:
    if fields.get("owner") == "outsider":
        fields = fields | {"owner": str(outsider.pk)}
    response = as_user(member).post(plan_url(), {"action": "add"} | item_post(**fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "The item was not added" in page
    assert not PlanItem.objects.exists()


def test_a_member_edits_an_item(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    submitted: Assessment,
    payments: Team,
) -> None:
    item = make_item(payments, owner=member)
    data = {"action": "edit", "item": item.pk} | item_post(
        f"item-{item.pk}", title="Radiator in the team room", owner=teammate.pk, category="build"
    )
    response = as_user(member).post(plan_url(), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.owner, item.category, item.due) == (
        "Radiator in the team room",
        teammate,
        "build",
        None,
    )


def test_an_invalid_edit_shows_the_item_open_with_the_message(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    item = make_item(payments)
    data = {"action": "edit", "item": item.pk} | item_post(f"item-{item.pk}", title="")
    response = as_user(member).post(plan_url(), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the item a title" in page
    assert '<details class="mt-2 d-print-none" open>' in page
    item.refresh_from_db()
    assert item.title == "Wire up the build radiator"


def test_done_drop_and_reopen(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    item = make_item(payments)
    client = as_user(member)

    def set_status(status: str) -> None:
        data = {"action": "status", "item": item.pk, "status": status}
        assert client.post(plan_url(), data).status_code == 302
        item.refresh_from_db()

    set_status("done")
    assert item.status == "done" and item.closed_at is not None
    set_status("dropped")
    assert item.status == "dropped" and item.closed_at is not None
    set_status("open")
    assert item.status == "open" and item.closed_at is None
    response = client.post(plan_url(), {"action": "status", "item": item.pk, "status": "open"})
    assert response.status_code == 302  # already open: said, nothing changes


def test_closed_items_cannot_be_edited_until_reopened(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    item = make_item(payments, status="done", closed_at=timezone.now())
    data = {"action": "edit", "item": item.pk} | item_post(f"item-{item.pk}", title="Changed")
    response = as_user(member).post(plan_url(), data)
    assert response.status_code == 400
    assert "reopen it to edit it" in response.content.decode()
    item.refresh_from_db()
    assert item.title == "Wire up the build radiator"


def test_open_items_come_first_then_done_and_dropped(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    make_item(payments, "Finished one", status="done", closed_at=timezone.now())
    make_item(payments, "Abandoned one", status="dropped", closed_at=timezone.now())
    make_item(payments, "Undated one")
    make_item(payments, "Soon one", due=later(3))
    page = as_user(member).get(plan_url()).content.decode()
    order = [page.index(title) for title in ["Soon one", "Undated one", "Abandoned one"]]
    assert order == sorted(order)
    assert page.index("Finished one") > page.index("Undated one")
    assert "<del>Abandoned one</del>" in page


def test_overdue_open_items_are_marked(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    late = make_item(payments, "Late one", due=today() - timedelta(days=1))
    make_item(payments, "Due today", due=today())
    make_item(
        payments,
        "Done late",
        due=today() - timedelta(days=5),
        status="done",
        closed_at=timezone.now(),
    )
    for url in [plan_url(), reverse("team_detail", args=["payments"])]:
        page = as_user(member).get(url).content.decode()
        assert page.count(">Overdue<") == 1
        marked = page.split(f'id="item-{late.pk}"')[1].split("</li>")[0]
        assert ">Overdue<" in marked


def test_reopening_an_item_while_another_is_open_for_its_practice_is_refused(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    old = make_item(
        payments, "Old", practice_key=NEXT_STEP, status="dropped", closed_at=timezone.now()
    )
    make_item(payments, "New", practice_key=NEXT_STEP)
    response = as_user(member).post(
        plan_url(), {"action": "status", "item": old.pk, "status": "open"}
    )
    assert response.status_code == 409
    assert "is open for the same practice already" in response.content.decode()
    old.refresh_from_db()
    assert old.status == "dropped"


# Tampered POSTs: refused with a message, nothing changed


def test_another_teams_item_is_404_and_left_alone(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, mobile: Team
) -> None:
    theirs = make_item(mobile, "Theirs")
    client = as_user(member)
    edit = {"action": "edit", "item": theirs.pk} | item_post(f"item-{theirs.pk}", title="Mine")
    assert client.post(plan_url(), edit).status_code == 404
    done = {"action": "status", "item": theirs.pk, "status": "done"}
    assert client.post(plan_url(), done).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.status) == ("Theirs", "open")


@pytest.mark.parametrize("raw", ["²", "1.0", "-1", "", "9" * 30])
def test_an_item_id_that_is_no_id_is_not_found(
    as_user: Callable[[User], Client], member: User, payments: Team, raw: str
) -> None:
    """Unicode digits pass str.isdigit() and fail int(): 404, never a 500."""
    client = as_user(member)
    response = client.post(plan_url(), {"action": "edit", "item": raw, "title": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "status", "status": "finished"}, "Unknown status"),
        ({"action": "status", "status": ""}, "Say what the item is now"),
        ({"action": "status", "status": "done", "item": "abc"}, "Unknown item."),
        ({"action": "delete"}, "no action this page knows"),
        ({}, "no action this page knows"),
    ],
    ids=["unknown-status", "no-status", "bad-item", "unknown-action", "no-action"],
)
def test_unknown_statuses_and_actions_are_refused(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    data: dict[str, object],
    message: str,
) -> None:
    item = make_item(payments)
    response = as_user(member).post(plan_url(), {"item": item.pk} | data)
    assert response.status_code == 400
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


# Who may do what


def test_managers_get_403_on_every_write_and_nothing_changes(
    as_user: Callable[[User], Client], manager: User, submitted: Assessment, payments: Team
) -> None:
    item = make_item(payments)
    client = as_user(manager)
    posts = [
        (plan_url(), targets_post(build=(2, later()))),
        (plan_url(), {"action": "add"} | item_post(title="Sneaky")),
        (plan_url(), {"action": "status", "item": item.pk, "status": "done"}),
        (add_url(), {"assessment": submitted.pk, "practice": NEXT_STEP}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "change its plan" in response.content.decode()
    assert not Target.objects.filter(team=payments).exists()
    assert list(PlanItem.objects.filter(team=payments).values_list("title", "status")) == [
        ("Wire up the build radiator", "open")
    ]


def test_outsiders_get_404_on_everything(
    as_user: Callable[[User], Client], outsider: User, submitted: Assessment, payments: Team
) -> None:
    item = make_item(payments)
    client = as_user(outsider)
    assert client.get(plan_url()).status_code == 404
    assert client.post(plan_url(), targets_post(build=(2, later()))).status_code == 404
    status = {"action": "status", "item": item.pk, "status": "done"}
    assert client.post(plan_url(), status).status_code == 404
    add = {"assessment": submitted.pk, "practice": NEXT_STEP}
    assert client.post(add_url(), add).status_code == 404
    assert client.get(add_url()).status_code == 405
    assert (
        not Target.objects.filter(team=payments).exists()
        and PlanItem.objects.filter(team=payments).get().status == "open"
    )


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, payments: Team) -> None:
    for response in [client.get(plan_url()), client.post(plan_url()), client.post(add_url())]:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# Adding a result's next steps to the plan


def test_the_result_offers_each_next_step_practice_to_members(
    as_user: Callable[[User], Client], member: User, submitted: Assessment
) -> None:
    page = as_user(member).get(reverse("assessment_result", args=[submitted.pk])).content
    card = page.decode().split('id="add-to-plan-heading"')[1]
    assert f'name="practice" value="{NEXT_STEP}"' in card
    assert f'value="{IN_PLACE}"' not in card  # answered yes: not a next step
    assert 'value="build.3.' not in card  # the next level only
    assert card.count(f'action="{add_url()}"') == 1 and card.count('name="practice"') > 6
    assert 'name="csrfmiddlewaretoken"' in card


def test_the_add_to_plan_card_costs_no_query(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    django_assert_num_queries: object,
) -> None:
    client = as_user(member)
    # session, user, assessment with membership, team, model and record
    # for the navigation: the card is read from the record
    with django_assert_num_queries(3):  # type: ignore[operator]
        page = client.get(reverse("assessment_result", args=[submitted.pk])).content.decode()
    assert "Add to the plan" in page


def test_managers_drafts_and_voided_results_offer_no_adding(
    as_user: Callable[[User], Client],
    member: User,
    manager: User,
    submitted: Assessment,
    cd_model: MaturityModel,
    mobile: Team,
) -> None:
    url = reverse("assessment_result", args=[submitted.pk])
    assert "add-to-plan" not in as_user(manager).get(url).content.decode()
    client = as_user(member)
    draft = Assessment.start(submitted.team, cd_model, member, prefill_from=None)
    answer_all(draft, up_to(0))
    preview = client.get(reverse("assessment_result", args=[draft.pk])).content.decode()
    assert "add-to-plan" not in preview
    submitted.void(member, "Entered by mistake")
    assert "add-to-plan" not in client.get(url).content.decode()


def test_adding_a_next_step_creates_an_open_item_from_the_record(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    submitted: Assessment,
    payments: Team,
) -> None:
    data = {
        "assessment": submitted.pk,
        "practice": NEXT_STEP,
        "owner": teammate.pk,
        "due": later().isoformat(),
    }
    response = as_user(member).post(add_url(), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_result", args=[submitted.pk])
    item = PlanItem.objects.filter(team=payments).get()
    answer = next(a for a in submitted.record["answers"] if a["key"] == NEXT_STEP)  # type: ignore[index]
    assert (item.title, item.category, item.practice_key) == (answer["text"], "build", NEXT_STEP)
    assert (item.owner, item.due, item.status) == (teammate, later(), "open")
    assert item.from_assessment == submitted
    shown = as_user(member).get(response["Location"]).content.decode()
    assert "Added to the plan: " in shown


def test_adding_the_same_next_step_twice_says_so_instead_of_duplicating(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    client = as_user(member)
    data = {"assessment": submitted.pk, "practice": NEXT_STEP}
    client.post(add_url(), data)
    response = client.post(add_url(), data, follow=True)
    assert "Already in the plan, open since" in response.content.decode()
    assert PlanItem.objects.filter(team=payments).count() == 1
    # Once done, the practice may be planned again.
    PlanItem.objects.filter(team=payments).get().set_status("done")
    client.post(add_url(), data)
    assert list(
        PlanItem.objects.filter(team=payments).order_by("pk").values_list("status", flat=True)
    ) == [
        "done",
        "open",
    ]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"practice": "build.2.no-such-practice"}, 400, "not one this result answered"),
        ({"practice": ""}, 400, "Which practice?"),
        ({"assessment": "abc"}, 400, "Unknown result."),
        ({"owner": "outsider"}, 400, "Choose a member of the team as the owner"),
        ({"due": "31.12.2099"}, 400, "Enter a date as YYYY-MM-DD"),
        ({"due": "2001-01-01"}, 400, "This date has passed"),
        ({"assessment": "mobile"}, 404, ""),
        ({"assessment": "draft"}, 404, ""),
        ({"assessment": "voided"}, 400, "This result was voided"),
    ],
    ids=[
        "practice",
        "no-practice",
        "assessment",
        "owner",
        "date",
        "past",
        "other-team",
        "draft",
        "voided",
    ],
)
def test_a_tampered_add_is_refused_and_adds_nothing(
    as_user: Callable[[User], Client],
    member: User,
    outsider: User,
    submitted: Assessment,
    cd_model: MaturityModel,
    mobile: Team,
    change: dict[str, str],
    status: int,
    message: str,
) -> None:
    data = {"assessment": str(submitted.pk), "practice": NEXT_STEP, "owner": "", "due": ""}
    if change.get("owner") == "outsider":
        change = {"owner": str(outsider.pk)}
    if change.get("assessment") == "mobile":
        theirs = Assessment.start(mobile, cd_model, outsider, prefill_from=None)
        answer_all(theirs, up_to(1))
        theirs.submit(outsider)
        change = {"assessment": str(theirs.pk)}
    if change.get("assessment") == "draft":
        draft = Assessment.start(submitted.team, cd_model, member, prefill_from=None)
        change = {"assessment": str(draft.pk)}
    if change.get("assessment") == "voided":
        submitted.void(member, "Entered by mistake")
        change = {}
    response = as_user(member).post(add_url(), data | change)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not PlanItem.objects.exists()


# Now in place


def test_an_item_answered_yes_later_shows_now_in_place_and_closes_in_one_click(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    cd_model: MaturityModel,
) -> None:
    item = make_item(payments, "Publish build metrics", practice_key=NEXT_STEP)
    other = make_item(payments, "Not yet", practice_key="build.3.lead-time-tracked")
    later = submit_later(payments, cd_model, member, level=2)  # answers NEXT_STEP yes
    assert later.submitted_at is not None
    answered_on = f"answered yes on {timezone.localtime(later.submitted_at):%-d %b %Y}"
    client = as_user(member)
    for url in [plan_url(), reverse("team_detail", args=["payments"])]:
        page = client.get(url).content.decode()
        shown = page.split(f'id="item-{item.pk}"')[1].split("</li>")[0]
        assert "Now in place" in shown and answered_on in shown and "Close it" in shown
        assert "Now in place" not in page.split(f'id="item-{other.pk}"')[1].split("</li>")[0]
    response = client.post(
        plan_url(), {"action": "status", "item": item.pk, "status": "done", "back": "team"}
    )
    assert response["Location"] == reverse("team_detail", args=["payments"])
    item.refresh_from_db()
    assert item.status == "done" and item.closed_at is not None


def test_the_team_pages_close_button_carries_a_token_of_its_own_that_a_checking_client_posts(
    member: User, submitted: Assessment, payments: Team, cd_model: MaturityModel
) -> None:
    """The team page's content is kept (planning/page.py), its buttons' token never is."""
    item = make_item(payments, "Publish build metrics", practice_key=NEXT_STEP)
    submit_later(payments, cd_model, member, level=2)  # answers NEXT_STEP yes
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    found = tokens_of_two_views(client, reverse("team_detail", args=["payments"]))
    assert [len(tokens) for tokens in found] == [2, 2]  # signing out, closing the item
    sent = {"action": "status", "item": item.pk, "status": "done", "back": "team"}
    assert client.post(plan_url(), sent).status_code == 403  # no token: refused
    response = client.post(plan_url(), sent | {"csrfmiddlewaretoken": found[1][-1]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"


def test_a_yes_from_before_the_item_was_created_is_not_now_in_place(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    make_item(payments, "Already yes", practice_key=IN_PLACE)  # created after `submitted`
    for url in [plan_url(), reverse("team_detail", args=["payments"])]:
        assert "Now in place" not in as_user(member).get(url).content.decode()


def test_a_voided_result_does_not_put_anything_in_place(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    cd_model: MaturityModel,
) -> None:
    make_item(payments, "Publish build metrics", practice_key=NEXT_STEP)
    submit_later(payments, cd_model, member, level=2).void(member, "Entered by mistake")
    for url in [plan_url(), reverse("team_detail", args=["payments"])]:
        assert "Now in place" not in as_user(member).get(url).content.decode()


def test_managers_see_now_in_place_without_the_button(
    as_user: Callable[[User], Client],
    manager: User,
    member: User,
    submitted: Assessment,
    payments: Team,
    cd_model: MaturityModel,
) -> None:
    make_item(payments, "Publish build metrics", practice_key=NEXT_STEP)
    submit_later(payments, cd_model, member, level=2)
    for url in [plan_url(), reverse("team_detail", args=["payments"])]:
        page = as_user(manager).get(url).content.decode()
        assert "Now in place" in page and "Close it" not in page


# The team page


def test_team_page_shows_targets_against_the_latest_levels(
    as_user: Callable[[User], Client], manager: User, submitted: Assessment, payments: Team
) -> None:
    Target.objects.create(team=payments, category="build", level=1, due=today())
    Target.objects.create(team=payments, category="testing", level=2, due=later())
    Target.objects.create(team=payments, category="data", level=3, due=today() - timedelta(1))
    page = as_user(manager).get(reverse("team_detail", args=["payments"])).content.decode()
    targets = page.split('class="table table-sm align-middle team-targets"')[1].split("</table>")[0]
    rows = targets.split("<tr>")[2:]
    assert len(rows) == 3
    build, testing, data = rows
    assert "Build management" in build and "Reached" in build
    assert "Testing" in testing and "On track" in testing
    assert "2 · Quantitatively managed" in testing
    assert "Data management" in data and "Behind" in data and "1 · Consistent" in data
    assert reverse("team_plan", args=["payments"]) in page
    assert "Start new assessment" not in page


def test_team_page_lists_only_open_items(
    as_user: Callable[[User], Client], member: User, submitted: Assessment, payments: Team
) -> None:
    make_item(payments, "Still to do")
    make_item(payments, "Finished", status="done", closed_at=timezone.now())
    page = as_user(member).get(reverse("team_detail", args=["payments"])).content.decode()
    assert "Still to do" in page and "Finished" not in page


def test_team_page_without_a_result_still_shows_the_plan(
    as_user: Callable[[User], Client], member: User, cd_model: MaturityModel, payments: Team
) -> None:
    Target.objects.create(team=payments, category="build", level=1, due=later())
    make_item(payments, "First steps", category="build")
    page = as_user(member).get(reverse("team_detail", args=["payments"])).content.decode()
    assert "has not submitted an assessment yet" in page
    assert "Build management and continuous integration" in page
    assert "First steps" in page and "no result yet" in page


# Query counts: the same for 2 items as for 30


def fill_plan(team: Team, owner: User, items: int, before: datetime) -> None:
    """Targets in three categories, and `items` items: open and closed, about practices
    and not, overdue and not, created before `before`."""
    for slug in ["build", "testing", "data"]:
        Target.objects.create(team=team, category=slug, level=2, due=later())
    for index in range(items):
        closed = index % 3 == 2
        PlanItem.objects.create(
            team=team,
            title=f"Item {index}",
            category=CATEGORIES[index % len(CATEGORIES)],
            practice_key=f"build.1.key-{index}" if index % 2 else "",
            owner=owner if index % 2 else None,
            due=today() - timedelta(days=1) if index % 4 == 0 else None,
            status="done" if closed else "open",
            closed_at=timezone.now() if closed else None,
            created_at=before - timedelta(days=1),
        )


def test_each_plan_page_carries_csrf_tokens_of_its_own_that_a_checking_client_posts(
    member: User, submitted: Assessment, payments: Team
) -> None:
    """The page's content is kept (planning/page.py), its forms' token never is."""
    make_item(payments)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    # signing out, then the targets, adding, the item's done, drop and edit
    found = tokens_of_two_views(client, plan_url())
    assert [len(tokens) for tokens in found] == [6, 6]
    sent = item_post(title="Sent with the page's token") | {"action": "add"}
    assert client.post(plan_url(), sent).status_code == 403  # no token: refused
    response = client.post(plan_url(), sent | {"csrfmiddlewaretoken": found[1][-1]})
    assert response.status_code == 302
    assert PlanItem.objects.filter(title="Sent with the page's token").exists()


def test_a_title_that_holds_the_token_mark_is_shown_as_written(
    as_user: Callable[[User], Client], member: User, payments: Team
) -> None:
    make_item(payments, title="Keep <csrf-token> out")
    page = as_user(member).get(plan_url()).content.decode()
    # the title, its done, drop and edit buttons' labels, its edit field
    assert page.count("Keep &lt;csrf-token&gt; out") == 5


@pytest.mark.parametrize("page", ["plan", "team"])
@pytest.mark.parametrize("first", ["manager", "member"])
def test_a_member_and_a_manager_each_get_their_own_plan_and_team_page(
    client: Client, member: User, manager: User, submitted: Assessment, first: str, page: str
) -> None:
    """Each page's content is kept per team, reader and day (planning/page.py)."""
    url, for_member, for_manager = {
        "plan": (plan_url(), "Save targets", "You are reading this plan"),
        "team": (reverse("team_detail", args=["payments"]), "edit the plan", "Open the plan"),
    }[page]
    readers = {"member": member, "manager": manager}
    order = [first, *(who for who in readers if who != first)]
    pages = {}
    for who in order:
        client.force_login(readers[who])
        pages[who] = client.get(url).content.decode()
    assert for_member in pages["member"] and for_member not in pages["manager"]
    assert for_manager in pages["manager"] and for_manager not in pages["member"]


@pytest.mark.parametrize("items", [2, 30])
def test_plan_page_query_count_is_constant_for_members(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    items: int,
    django_assert_num_queries: object,
) -> None:
    assert submitted.submitted_at is not None
    fill_plan(payments, member, items, submitted.submitted_at)
    client = as_user(member)
    # session, user, team with membership, items with their owners, the latest counted
    # assessment with its results, the model's levels, that assessment's answers (open
    # items about practices predate it), targets, the members (owner choices)
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get(plan_url())
    assert response.content.decode().count('name="action" value="edit"') == items - items // 3
    # Viewed again with a shared cache, the team with membership and the page's content
    # (planning/page.py) come from it: session, user.
    with django_assert_num_queries(2 if generation.is_shared() else 9):  # type: ignore[operator]
        again = client.get(plan_url())
    assert again.content.decode().count('name="action" value="edit"') == items - items // 3


@pytest.mark.parametrize("items", [2, 30])
def test_plan_page_query_count_is_constant_for_managers(
    as_user: Callable[[User], Client],
    manager: User,
    member: User,
    submitted: Assessment,
    payments: Team,
    items: int,
    django_assert_num_queries: object,
) -> None:
    assert submitted.submitted_at is not None
    fill_plan(payments, member, items, submitted.submitted_at)
    client = as_user(manager)
    # session, user, team with membership, items with their owners, the latest counted
    # assessment with its results, the model's levels, its answers, targets: no forms,
    # so no members
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = client.get(plan_url())
    assert f"Item {items - 1}" in response.content.decode()


@pytest.mark.parametrize("items", [2, 30])
def test_team_page_query_count_is_constant(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    items: int,
    django_assert_num_queries: object,
) -> None:
    assert submitted.submitted_at is not None
    fill_plan(payments, member, items, submitted.submitted_at)
    client = as_user(member)
    # session, user, team with membership, assessments, their results, levels for the
    # trend; then targets, open items with their
    # owners, and the latest record's answers (for "now in place")
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = client.get(reverse("team_detail", args=["payments"]))
    assert f"Item {items - 1 if (items - 1) % 3 != 2 else items - 2}" in response.content.decode()
    # Viewed again with a shared cache: the session and the user; the team with
    # membership and the page's content (history, targets, items) come from it.
    with django_assert_num_queries(2 if generation.is_shared() else 9):  # type: ignore[operator]
        again = client.get(reverse("team_detail", args=["payments"]))
    shown = again.content.decode()
    assert f"Item {items - 1 if (items - 1) % 3 != 2 else items - 2}" in shown
    assert 'id="history-heading"' in shown and 'id="trend-heading"' in shown


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        # session, user, team with membership, items with their owners, the latest counted
        # assessment with its results, the model's levels, targets, the members
        (plan_url(), 8),
        # session, user, team with membership, assessments with their delivery metrics,
        # their results, the levels; targets, open items with their owners
        (reverse("team_detail", args=["payments"]), 8),
    ],
)
def test_plans_made_since_the_latest_result_need_none_of_its_answers(
    as_user: Callable[[User], Client],
    member: User,
    submitted: Assessment,
    payments: Team,
    page: str,
    queries: int,
    django_assert_num_queries: object,
) -> None:
    assert submitted.submitted_at is not None
    fill_plan(payments, member, 6, submitted.submitted_at + timedelta(days=2))
    client = as_user(member)
    with django_assert_num_queries(queries):  # type: ignore[operator]
        response = client.get(page)
    assert "Now in place" not in response.content.decode()


LEVEL_CHOICES = [("", "No target"), (0, "0 · R&D <first>"), (1, mark_safe("1 · <b>kept</b>"))]
REPEATED_CHOICES = [(None, "none"), ("", "empty"), (1, "one"), (1, "again")]


@pytest.mark.parametrize(
    ("django_widget", "plan_widget", "value", "attrs"),
    [
        (forms.Select(choices=LEVEL_CHOICES), widgets.Select(choices=LEVEL_CHOICES), "", None),
        (
            forms.Select(choices=LEVEL_CHOICES, attrs={"class": "form-select is-invalid"}),
            widgets.Select(choices=LEVEL_CHOICES, attrs={"class": "form-select is-invalid"}),
            1,
            {"id": "id_x", "aria-describedby": 'x"-error', "disabled": True, "hidden": False},
        ),
        (
            forms.Select(choices=[("Group", [(1, "a"), (2, "b")]), (3, "c")]),
            widgets.Select(choices=[("Group", [(1, "a"), (2, "b")]), (3, "c")]),
            2,
            {"id": "id_x"},
        ),
        (
            forms.TextInput(attrs={"maxlength": 200}),
            widgets.TextInput(attrs={"maxlength": 200}),
            'a "<title>" & more',
            {"id": "id_x", "required": True},
        ),
        (forms.TextInput(), widgets.TextInput(), None, None),
        (
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            widgets.DateInput,  # a date picker, ISO 8601, as the plan's date fields are
            date(2027, 6, 30),
            {"id": "id_x"},
        ),
        (
            forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            widgets.DateInput,
            "2027-13-45<",
            None,
        ),
        (
            forms.Select(choices=REPEATED_CHOICES),
            widgets.Select(choices=REPEATED_CHOICES),
            "1",
            {"id": "id_x", "required": True},
        ),
        (forms.HiddenInput(), widgets.HiddenInput(), "2|2027-06-30", {"id": "id_x"}),
        # Choices, whose options are written once for every select that offers them
        *(
            (
                forms.Select(choices=REPEATED_CHOICES),
                widgets.Select(choices=widgets.Choices(REPEATED_CHOICES)),
                chosen,
                None,
            )
            for chosen in ("1", "", None)
        ),
        (
            forms.Select(choices=LEVEL_CHOICES),
            widgets.Select(choices=widgets.Choices(LEVEL_CHOICES)),
            0,
            {"id": "id_x"},
        ),
    ],
)
def test_the_plans_widgets_write_the_html_of_djangos_templates(
    django_widget: forms.Widget,
    plan_widget: forms.Widget | type[forms.Widget],
    value: object,
    attrs: dict[str, object] | None,
) -> None:
    written = plan_widget() if isinstance(plan_widget, type) else plan_widget
    assert written.render("x", value, attrs) == django_widget.render("x", value, attrs)


# What the templates planning/_field.html and _status_button.html wrote, before the page
# wrote fields and buttons in Python (planning/widgets.py, planning_tags.status_button).
FIELD_TEMPLATE = """<label class="{% if label %}form-label{% else %}visually-hidden{% endif %}" \
for="{{ field.id_for_label }}">{{ field.label }}</label>
{{ field }}
{% if field.errors %}<div class="invalid-feedback" id="{{ field.auto_id }}-error">\
{{ field.errors|join:" " }}</div>{% endif %}"""
STATUS_BUTTON_TEMPLATE = """<form method="post" action="{% url 'team_plan' team.slug %}" \
class="d-inline">{% csrf_token %}
  <input type="hidden" name="action" value="status">
  <input type="hidden" name="item" value="{{ item.pk }}">
  <input type="hidden" name="status" value="{{ status }}">
  <input type="hidden" name="back" value="{{ back|default:'plan' }}">
  <button type="submit" class="btn btn-sm {{ style }}">{{ label }}<span class="visually-hidden">: \
{{ item.title }}</span></button>
</form>"""


def _refused(value: str) -> None:
    raise ValidationError('<i>never</i> & "so"')


class HostileForm(forms.Form):
    title = forms.CharField(
        label='<b>Title</b> & "more"', widget=widgets.TextInput, validators=[_refused]
    )


@pytest.mark.parametrize("sent", [None, {"title": "x"}], ids=["unbound", "refused"])
@pytest.mark.parametrize(
    ("shown", "write"), [(True, widgets.with_label), (False, widgets.with_hidden_label)]
)
def test_the_plans_fields_write_what_their_template_did(
    sent: dict[str, str] | None, shown: bool, write: Callable[[forms.BoundField], str]
) -> None:
    field = HostileForm(sent)["title"]
    expected = Template(FIELD_TEMPLATE).render(Context({"field": field, "label": shown}))
    assert write(field).strip() == expected.strip()
    assert "<b>Title" not in write(field) and "<i>never" not in write(field)


@pytest.mark.filterwarnings("ignore:Calling format_html")  # Django's {% csrf_token %}
@pytest.mark.parametrize("csrf_token", ["a-token", "NOTPROVIDED", None])
@pytest.mark.parametrize("back", [None, "team"])
def test_the_plans_status_buttons_write_what_their_template_did(
    payments: Team, csrf_token: str | None, back: str | None
) -> None:
    item = PlanItem.objects.create(team=payments, title='<script>alert(1)</script> & "x"')
    context = {"team": payments, "item": item, "csrf_token": csrf_token, "back": back}
    given = ' "dropped" "Drop" "btn-outline-secondary"' + (' "team"' if back else "")
    tag = Template("{% load planning_tags %}{% status_button item" + given + " %}")
    expected = Template(STATUS_BUTTON_TEMPLATE).render(
        Context({**context, "status": "dropped", "label": "Drop", "style": "btn-outline-secondary"})
    )
    written = tag.render(Context(context))
    assert written == expected
    assert "<script>alert" not in written
