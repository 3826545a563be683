"""Two members working on the same draft at once, on PostgreSQL: no answer lost or
doubled, one submission, no error page. Row locks and constraints, not luck."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Assessment, CategoryResult
from maturity.models import MaturityModel
from teams.models import Membership, Team

from .conftest import run_command

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writes, so there is no race to test",
)
ROUNDS = 6


def posting(client: Client, url: str, data: dict[str, str] | None = None) -> Callable[[], int]:
    return lambda: client.post(url, data or {}).status_code


def at_once(*actions: Callable[[], int]) -> list[int]:
    """Run the actions in threads released together; their HTTP statuses."""
    barrier = threading.Barrier(len(actions))
    statuses: list[int] = []

    def run(action: Callable[[], int]) -> None:
        barrier.wait()
        try:
            statuses.append(action())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_two_members_save_and_submit_the_same_draft_at_once(django_user_model: type[User]) -> None:
    run_command("load_model")
    model = MaturityModel.objects.get()
    team = Team.objects.create(name="Payments", slug="payments")
    members = [django_user_model.objects.create_user(name, password="pw") for name in ("a", "b")]
    for member in members:
        Membership.objects.create(user=member, team=team)
    clients = []
    for member in members:
        client = Client()
        client.force_login(member)
        clients.append(client)

    for _ in range(ROUNDS):
        assessment = Assessment.start(team, model, members[0], prefill_from=None)
        tree = assessment.tree()
        for category in tree.categories:
            url = reverse("assessment_edit", args=[assessment.pk, category.slug])
            yes = {f"p{p.id}-status": "yes" for p in category.practices}
            no = {f"p{p.id}-status": "no" for p in category.practices}
            statuses = at_once(posting(clients[0], url, yes), posting(clients[1], url, no))
            assert statuses == [302, 302]
        answers = Answer.objects.filter(assessment=assessment)
        assert answers.count() == len(tree.practices)  # none lost, none doubled
        for category in tree.categories:  # each page is one person's, whole: never mixed
            assert (
                len({a.status for a in answers.filter(practice__cell__category_id=category.id)})
                == 1
            )

        review = reverse("assessment_review", args=[assessment.pk])
        confirm = {"confirm": "yes"}
        statuses = at_once(
            posting(clients[0], review, confirm), posting(clients[1], review, confirm)
        )
        assert sorted(statuses) == [302, 409]  # one submission; the other is told it is done
        assert CategoryResult.objects.filter(assessment=assessment).count() == len(tree.categories)

        edit = reverse("assessment_edit", args=[assessment.pk, "build"])
        late = {f"p{p.id}-status": "partly" for p in tree.categories[0].practices}
        statuses = at_once(posting(clients[0], edit, late), posting(clients[1], review, confirm))
        assert sorted(statuses) == [409, 409]
        assert not answers.filter(status="partly").exists()
