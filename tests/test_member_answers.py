"""Every member's own answer on the questionnaire: the votes beside the team answer,
and "use the agreed answers"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, MemberAnswer
from maturity.tree import PracticeNode
from teams.models import Membership, Team


@pytest.fixture
def crew(payments: Team, member: User, django_user_model: type[User]) -> list[Client]:
    """Payments with three members, each signed in on a client of their own."""
    clients = []
    for user in (member, *(django_user_model.objects.create_user(n) for n in ("zelda", "quentin"))):
        Membership.objects.get_or_create(user=user, team=payments)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def build_page(assessment: Assessment) -> tuple[str, list[PracticeNode]]:
    node = assessment.tree().category("build")
    assert node is not None
    return reverse("assessment_edit", args=[assessment.pk, "build"]), list(node.practices)


def vote(client: Client, url: str, practice: PracticeNode, status: str, note: str = "") -> None:
    data = {f"p{practice.id}-my-status": status, f"p{practice.id}-my-note": note}
    assert client.post(url, data).status_code == 302


def test_each_member_answers_for_themselves_and_the_page_counts_the_votes(
    crew: list[Client], draft: Assessment
) -> None:
    url, (agreed, split, opposed, *_) = build_page(draft)
    by_member = [("yes", "yes", "yes"), ("yes", "partly", "no"), ("", "yes", "")]
    for client, statuses in zip(crew, by_member, strict=True):
        for practice, status in zip((agreed, split, opposed), statuses, strict=True):
            if status:
                vote(client, url, practice, status)

    assert MemberAnswer.objects.filter(assessment=draft).count() == 7
    assert not draft.answers.exists(), "a member's own answer is not the team's"
    page = crew[0].get(url).content.decode()
    assert f'data-votes="{agreed.id}" data-spread="agree"' in page
    assert f'data-votes="{split.id}" data-spread="disagree"' in page
    assert f'data-votes="{opposed.id}" data-spread="strong"' in page
    assert "Yes 2 · Partly 0 · No 0 · N/a 0" in page  # the agreed one: two votes
    assert "Strong disagreement" in page and "Members disagree" in page
    for name in ("zelda", "quentin"):
        assert name not in page.split("<main")[1], "votes are counts, never names"
    mine = crew[1].get(url).context["page"]  # her own answers, not the first member's
    assert mine.values[f"p{split.id}-my-status"] == "partly"


def test_using_the_agreed_answers_fills_only_blank_team_answers_on_which_all_agree(
    crew: list[Client], draft: Assessment
) -> None:
    url, (agreed, split, decided, lonely, na, *_) = build_page(draft)
    for client in crew[:2]:
        vote(client, url, agreed, "yes", "in git")
        vote(client, url, decided, "no")
        vote(client, url, na, "na", f"reason from {id(client)}")
    vote(crew[0], url, split, "yes")
    vote(crew[1], url, split, "no")
    vote(crew[0], url, lonely, "partly")  # one vote is no agreement
    draft.save_answers([(decided.id, "partly", "we talked")])  # set after the discussion

    response = crew[2].post(url, {"go": "agreed"}, follow=True)

    assert "2 team answers set from the members&#x27; agreed answers" in response.content.decode()
    answers = {a.practice_id: (a.status, a.note) for a in draft.answers.all()}
    assert answers[agreed.id] == ("yes", "in git")
    assert answers[decided.id] == ("partly", "we talked"), "a team answer is never replaced"
    assert answers[na.id][0] == "na" and answers[na.id][1].count("reason from") == 2
    assert split.id not in answers and lonely.id not in answers


def test_a_team_of_one_answers_for_the_team_alone(member: User, draft: Assessment) -> None:
    client = Client()
    client.force_login(member)
    url, practices = build_page(draft)
    page = client.get(url).content.decode()
    assert "My answer" not in page and "Members' votes" not in page
    assert client.post(url, {f"p{practices[0].id}-status": "yes"}).status_code == 302
    assert draft.statuses() == {practices[0].id: "yes"}


def test_a_member_answer_of_not_applicable_needs_a_note_too(
    crew: list[Client], draft: Assessment
) -> None:
    url, practices = build_page(draft)
    response = crew[0].post(url, {f"p{practices[0].id}-my-status": "na"})
    assert response.status_code == 400
    assert "Not applicable needs a note saying why." in response.content.decode()
    assert not MemberAnswer.objects.exists()


def test_agreed_answers_never_replace_a_team_note_written_before_the_status(
    crew: list[Client], draft: Assessment
) -> None:
    url, (practice, *_) = build_page(draft)
    for client in crew[:2]:
        vote(client, url, practice, "yes", "we think so")
    draft.save_answers([(practice.id, "", "Discussed: waiting on ops")])
    crew[0].post(url, {"go": "agreed"})
    assert draft.answers.get().note == "Discussed: waiting on ops"
    assert draft.answers.get().status == ""


def test_someone_who_left_the_team_no_longer_has_a_say(
    crew: list[Client], draft: Assessment, payments: Team
) -> None:
    url, (practice, *_) = build_page(draft)
    vote(crew[0], url, practice, "yes")
    vote(crew[1], url, practice, "no")
    assert draft.votes()[practice.id].spread.value == "strong"
    Membership.objects.filter(team=payments, user__username="zelda").delete()
    assert draft.votes()[practice.id].as_dict() == {"yes": 1, "partly": 0, "no": 0, "na": 0}
