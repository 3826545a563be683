"""Members' agreement on the pages: review, result, answers, export.json, dashboard."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape, strip_tags

from assessments.edits import Edit, Sent, Whose
from assessments.models import Assessment, CategoryResult
from maturity.models import MaturityModel
from maturity.tree import PracticeNode, load_tree
from teams.models import Membership, Team

from .conftest import TREE_QUERIES, answer_all, up_to

# Names no page may show beside a vote: pages show counts, never who voted what.
VOTERS = ("zelda_voter", "yorick_voter")


@dataclass
class Voted:
    assessment: Assessment
    build: list[PracticeNode]
    testing: list[PracticeNode]
    environments: list[PracticeNode]


def vote(assessment: Assessment, user: User, practice: PracticeNode, status: str) -> None:
    note = "Not for us" if status == "na" else ""
    outcome = assessment.save_edits(
        user, [Edit(practice.id, Whose.MINE, status=Sent(status), note=Sent(note))]
    )
    assert not outcome.refusals


@pytest.fixture
def voters(payments: Team, member: User, django_user_model: type[User]) -> list[User]:
    """Payments' three members: Mira (the lead) and two more."""
    others = [django_user_model.objects.create_user(name, password="pw") for name in VOTERS]
    for user in others:
        Membership.objects.create(user=user, team=payments)
    return [member, *others]


@pytest.fixture
def voted(cd_model: MaturityModel, payments: Team, voters: list[User]) -> Voted:
    """A draft of Payments, every team answer given (level 1 everywhere), and votes:

    build: agree (yes x3), STRONG (yes, no), agree (partly x2), STRONG (n/a, yes),
        disagree (yes, partly): agreement 2 of 5 = 0.4
    testing: agree (no x2), one vote only: agreement 1.0
    environments: one vote only: agreement None; the other categories: no votes
    """
    mira, zelda, yorick = voters
    assessment = Assessment.start(payments, cd_model, mira, prefill_from=None)
    tree = load_tree(cd_model.pk)
    by_slug = {category.slug: list(category.practices) for category in tree.categories}
    build, testing, environments = by_slug["build"], by_slug["testing"], by_slug["environments"]
    for user in voters:
        vote(assessment, user, build[0], "yes")
    vote(assessment, mira, build[1], "yes")
    vote(assessment, zelda, build[1], "no")
    vote(assessment, zelda, build[2], "partly")
    vote(assessment, yorick, build[2], "partly")
    vote(assessment, mira, build[3], "na")
    vote(assessment, yorick, build[3], "yes")
    vote(assessment, zelda, build[4], "yes")
    vote(assessment, yorick, build[4], "partly")
    vote(assessment, mira, testing[0], "no")
    vote(assessment, zelda, testing[0], "no")
    vote(assessment, yorick, testing[1], "yes")
    vote(assessment, zelda, environments[0], "no")
    answer_all(assessment, up_to(1))
    return Voted(assessment, build, testing, environments)


@pytest.fixture
def member_client(client: Client, member: User) -> Client:
    client.force_login(member)
    return client


def section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def table_row(page: str, name: str) -> str:
    """The row of the result table whose heading is `name`."""
    table = section(page, 'class="table align-middle result-table"', "</table>")
    return section(table, f">{escape(name)}</th>", "</tr>")


# The record and export.json


def test_record_keeps_agreement_per_category_and_votes_per_answer(
    member_client: Client, voted: Voted, member: User
) -> None:
    voted.assessment.submit(member)
    data = member_client.get(reverse("assessment_export", args=[voted.assessment.pk])).json()
    agreements = {category["slug"]: category["agreement"] for category in data["categories"]}
    assert agreements == {
        "build": 0.4,
        "environments": None,  # one vote: nothing to agree on
        "release": None,
        "testing": 1.0,
        "data": None,
        "configuration": None,
    }
    votes = {answer["key"]: answer["votes"] for answer in data["answers"]}
    build = voted.build
    assert votes[build[0].key] == {"yes": 3, "partly": 0, "no": 0, "na": 0}
    assert votes[build[1].key] == {"yes": 1, "partly": 0, "no": 1, "na": 0}
    assert votes[build[3].key] == {"yes": 1, "partly": 0, "no": 0, "na": 1}
    assert votes[voted.environments[1].key] == {"yes": 0, "partly": 0, "no": 0, "na": 0}
    frozen = dict(
        CategoryResult.objects.filter(assessment=voted.assessment).values_list(
            "category__slug", "agreement"
        )
    )
    assert frozen == agreements  # the dashboard reads what the record says


def test_agreement_rounds_to_two_decimals(
    member_client: Client, voted: Voted, member: User, voters: list[User]
) -> None:
    _, zelda, yorick = voters
    vote(voted.assessment, zelda, voted.testing[1], "partly")  # testing: 1 of 2 agree
    vote(voted.assessment, zelda, voted.environments[1], "yes")
    vote(voted.assessment, yorick, voted.environments[1], "yes")
    vote(voted.assessment, yorick, voted.environments[2], "yes")
    vote(voted.assessment, zelda, voted.environments[2], "yes")
    vote(voted.assessment, yorick, voted.environments[0], "partly")  # 2 of 3 agree
    voted.assessment.submit(member)
    data = member_client.get(reverse("assessment_export", args=[voted.assessment.pk])).json()
    agreements = {category["slug"]: category["agreement"] for category in data["categories"]}
    assert agreements["testing"] == 0.5 and agreements["environments"] == 0.67


def test_votes_never_change_the_score(
    voted: Voted, member: User, cd_model: MaturityModel, mobile: Team
) -> None:
    """Payments' members mostly voted no where the team answered yes; Mobile has the
    same team answers and no votes: the same levels and scores."""
    mira = member
    for practice in voted.build[:3]:
        voted.assessment.save_edits(
            mira, [Edit(practice.id, Whose.MINE, status=Sent("no"), note=Sent(""))]
        )
    voted.assessment.submit(mira)
    alone = Assessment.start(mobile, cd_model, mira, prefill_from=None)
    answer_all(alone, up_to(1))
    alone.submit(mira)
    voted.assessment.refresh_from_db()
    alone.refresh_from_db()
    assert voted.assessment.record is not None and alone.record is not None

    def scores(record: dict[str, object]) -> list[tuple[object, ...]]:
        categories: list[dict[str, object]] = record["categories"]  # type: ignore[assignment]
        return [(c["slug"], c["level"], c["score"]) for c in categories]

    assert scores(voted.assessment.record) == scores(alone.record)
    assert voted.assessment.record["overall"] == alone.record["overall"] == 1.0
    assert {c["level"] for c in voted.assessment.record["categories"]} == {1}


# The review page


def test_review_lists_strongly_disputed_practices_with_counts_and_agreement(
    member_client: Client, voted: Voted
) -> None:
    page = member_client.get(reverse("assessment_review", args=[voted.assessment.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    build = section(html, 'id="review-build"', 'class="list-group-item')
    assert "Agreement 40%" in build
    assert "Talk about these" in build
    disputed = section(build, 'class="mb-1 disputed-list"', "</ul>")
    assert escape(voted.build[1].text) in disputed
    assert "(Yes 1 · Partly 0 · No 1 · N/a 0)" in strip_tags(disputed)
    assert escape(voted.build[3].text) in disputed
    assert "(Yes 1 · Partly 0 · No 0 · N/a 1)" in strip_tags(disputed)
    assert disputed.index(escape(voted.build[1].text)) < disputed.index(escape(voted.build[3].text))
    for calm in (voted.build[0], voted.build[2], voted.build[4]):  # agreed, or mildly apart
        assert escape(calm.text) not in disputed
    testing = section(html, 'id="review-testing"', 'class="list-group-item')
    assert "Agreement 100%" in testing and "Talk about these" not in testing
    environments = section(html, 'id="review-environments"', 'class="list-group-item')
    assert "Agreement" not in environments  # a single vote: nothing to agree on
    assert html.count("Talk about these") == 1
    for name in VOTERS:
        assert name not in html


def test_review_without_votes_shows_no_agreement(member_client: Client, draft: Assessment) -> None:
    answer_all(draft, up_to(1))
    html = member_client.get(reverse("assessment_review", args=[draft.pk])).content.decode()
    assert "Talk about these" not in html and "Agreement" not in html
    assert "✓ complete" in html  # what the page showed before stays


def test_review_still_submits_and_refuses_with_votes(
    member_client: Client, voted: Voted, voters: list[User]
) -> None:
    url = reverse("assessment_review", args=[voted.assessment.pk])
    voted.assessment.answers.filter(practice_id=voted.build[0].id).update(status="")
    refused = member_client.post(url, {"confirm": "yes"})
    assert refused.status_code == 400
    assert "Talk about these" in refused.content.decode()
    voted.assessment.answers.filter(practice_id=voted.build[0].id).update(status="yes")
    asked = member_client.post(url)
    assert asked.status_code == 200 and "Yes, submit" in asked.content.decode()
    assert member_client.post(url, {"confirm": "yes"}).status_code == 302


@pytest.mark.parametrize("with_votes", [False, True])
def test_review_reads_the_votes_in_one_query(
    member_client: Client,
    draft: Assessment,
    voters: list[User],
    with_votes: bool,
    django_assert_num_queries: object,
) -> None:
    answer_all(draft, up_to(1))
    if with_votes:
        for practice in load_tree(draft.model_id).practices:
            for index, user in enumerate(voters):
                vote(draft, user, practice, ("yes", "no", "partly")[index])
    # session, user, assessment with membership, team and model, levels, practices with
    # their cells and categories, answers with the votes counted
    with django_assert_num_queries(4 + TREE_QUERIES):  # type: ignore[operator]
        response = member_client.get(reverse("assessment_review", args=[draft.pk]))
    assert response.status_code == 200
    assert ("Talk about these" in response.content.decode()) is with_votes


# The result and answers pages


def test_result_shows_agreement_per_category_with_an_explanation(
    member_client: Client, voted: Voted, member: User
) -> None:
    voted.assessment.submit(member)
    html = member_client.get(
        reverse("assessment_result", args=[voted.assessment.pk])
    ).content.decode()
    table = section(html, 'class="table align-middle result-table"', "</table>")
    assert ">Agreement</th>" in table
    assert '<td class="text-end agreement">40%</td>' in table_row(
        html, "Build management and continuous integration"
    )
    assert '<td class="text-end agreement">100%</td>' in table_row(html, "Testing")
    assert '<td class="text-end agreement">–</td>' in table_row(html, "Environments and deployment")
    assert 'id="agreement-help"' in html and "two or more members" in html


def test_draft_preview_shows_agreement_as_votes_stand(member_client: Client, voted: Voted) -> None:
    html = member_client.get(
        reverse("assessment_result", args=[voted.assessment.pk])
    ).content.decode()
    assert '<td class="text-end agreement">40%</td>' in table_row(
        html, "Build management and continuous integration"
    )


def test_a_record_from_before_votes_shows_a_dash(
    member_client: Client, submitted: Assessment
) -> None:
    """Records written before votes existed have no agreement and no votes."""
    record = submitted.record
    assert record is not None
    for category in record["categories"]:
        del category["agreement"]
    for answer in record["answers"]:
        del answer["votes"]
    Assessment.objects.filter(pk=submitted.pk).update(record=record)
    result = member_client.get(reverse("assessment_result", args=[submitted.pk]))
    assert result.status_code == 200
    assert '<td class="text-end agreement">–</td>' in table_row(result.content.decode(), "Testing")
    answers = member_client.get(reverse("assessment_answers", args=[submitted.pk]))
    assert answers.status_code == 200 and "Members' votes" not in answers.content.decode()


def test_answers_page_shows_vote_counts_never_names(
    member_client: Client, voted: Voted, member: User
) -> None:
    voted.assessment.submit(member)
    html = member_client.get(
        reverse("assessment_answers", args=[voted.assessment.pk])
    ).content.decode()
    build = section(html, 'id="answers-build"', "</section>")
    assert "· agreement 40%" in build
    disputed = section(build, escape(voted.build[1].text), "</tr>")
    assert "Members' votes: Yes 1 · Partly 0 · No 1 · N/a 0" in strip_tags(disputed)
    assert "Strong disagreement" in disputed
    agreed = section(build, escape(voted.build[0].text), "</tr>")
    assert "Members' votes: Yes 3 · Partly 0 · No 0 · N/a 0" in strip_tags(agreed)
    assert "Strong disagreement" not in agreed
    unvoted = section(build, escape(voted.build[5].text), "</tr>")
    assert "Members' votes" not in unvoted  # nobody voted: no counts to show
    release = section(html, 'id="answers-release"', "</section>")
    assert "agreement" not in release and "Members' votes" not in release
    for name in VOTERS:
        assert name not in html


# The dashboard


@pytest.fixture
def manager_client(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client


@pytest.fixture
def org(voted: Voted, member: User, cd_model: MaturityModel, mobile: Team) -> Voted:
    """Payments submitted with votes (build 0.4, testing 1.0: team agreement 0.7); Mobile
    without votes."""
    voted.assessment.submit(member)
    alone = Assessment.start(mobile, cd_model, member, prefill_from=None)
    answer_all(alone, up_to(2))
    alone.submit(member)
    return voted


def heatmap_row(page: str, team: str) -> str:
    table = section(page, 'class="table table-sm align-middle heatmap"', "</table>")
    return section(table, f">{team}</a></th>", "</tr>")


def test_dashboard_shows_each_teams_agreement(manager_client: Client, org: Voted) -> None:
    page = manager_client.get(reverse("dashboard")).content.decode()
    table = section(page, 'class="table table-sm align-middle heatmap"', "</table>")
    assert ">Agreement</a></th>" in table
    assert '<td class="text-end agreement">70%</td>' in heatmap_row(page, "Payments")
    assert '<td class="text-end agreement">–</td>' in heatmap_row(page, "Mobile")
    assert 'id="agreement-help"' in page


def test_dashboard_sorts_by_agreement(manager_client: Client, org: Voted) -> None:
    Team.objects.create(name="Aardvarks", slug="aardvarks")  # never assessed
    page = manager_client.get(reverse("dashboard"), {"sort": "agreement", "dir": "desc"})
    html = page.content.decode()
    order = [html.index(f">{name}</a></th>") for name in ("Payments", "Aardvarks", "Mobile")]
    assert order == sorted(order)  # without a value: last, by name


def test_csv_has_agreement_in_percent_after_the_categories(
    manager_client: Client, org: Voted
) -> None:
    content = manager_client.get(reverse("dashboard_csv")).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    column = rows[0].index("agreement")
    assert rows[0][5] == "overall" and column == 6 + 6  # after the six categories
    by_slug = {row[1]: row for row in rows[1:]}
    assert by_slug["payments"][column] == "70.0"
    assert by_slug["mobile"][column] == ""
    assert len({len(row) for row in rows}) == 1  # every row as wide as the header
