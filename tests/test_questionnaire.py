"""Starting, filling in and submitting an assessment."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from assessments.models import (
    NOTE_MAX_LENGTH,
    AlreadySubmitted,
    Answer,
    Assessment,
    CategoryResult,
    DraftUnderWay,
    MemberAnswer,
)
from maturity import generation
from maturity.models import Cell, MaturityModel, Practice
from maturity.tree import CategoryNode
from teams.models import Membership, Team

from .conftest import ASSESSMENT_QUERIES, TREE_QUERIES, answer_all, tokens_of_two_views, up_to


@pytest.fixture
def member_client(client: Client, member: User) -> Client:
    client.force_login(member)
    return client


def edit_url(assessment: Assessment, category: str) -> str:
    return reverse("assessment_edit", args=[assessment.pk, category])


def category(assessment: Assessment, slug: str) -> CategoryNode:
    node = assessment.tree().category(slug)
    assert node is not None
    return node


def page_data(node: CategoryNode, status: str = "yes", note: str = "") -> dict[str, str]:
    data = {f"p{p.id}-status": status for p in node.practices}
    data.update({f"p{p.id}-note": note for p in node.practices})
    return data


def test_start_creates_a_draft_and_opens_the_first_category(
    member_client: Client, cd_model: MaturityModel, payments: Team
) -> None:
    response = member_client.post(
        reverse("assessment_new", args=["payments"]), {"model": cd_model.pk}
    )
    assessment = Assessment.objects.get()
    assert assessment.is_draft and assessment.team == payments
    assert response["Location"] == edit_url(assessment, "build")


def test_start_prefilled_copies_the_last_submitted_answers(
    member_client: Client, submitted: Assessment, cd_model: MaturityModel
) -> None:
    submitted.answers.filter(practice__key="build.0.versioned-scripts").update(note="See wiki")
    member_client.post(
        reverse("assessment_new", args=["payments"]), {"model": cd_model.pk, "prefill": "on"}
    )
    new = Assessment.objects.drafts().get()
    assert new.statuses() == {
        practice_id: status for practice_id, status in submitted.statuses().items()
    }
    assert new.answers.get(practice__key="build.0.versioned-scripts").note == "See wiki"


def test_start_without_prefill_is_empty(
    member_client: Client, submitted: Assessment, cd_model: MaturityModel
) -> None:
    member_client.post(reverse("assessment_new", args=["payments"]), {"model": cd_model.pk})
    assert not Assessment.objects.drafts().get().answers.exists()


def test_start_with_an_inactive_model_is_a_form_error(
    member_client: Client, cd_model: MaturityModel
) -> None:
    cd_model.is_active = False
    cd_model.save()
    response = member_client.post(
        reverse("assessment_new", args=["payments"]), {"model": cd_model.pk}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Assessment.objects.exists()


def test_page_groups_practices_by_level_with_the_cell_summary(
    member_client: Client, draft: Assessment, django_assert_num_queries: object
) -> None:
    # session, user, assessment with membership and team size, levels, practices with
    # their cells and categories, answers of the assessment with the members' answers on
    # the page
    member_client.get(edit_url(draft, "testing"))  # a shared cache keeps the tree
    with django_assert_num_queries(3 + ASSESSMENT_QUERIES + TREE_QUERIES):  # type: ignore[operator]
        response = member_client.get(edit_url(draft, "testing"))
    page = response.content.decode()
    node = category(draft, "testing")
    for cell in node.cells:
        assert escape(cell.summary) in page
    assert "0 · Repeatable" in page and "3 · Optimizing" in page
    for practice in node.practices:
        assert escape(practice.text) in page
    assert "Regressive" not in page.split("<h1")[1]  # the floor holds nothing to answer
    assert "0 of" in page  # progress: nothing answered yet


def test_save_stores_every_answer_and_note(member_client: Client, draft: Assessment) -> None:
    node = category(draft, "build")
    data = page_data(node, "partly", "We are close")
    response = member_client.post(edit_url(draft, "build"), {**data, "go": "stay"})
    assert response["Location"] == edit_url(draft, "build")
    answers = draft.answers.all()
    assert len(answers) == len(node.practices)
    assert {(a.status, a.note) for a in answers} == {("partly", "We are close")}


def test_save_and_next_goes_to_the_next_category_then_to_review(
    member_client: Client, draft: Assessment
) -> None:
    response = member_client.post(
        edit_url(draft, "build"), {**page_data(category(draft, "build")), "go": "next"}
    )
    assert response["Location"] == edit_url(draft, "environments")
    last = category(draft, "configuration")
    response = member_client.post(
        edit_url(draft, "configuration"), {**page_data(last), "go": "next"}
    )
    assert response["Location"] == reverse("assessment_review", args=[draft.pk])


def test_save_and_back_goes_to_the_previous_category(
    member_client: Client, draft: Assessment
) -> None:
    node = category(draft, "release")
    response = member_client.post(edit_url(draft, "release"), {**page_data(node), "go": "back"})
    assert response["Location"] == edit_url(draft, "environments")


def test_a_note_without_an_answer_is_kept(member_client: Client, draft: Assessment) -> None:
    practice = category(draft, "build").practices[0]
    member_client.post(edit_url(draft, "build"), {f"p{practice.id}-note": "Ask ops"})
    answer = draft.answers.get()
    assert (answer.practice_id, answer.status, answer.note) == (practice.id, "", "Ask ops")


def test_answers_can_be_changed_and_cleared(member_client: Client, draft: Assessment) -> None:
    node = category(draft, "build")
    member_client.post(edit_url(draft, "build"), page_data(node, "yes"))
    first, second, *rest = node.practices
    # A radio group with nothing chosen sends nothing: its "was" alone clears it.
    member_client.post(
        edit_url(draft, "build"),
        {f"p{first.id}-status": "no", f"p{first.id}-status-was": "yes",
         f"p{second.id}-status-was": "yes"},
    )  # fmt: skip
    assert draft.statuses() == {first.id: "no", **{p.id: "yes" for p in rest}}  # no blank row


def test_a_post_that_changes_nothing_changes_nothing(
    member_client: Client, draft: Assessment
) -> None:
    node = category(draft, "build")
    member_client.post(edit_url(draft, "build"), page_data(node, "yes", "as it is"))
    before = list(draft.answers.values_list("practice_id", "status", "note", "updated_at"))
    as_rendered = {
        f"{name}-was": value for name, value in page_data(node, "yes", "as it is").items()
    }
    for data in ({"go": "stay"}, {**page_data(node, "yes", "as it is"), **as_rendered}):
        response = member_client.post(edit_url(draft, "build"), data)
        assert response.status_code == 302
    after = list(draft.answers.values_list("practice_id", "status", "note", "updated_at"))
    assert after == before


def rendered(client: Client, assessment: Assessment, slug: str) -> dict[str, str]:
    return rendered_from(client.get(edit_url(assessment, slug)).content.decode())


def rendered_from(page: str) -> dict[str, str]:
    """A page's fields as a browser would send them unchanged: every checked radio, every
    note and every hidden "was" field."""
    data = dict(re.findall(r'type="radio" name="([^"]+)" [^>]*value="([^"]*)" checked', page))
    data.update(re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page))
    data.update(re.findall(r'<input type="hidden" name="([^"]+-was)"(?: value="([^"]*)")?', page))
    return {name: unescape(value) for name, value in data.items()}


@pytest.fixture
def teammate(payments: Team, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("bo", password="pw")
    Membership.objects.create(user=user, team=payments)
    return user


@pytest.fixture
def other(teammate: User) -> Client:
    """The teammate's browser."""
    client = Client()
    client.force_login(teammate)
    return client


def test_a_stale_page_saves_only_what_its_user_changed(
    member_client: Client, other: Client, teammate: User, draft: Assessment
) -> None:
    """The reproduction from the issue: A saves a yes with a note; B, from a page opened
    before that, saves another practice; A's answer and note stay."""
    first, second = category(draft, "build").practices[:2]
    stale = rendered(other, draft, "build")

    member_client.post(
        edit_url(draft, "build"),
        {**rendered(member_client, draft, "build"), f"p{first.id}-status": "yes",
         f"p{first.id}-note": "Every script is in git"},
    )  # fmt: skip
    response = other.post(
        edit_url(draft, "build"), {**stale, f"p{second.id}-status": "no", "go": "stay"}
    )

    assert response.status_code == 302
    saved = {a.practice_id: (a.status, a.note) for a in draft.answers.all()}
    assert saved == {first.id: ("yes", "Every script is in git"), second.id: ("no", "")}
    assert draft.answers.get(practice_id=second.id).updated_by == teammate


def test_changing_what_a_teammate_changed_meanwhile_is_a_conflict_shown_with_both_values(
    member_client: Client, other: Client, draft: Assessment
) -> None:
    first, second = category(draft, "build").practices[:2]
    stale = rendered(member_client, draft, "build")
    other.post(
        edit_url(draft, "build"),
        {**rendered(other, draft, "build"), f"p{first.id}-status": "no",
         f"p{first.id}-note": "Half the scripts live on a laptop"},
    )  # fmt: skip

    response = member_client.post(
        edit_url(draft, "build"),
        {**stale, f"p{first.id}-status": "yes", f"p{second.id}-status": "partly"},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Changed by a teammate while you were editing" in page
    assert "Saved now: <strong>No</strong>. Yours, not saved: <strong>Yes</strong>" in page
    saved = {a.practice_id: (a.status, a.note) for a in draft.answers.all()}
    assert saved == {
        first.id: ("no", "Half the scripts live on a laptop"),  # theirs kept, note and all
        second.id: ("partly", ""),  # everything else saved
    }
    # The page now shows the user's value with theirs as its "was": saving again keeps it.
    again = rendered_from(page)
    assert again[f"p{first.id}-status"] == "yes" and again[f"p{first.id}-status-was"] == "no"
    assert member_client.post(edit_url(draft, "build"), again).status_code == 302
    assert draft.answers.get(practice_id=first.id).status == "yes"


def test_notes_are_escaped_in_the_fields_and_in_a_conflict(
    member_client: Client, other: Client, draft: Assessment
) -> None:
    """The answer fields are written out in Python (answer_fields.py), not by the
    template engine: what members type still reaches the page only escaped."""
    hostile, theirs = '</textarea><script>alert(1)</script>"', "<img src=x onerror=alert(2)>"
    first = category(draft, "build").practices[0]
    stale = rendered(member_client, draft, "build")
    other.post(edit_url(draft, "build"), {**stale, f"p{first.id}-note": theirs})

    response = member_client.post(edit_url(draft, "build"), {**stale, f"p{first.id}-note": hostile})

    page = response.content.decode()
    assert response.status_code == 409
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert (
        f"Saved note now: <q>{escape(theirs)}</q>. Yours, not saved: <q>{escape(hostile)}</q>"
        in page
    )
    assert rendered_from(page)[f"p{first.id}-note"] == hostile  # shown, escaped, to save again
    assert rendered_from(page)[f"p{first.id}-note-was"] == theirs


def test_the_practices_texts_are_escaped_in_their_rows(
    member_client: Client, draft: Assessment
) -> None:
    """The practice rows are written out in Python (questionnaire_html.py): what an admin typed
    into the model reaches the page only escaped."""
    first = category(draft, "build").practices[0]
    text, help_text = '<img src=x onerror=alert(1)> & "more"', "<script>alert(2)</script>"
    Practice.objects.filter(pk=first.id).update(text=text, help=help_text)

    page = member_client.get(edit_url(draft, "build")).content.decode()

    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert f'<p class="fw-medium mb-1" id="practice-{first.id}">{escape(text)}</p>' in page
    assert f'<p class="form-text mt-0 mb-2">{escape(help_text)}</p>' in page


def test_a_category_name_reaches_the_progress_links_and_the_review_only_escaped(
    member_client: Client, draft: Assessment
) -> None:
    """The progress links and the review's categories are written out in Python too."""
    hostile = '<img src=x onerror=alert(1)> & "Build"'
    draft.model.categories.filter(slug="build").update(name=hostile)
    build_page = edit_url(draft, "build")

    for url in (
        edit_url(draft, "testing"),
        reverse("assessment_outcomes", args=[draft.pk]),
        reverse("assessment_review", args=[draft.pk]),
    ):
        page = member_client.get(url).content.decode()
        assert "<img src=x" not in page
        assert f'href="{build_page}"' in page and escape(hostile) in page
    review = member_client.get(reverse("assessment_review", args=[draft.pk])).content.decode()
    assert f'<a class="fw-semibold" href="{build_page}">{escape(hostile)}</a>' in review


def test_the_review_lists_what_is_missing_by_the_practices_escaped_texts(
    member_client: Client, draft: Assessment
) -> None:
    build = category(draft, "build").practices
    text = '<img src=x onerror=alert(1)> & "more"'
    Practice.objects.filter(pk=build[0].id).update(text=text)

    page = member_client.get(reverse("assessment_review", args=[draft.pk])).content.decode()

    missing = re.search(r'<ul class="small mt-2 mb-0 missing-list">(.*?)</ul>', page, re.S)
    assert missing is not None and "<img src=x" not in page
    assert re.findall(r"<li>(.*?)</li>", missing.group(1)) == [
        escape(text),
        *(escape(practice.text) for practice in build[1:]),
    ]


def test_not_applicable_needs_a_note_and_the_rest_is_saved(
    member_client: Client, draft: Assessment
) -> None:
    first, second = category(draft, "build").practices[:2]
    page = member_client.get(edit_url(draft, "build")).content.decode()
    assert "needs a note saying why" in page  # said before anyone submits

    response = member_client.post(
        edit_url(draft, "build"), {f"p{first.id}-status": "na", f"p{second.id}-status": "yes"}
    )

    assert response.status_code == 400
    assert "Not applicable needs a note saying why." in response.content.decode()
    assert draft.statuses() == {second.id: "yes"}
    shown = rendered_from(response.content.decode())
    assert shown[f"p{first.id}-status"] == "na"  # what the user chose is still there
    member_client.post(
        edit_url(draft, "build"),
        {f"p{first.id}-status": "na", f"p{first.id}-note": "We build nothing: a static site"},
    )
    assert draft.statuses()[first.id] == "na"


def test_the_page_script_saves_one_answer_and_reads_json_back(
    member_client: Client, draft: Assessment
) -> None:
    first = category(draft, "build").practices[0]
    response = member_client.post(
        edit_url(draft, "build"),
        {f"p{first.id}-status": "partly", f"p{first.id}-status-was": "",
         f"p{first.id}-note": "", f"p{first.id}-note-was": ""},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert response.json() == {
        "values": {f"p{first.id}-status": "partly", f"p{first.id}-note": ""},
        "conflicts": [],
        "refused": [],
        "votes": {},
    }
    stale = member_client.post(
        edit_url(draft, "build"),
        {f"p{first.id}-status": "no", f"p{first.id}-status-was": ""},
        headers={"Accept": "application/json"},
    ).json()
    assert stale["conflicts"] == [
        {"field": f"p{first.id}-status", "theirs": "partly", "yours": "no"}
    ]
    bad = member_client.post(
        edit_url(draft, "build"), {f"p{first.id}-status": "maybe"},
        headers={"Accept": "application/json"},
    )  # fmt: skip
    assert bad.status_code == 400 and f"p{first.id}-status" in bad.json()["errors"]


@pytest.mark.parametrize("kind", ["questionnaire", "review"])
def test_each_draft_page_carries_a_csrf_token_of_its_own_that_a_checking_client_posts(
    member: User, draft: Assessment, kind: str
) -> None:
    """The page's content may be kept (assessments/draft_pages.py), its token never is."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url, sent, status = {
        "questionnaire": (edit_url(draft, "build"), page_data(category(draft, "build")), 302),
        "review": (reverse("assessment_review", args=[draft.pk]), {}, 400),  # incomplete
    }[kind]
    found = tokens_of_two_views(client, url)
    assert [len(tokens) for tokens in found] == [2, 2]  # signing out, the page's form
    assert client.post(url, sent).status_code == 403  # no token: refused
    assert client.post(url, sent | {"csrfmiddlewaretoken": found[1][-1]}).status_code == status


def test_saving_one_answer_takes_the_same_queries_whatever_the_page_size(
    member_client: Client, draft: Assessment, django_assert_num_queries: object
) -> None:
    small = category(draft, "build")
    cell = Cell.objects.get(category__slug="testing", level__value=2)
    for index in range(20):
        Practice.objects.create(cell=cell, key=f"testing.2.extra-{index}", text=f"Extra {index}")
    large = category(draft, "testing")
    assert len(large.practices) >= 2 * len(small.practices)
    # session, user, assessment with membership, model and team size, levels, practices
    # with their cells and categories, then in one transaction: savepoint, lock the
    # assessment, read the answers sent, upsert, release. The flash message lives in the
    # cookie. A member's own answer reads and writes once more, the same whatever the size.
    member_client.get(edit_url(draft, small.slug))  # a shared cache keeps the assessment
    for node in (small, large):
        one = node.practices[0].id
        for data in (
            page_data(node, "no"),
            {f"p{one}-status": "no", f"p{one}-status-was": "", f"p{one}-note-was": ""},
        ):
            draft.answers.all().delete()
            queries = 7 + ASSESSMENT_QUERIES + TREE_QUERIES
            with django_assert_num_queries(queries):  # type: ignore[operator]
                member_client.post(edit_url(draft, node.slug), data)
            assert set(draft.statuses().values()) == {"no"}
        with django_assert_num_queries(9 + ASSESSMENT_QUERIES + TREE_QUERIES):  # type: ignore[operator]
            member_client.post(
                edit_url(draft, node.slug),
                {**page_data(node, "yes"),
                 **{f"p{p.id}-my-status": "yes" for p in node.practices}},
            )  # fmt: skip


@pytest.mark.parametrize("prefilled", [False, True])
def test_a_category_page_takes_the_same_queries_whatever_its_size_and_votes(
    member_client: Client,
    submitted: Assessment,
    member: User,
    django_user_model: type[User],
    prefilled: bool,
    django_assert_num_queries: object,
) -> None:
    draft = Assessment.start(
        submitted.team, submitted.model, member, prefill_from=submitted if prefilled else None
    )
    teammate = django_user_model.objects.create_user("zelda")
    Membership.objects.create(user=teammate, team=submitted.team)
    cell = Cell.objects.get(category__slug="testing", level__value=2)
    for index in range(20):
        Practice.objects.create(cell=cell, key=f"testing.2.extra-{index}", text=f"Extra {index}")
    small, large = category(draft, "build"), category(draft, "testing")
    assert len(large.practices) >= 2 * len(small.practices)
    for node in (small, large):
        draft.save_answers([(p.id, "yes", "") for p in node.practices])
        MemberAnswer.objects.bulk_create(
            MemberAnswer(assessment=draft, practice_id=p.id, user=teammate, status="no")
            for p in node.practices
        )
    # session, user, assessment with membership, team, model and team size, levels,
    # practices with their cells and categories, answers with the members' answers on the
    # page; with a pre-fill, the practices the earlier assessment answered, which a shared
    # cache keeps under the data generation as it keeps the tree
    member_client.get(edit_url(draft, small.slug))
    answered_keys = 1 if prefilled and not generation.is_shared() else 0
    for node in (small, large):
        queries = 3 + ASSESSMENT_QUERIES + answered_keys + TREE_QUERIES
        with django_assert_num_queries(queries):  # type: ignore[operator]
            response = member_client.get(edit_url(draft, node.slug))
        assert response.status_code == 200


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("foreign-practice", b"answers to practices it does not ask about"),
        ("other-model-practice", b"answers to practices it does not ask about"),
        ("unknown-status", b"Select a valid choice"),
        ("oversized-note", b"Ensure this value has at most"),
    ],
)
def test_tampered_posts_are_refused_and_change_nothing(
    member_client: Client, draft: Assessment, tamper: str, message: bytes
) -> None:
    node = category(draft, "build")
    data = page_data(node, "yes")
    first = node.practices[0]
    if tamper == "foreign-practice":
        other = category(draft, "testing").practices[0]
        data[f"p{other.id}-status"] = "yes"
    elif tamper == "other-model-practice":
        data["p999999-status"] = "yes"
    elif tamper == "unknown-status":
        data[f"p{first.id}-status"] = "maybe"
    else:
        data[f"p{first.id}-note"] = "x" * (NOTE_MAX_LENGTH + 1)
    response = member_client.post(edit_url(draft, "build"), data)
    assert response.status_code == 400
    assert message in response.content
    assert not draft.answers.exists()


def test_unknown_category_is_404(member_client: Client, draft: Assessment) -> None:
    assert member_client.get(edit_url(draft, "marketing")).status_code == 404


def test_retired_category_is_not_in_the_questionnaire(
    member_client: Client, draft: Assessment, cd_model: MaturityModel
) -> None:
    cd_model.categories.filter(slug="data").update(is_active=False)
    assert member_client.get(edit_url(draft, "data")).status_code == 404
    assert b"Data management" not in member_client.get(edit_url(draft, "build")).content


def test_incomplete_submit_is_refused_with_the_list_and_loses_nothing(
    member_client: Client, draft: Assessment
) -> None:
    node = category(draft, "build")
    member_client.post(edit_url(draft, "build"), page_data(node, "yes", "kept"))
    before = list(draft.answers.values_list("practice_id", "status", "note"))
    response = member_client.post(reverse("assessment_review", args=[draft.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not submitted yet" in page
    testing = category(draft, "testing")
    assert escape(testing.practices[0].text) in page
    assert f"{len(testing.practices)} of {len(testing.practices)} unanswered" in page
    assert "✓ complete" in page  # build is done
    draft.refresh_from_db()
    assert draft.is_draft
    assert list(draft.answers.values_list("practice_id", "status", "note")) == before


def test_complete_submit_asks_for_confirmation_then_freezes_the_results(
    member_client: Client, draft: Assessment
) -> None:
    answer_all(draft, up_to(1))
    url = reverse("assessment_review", args=[draft.pk])
    asked = member_client.post(url)
    assert asked.status_code == 200 and b"Yes, submit" in asked.content
    draft.refresh_from_db()
    assert draft.is_draft
    response = member_client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("assessment_result", args=[draft.pk])
    draft.refresh_from_db()
    assert not draft.is_draft
    results = CategoryResult.objects.filter(assessment=draft)
    assert results.count() == 6
    assert {(r.level, r.score) for r in results} == {(1, 1.0)}


def test_a_save_that_arrives_after_submission_is_refused(draft: Assessment) -> None:
    answer_all(draft, up_to(0))
    stale = Assessment.objects.get(pk=draft.pk)  # a page loaded while it was a draft
    draft.submit()
    practice = category(draft, "build").practices[0]
    with pytest.raises(AlreadySubmitted):
        stale.save_answers([(practice.id, "no", "late")])
    assert draft.answers.get(practice_id=practice.id).status == "yes"


def test_submitted_assessment_is_read_only(member_client: Client, submitted: Assessment) -> None:
    node = category(submitted, "build")
    before = list(submitted.answers.values_list("practice_id", "status"))
    response = member_client.post(edit_url(submitted, "build"), page_data(node, "no"))
    assert response.status_code == 409
    assert member_client.post(reverse("assessment_review", args=[submitted.pk])).status_code == 409
    assert list(submitted.answers.values_list("practice_id", "status")) == before
    assert CategoryResult.objects.filter(assessment=submitted).count() == 6
    follow = member_client.get(edit_url(submitted, "build"), follow=True)
    assert follow.redirect_chain[-1][0] == reverse("assessment_result", args=[submitted.pk])
    assert b"can no longer change" in follow.content


def test_submit_twice_keeps_one_set_of_results(draft: Assessment) -> None:
    answer_all(draft, up_to(0))
    draft.submit()
    stale = Assessment.objects.get(pk=draft.pk)
    stale.submitted_at = None  # another request still holding the draft
    with pytest.raises(AlreadySubmitted):
        stale.submit()
    assert CategoryResult.objects.filter(assessment=draft).count() == 6


def test_retired_practices_neither_block_submission_nor_count(draft: Assessment) -> None:
    answer_all(draft, up_to(3))
    retired = Practice.objects.filter(key__startswith="build.2.")
    answered_then_retired, never_answered = retired[0], retired[1]
    Answer.objects.filter(assessment=draft, practice=answered_then_retired).update(status="no")
    Answer.objects.filter(assessment=draft, practice=never_answered).delete()
    retired.update(is_active=False)
    results = {result.slug: result for result in draft.submit()}
    assert results["build"].level == 3
    # The result keeps only what it was scored on.
    assert not draft.answers.filter(practice__in=retired).exists()


def test_a_category_with_nothing_to_answer_is_left_out(
    draft: Assessment, cd_model: MaturityModel
) -> None:
    cd_model.practices.filter(cell__category__slug="data").update(is_active=False)
    assert [c.slug for c in draft.tree().categories] == [
        "build",
        "environments",
        "release",
        "testing",
        "configuration",
    ]


def test_models_without_anything_to_answer_cannot_be_started(
    member_client: Client, cd_model: MaturityModel
) -> None:
    empty = MaturityModel.objects.create(name="Empty model", slug="empty", version="1")
    page = member_client.get(reverse("assessment_new", args=["payments"])).content.decode()
    assert "Empty model" not in page
    response = member_client.post(reverse("assessment_new", args=["payments"]), {"model": empty.pk})
    assert response.status_code == 200 and not Assessment.objects.exists()


@pytest.mark.parametrize("teams", [1, 5])
def test_new_assessment_page_query_count_is_constant(
    member_client: Client,
    cd_model: MaturityModel,
    member: User,
    teams: int,
    django_assert_num_queries: object,
) -> None:
    for index in range(teams - 1):  # more teams of the same member change nothing
        team = Team.objects.create(name=f"Team {index}", slug=f"team-{index}")
        Membership.objects.create(user=member, team=team)
    # session, user, team with membership, the draft under way (none), last submitted,
    # ready models (one: no select), the first one's levels
    # and practices (what it takes)
    url = reverse("assessment_new", args=["payments"])
    member_client.get(url)  # a shared cache keeps the tree, and the team with membership
    team_queries = 0 if generation.is_shared() else 1
    with django_assert_num_queries(5 + team_queries + TREE_QUERIES):  # type: ignore[operator]
        page = member_client.get(url).content.decode()
    assert "Start a new assessment" in page


def test_a_team_has_one_draft_at_a_time_and_may_resume_or_discard_it(
    member_client: Client,
    draft: Assessment,
    cd_model: MaturityModel,
    django_assert_num_queries: object,
) -> None:
    url = reverse("assessment_new", args=["payments"])
    # session, user and the manager check, team with membership, the draft under way with
    # its author
    with django_assert_num_queries(4):  # type: ignore[operator]
        page = member_client.get(url).content.decode()
    assert "has a draft under way" in page
    assert reverse("assessment_review", args=[draft.pk]) in page
    assert reverse("assessment_discard", args=[draft.pk]) in page
    again = member_client.post(url, {"model": cd_model.pk})
    assert again.status_code == 409
    assert Assessment.objects.drafts().count() == 1
    with pytest.raises(DraftUnderWay):
        Assessment.start(draft.team, cd_model, draft.created_by, prefill_from=None)  # type: ignore[arg-type]


def test_discarding_a_draft_asks_then_deletes_it_and_its_answers(
    member_client: Client, draft: Assessment, cd_model: MaturityModel
) -> None:
    answer_all(draft, up_to(0))
    url = reverse("assessment_discard", args=[draft.pk])
    asked = member_client.get(url)
    assert asked.status_code == 200 and b"Discard this draft?" in asked.content
    assert Assessment.objects.filter(pk=draft.pk).exists()
    response = member_client.post(url)
    assert response["Location"] == reverse("team_detail", args=["payments"])
    assert not Assessment.objects.filter(pk=draft.pk).exists()
    assert not Answer.objects.filter(assessment_id=draft.pk).exists()
    new = member_client.post(reverse("assessment_new", args=["payments"]), {"model": cd_model.pk})
    assert new.status_code == 302  # a new draft may start now


def test_a_submitted_assessment_cannot_be_discarded(
    member_client: Client, submitted: Assessment
) -> None:
    response = member_client.post(reverse("assessment_discard", args=[submitted.pk]))
    assert response.status_code == 409
    assert Assessment.objects.filter(pk=submitted.pk, submitted_at__isnull=False).exists()


@pytest.fixture
def prefilled(submitted: Assessment, cd_model: MaturityModel, member: User) -> Assessment:
    """A draft started from Payments' submitted assessment: every answer copied."""
    return Assessment.start(submitted.team, cd_model, member, prefill_from=submitted)


def test_copied_answers_are_marked_until_a_member_changes_or_confirms_them(
    member_client: Client, prefilled: Assessment, submitted: Assessment
) -> None:
    assert not prefilled.answers.filter(confirmed=True).exists()
    stamp = f"From {submitted.submitted_at:%-d %b %Y}, not yet confirmed"
    build = category(prefilled, "build")
    page = member_client.get(edit_url(prefilled, "build")).content.decode()
    assert page.count(stamp) == len(build.practices)
    assert "Confirm the answers on this page" in page

    copied = dict(prefilled.answers.values_list("practice_id", "status"))
    data = {f"p{practice.id}-status": copied[practice.id] for practice in build.practices}
    last = build.practices[-1].id
    data[f"p{last}-status"] = "partly"  # changed, so confirmed
    member_client.post(edit_url(prefilled, "build"), data)
    confirmed = set(prefilled.answers.filter(confirmed=True).values_list("practice_id", flat=True))
    assert confirmed == {last}

    member_client.post(edit_url(prefilled, "build"), {**data, "go": "confirm"})
    confirmed = set(prefilled.answers.filter(confirmed=True).values_list("practice_id", flat=True))
    assert confirmed == {practice.id for practice in build.practices}
    page = member_client.get(edit_url(prefilled, "build")).content.decode()
    assert stamp not in page and "Confirm the answers on this page" not in page


def test_review_lists_unconfirmed_answers_and_submitting_them_asks_explicitly(
    member_client: Client, prefilled: Assessment
) -> None:
    testing = category(prefilled, "testing")
    url = reverse("assessment_review", args=[prefilled.pk])
    page = member_client.get(url).content.decode()
    assert f"{len(testing.practices)} from " in page and "not yet confirmed" in page
    asked = member_client.post(url).content.decode()
    unconfirmed = prefilled.answers.filter(confirmed=False).count()
    assert f"{unconfirmed} answers copied from" in asked
    assert escape(testing.practices[0].text) in asked.split("Yes, submit")[0]
    assert member_client.post(url, {"confirm": "yes"}).status_code == 302
    prefilled.refresh_from_db()
    assert not prefilled.is_draft


@pytest.mark.parametrize(
    ("page", "queries"),
    [("assessment_review", 4 + TREE_QUERIES), ("assessment_discard", 5 + TREE_QUERIES)],
)
def test_review_and_discard_pages_take_fixed_queries(
    member_client: Client,
    draft: Assessment,
    page: str,
    queries: int,
    django_assert_num_queries: object,
) -> None:
    answer_all(draft, up_to(1))
    # session, user, assessment with membership, team and model, levels, practices with
    # their cells and categories, answers (on the review, with the votes counted); the
    # discard page also names who started the draft
    with django_assert_num_queries(queries):  # type: ignore[operator]
        response = member_client.get(reverse(page, args=[draft.pk]))
    assert response.status_code == 200


def test_line_breaks_as_browsers_send_them_are_no_conflict(
    member_client: Client, draft: Assessment
) -> None:
    """The page's script sends a note's line breaks as LF; a form without it as CRLF."""
    first = category(draft, "build").practices[0]
    note = f"p{first.id}-note"
    member_client.post(
        edit_url(draft, "build"),
        {note: "line one\nline two", f"{note}-was": ""},
        headers={"Accept": "application/json"},
    )
    response = member_client.post(
        edit_url(draft, "build"),
        {note: "line one\r\nline two", f"{note}-was": "line one\r\nline two",
         f"p{first.id}-status": "yes", f"p{first.id}-status-was": ""},
    )  # fmt: skip
    assert response.status_code == 302
    answer = draft.answers.get()
    assert (answer.status, answer.note) == ("yes", "line one\nline two")


def test_a_refused_answer_shows_what_the_user_chose_not_what_is_stored(
    member_client: Client, draft: Assessment
) -> None:
    first = category(draft, "build").practices[0]
    draft.save_answers([(first.id, "yes", "")])
    response = member_client.post(
        edit_url(draft, "build"),
        {f"p{first.id}-status": "na", f"p{first.id}-status-was": "yes",
         f"p{first.id}-note": "", f"p{first.id}-note-was": ""},
    )  # fmt: skip
    assert response.status_code == 400
    shown = rendered_from(response.content.decode())
    assert shown[f"p{first.id}-status"] == "na" and shown[f"p{first.id}-status-was"] == "yes"
    assert draft.statuses() == {first.id: "yes"}


def test_a_long_note_with_line_breaks_as_a_browser_sends_them_is_saved(
    member_client: Client, draft: Assessment
) -> None:
    first = category(draft, "build").practices[0]
    lines = ["x" * 99] * 20  # 20 x 99 + 19 line breaks = 1999 characters with LF
    typed = "\r\n".join(lines)  # 2018 with CRLF, as the form sends it
    response = member_client.post(
        edit_url(draft, "build"),
        {f"p{first.id}-note": typed, f"p{first.id}-note-was": "",
         f"p{first.id}-status": "yes", f"p{first.id}-status-was": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert draft.answers.get().note == "\n".join(lines)
    again = {**rendered(member_client, draft, "build"), f"p{first.id}-status": "partly"}
    again = {name: value.replace("\n", "\r\n") for name, value in again.items()}
    assert member_client.post(edit_url(draft, "build"), again).status_code == 302
    assert draft.answers.get().status == "partly"


def test_a_note_left_out_of_a_post_is_not_cleared(member_client: Client, draft: Assessment) -> None:
    first = category(draft, "build").practices[0]
    draft.save_answers([(first.id, "yes", "keep me")])
    member_client.post(edit_url(draft, "build"), {f"p{first.id}-note-was": "keep me"})
    assert draft.answers.get().note == "keep me"


def test_confirming_a_page_leaves_what_could_not_be_saved_unconfirmed(
    member_client: Client, prefilled: Assessment
) -> None:
    first, second = category(prefilled, "build").practices[:2]
    copied = dict(prefilled.answers.values_list("practice_id", "status"))
    member_client.post(
        edit_url(prefilled, "build"),
        {f"p{first.id}-status": "na", f"p{first.id}-status-was": copied[first.id],
         "go": "confirm"},
    )  # fmt: skip
    confirmed = dict(prefilled.answers.values_list("practice_id", "confirmed"))
    assert confirmed[first.id] is False and confirmed[second.id] is True


@pytest.mark.parametrize(
    "url",
    [
        lambda pk: reverse("assessment_edit", args=[pk, "testing"]),
        lambda pk: reverse("assessment_review", args=[pk]),
        lambda pk: reverse("assessment_discard", args=[pk]),
        lambda pk: reverse("assessment_outcomes", args=[pk]),
        lambda pk: reverse("assessment_void", args=[pk]),
    ],
    ids=["edit", "review", "discard", "outcomes", "void"],
)
def test_an_id_beyond_any_assessment_is_404_on_the_draft_pages(
    member_client: Client, draft: Assessment, url: Callable[[int], str]
) -> None:
    for pk in (2**63, 10**30):  # the database would refuse them: nothing to find
        assert member_client.get(url(pk)).status_code == 404
        assert member_client.post(url(pk), {}).status_code == 404
