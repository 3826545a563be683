"""Two people changing the same assessment at once, on PostgreSQL: no answer lost or
doubled, one submission, a discard or void that loses is told so, never an error page.
Row locks and constraints, not luck."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import pytest
from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Assessment, CategoryResult
from maturity.models import MaturityModel
from teams.models import Membership, Team

from .conftest import answer_all, up_to

if TYPE_CHECKING:  # what the test client returns
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writes, so there is no race to test",
)
ROUNDS = 10
T = TypeVar("T")


def posting(client: Client, url: str, data: dict[str, str] | None = None) -> Callable[[], int]:
    return lambda: client.post(url, data or {}).status_code


def post(client: Client, url: str, data: dict[str, str] | None = None) -> Callable[[], Response]:
    return lambda: client.post(url, data or {})


def at_once(*actions: Callable[[], T]) -> list[T]:
    """Run the actions in threads released together; what each returned, in their order.
    An exception in a thread (a plain test Client re-raises a view's) fails the test with
    its traceback."""
    barrier = threading.Barrier(len(actions))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except BaseException as exc:  # re-raised below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return [results[index] for index in range(len(actions))]


def after(seconds: float, action: Callable[[], T]) -> Callable[[], T]:
    """The action, started that much later than the others: rounds sweep the moment one
    request arrives while the other runs, so each side gets to win in some of them."""

    def delayed() -> T:
        time.sleep(seconds)
        return action()

    return delayed


def signed_in(user: User) -> Client:
    """A browser of the user's. A view's exception is a 500 response, as a browser sees it
    (and logged with its traceback), so every round's outcome is counted."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def team_of(users: type[User], **roles: Membership.Role) -> tuple[Team, dict[str, User]]:
    """Payments, with a user per name in the given role."""
    team = Team.objects.create(name="Payments", slug="payments")
    people = {name: users.objects.create_user(name, password="pw") for name in roles}
    for name, role in roles.items():
        Membership.objects.create(user=people[name], team=team, role=role)
    return team, people


def answered_draft(team: Team, model: MaturityModel, user: User) -> Assessment:
    draft = Assessment.start(team, model, user, prefill_from=None)
    answer_all(draft, up_to(1))
    return draft


def messages_after(client: Client, response: Response) -> list[str]:
    """The messages shown on the page a response redirects to (showing them uses them up,
    so each round reads only its own)."""
    if response.status_code != 302:
        return []
    shown = client.get(response["Location"])
    return [str(message) for message in get_messages(shown.wsgi_request)]


def submitted_or_discarded(pk: int, answered: dict[int, str], categories: int) -> str:
    """Which side won: the assessment submitted whole, or gone with everything it had.
    Anything in between fails."""
    found = Assessment.objects.filter(pk=pk).first()
    if found is None:
        assert not Answer.objects.filter(assessment_id=pk).exists(), "answers left behind"
        assert not CategoryResult.objects.filter(assessment_id=pk).exists(), "results left"
        return "discarded"
    assert found.submitted_at is not None, "still a draft: neither the submit nor the discard"
    assert found.record is not None, "submitted without its record"
    assert CategoryResult.objects.filter(assessment=found).count() == categories
    assert found.statuses() == answered, "a submitted assessment lost answers"
    return "submitted"


@pytest.mark.django_db(transaction=True)
def test_two_members_save_and_submit_the_same_draft_at_once(
    cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    model = cd_model
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


@pytest.mark.django_db(transaction=True)
def test_discard_versus_submit_one_wins(
    cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    """A member submits a fully answered draft while a teammate discards it: either it is
    submitted whole and the discard is refused with a 409, or it is gone with its answers
    and the submit is told so (404: no such draft any more; or 409). Never both, never
    half, never a 500."""
    team, people = team_of(django_user_model, a=Membership.Role.MEMBER, b=Membership.Role.MEMBER)
    submitter, discarder = signed_in(people["a"]), signed_in(people["b"])
    categories = len(cd_model.categories.filter(is_active=True))
    outcomes: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        draft = answered_draft(team, cd_model, people["a"])
        answered = draft.statuses()
        submitting, discarding = at_once(
            post(submitter, reverse("assessment_review", args=[draft.pk]), {"confirm": "yes"}),
            after(0.0015 * round_, post(discarder, reverse("assessment_discard", args=[draft.pk]))),
        )
        won = submitted_or_discarded(draft.pk, answered, categories)
        outcomes[f"{won}: submit {submitting.status_code}, discard {discarding.status_code}"] += 1
        if discarding.status_code == 409:
            assert b"already submitted" in discarding.content
    assert sum(outcomes.values()) == ROUNDS
    assert set(outcomes) <= {
        "submitted: submit 302, discard 409",
        "discarded: submit 404, discard 302",
        "discarded: submit 409, discard 302",
    }, outcomes


@pytest.mark.django_db(transaction=True)
def test_admin_delete_versus_submit_one_wins(
    cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    """A superuser confirms the admin's delete of a draft while a member submits it. The
    admin deletes through `discard()`: either the draft is gone and the admin says it was
    deleted, or it is submitted whole and the admin refuses (403 when the page it read
    was already submitted) or says it was submitted meanwhile and was not deleted."""
    team, people = team_of(django_user_model, a=Membership.Role.MEMBER)
    submitter = signed_in(people["a"])
    admin = signed_in(django_user_model.objects.create_superuser("root", password="pw"))
    categories = len(cd_model.categories.filter(is_active=True))
    outcomes: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        draft = answered_draft(team, cd_model, people["a"])
        answered = draft.statuses()
        submitting, deleting = at_once(
            after(
                0.01 * round_,
                post(submitter, reverse("assessment_review", args=[draft.pk]), {"confirm": "yes"}),
            ),
            post(
                admin,
                reverse("admin:assessments_assessment_delete", args=[draft.pk]),
                {"post": "yes"},
            ),
        )
        won = submitted_or_discarded(draft.pk, answered, categories)
        outcomes[
            f"{won}: submit {submitting.status_code}, {admin_says(admin, deleting, draft.pk)}"
        ] += 1
    assert sum(outcomes.values()) == ROUNDS
    assert set(outcomes) <= {
        "submitted: submit 302, admin 403 (says nothing)",
        "submitted: submit 302, admin 302 (says not deleted)",
        "discarded: submit 404, admin 302 (says deleted, logs a deletion)",
        "discarded: submit 409, admin 302 (says deleted, logs a deletion)",
    }, outcomes


def admin_says(admin: Client, response: Response, pk: int) -> str:
    """The admin's answer to a delete: its status, its messages, its log."""
    said = messages_after(admin, response)
    summary = [
        "says deleted" if any("deleted successfully" in m for m in said) else "",
        "says not deleted" if any("submitted meanwhile" in m for m in said) else "",
        "logs a deletion"
        if LogEntry.objects.filter(object_id=str(pk), action_flag=DELETION).exists()
        else "",
    ]
    return f"admin {response.status_code} ({', '.join(filter(None, summary)) or 'says nothing'})"


def submitted_assessment(team: Team, model: MaturityModel, user: User) -> Assessment:
    assessment = answered_draft(team, model, user)
    assessment.submit(user)
    return assessment


@pytest.mark.django_db(transaction=True)
def test_void_versus_save_void_wins(cd_model: MaturityModel, django_user_model: type[User]) -> None:
    """The lead voids a submitted assessment while a teammate saves a page of it from a
    page loaded while it was a draft: the void wins, the save is refused with a 409 and
    changes nothing, and the assessment is voided once."""
    team, people = team_of(django_user_model, lead=Membership.Role.LEAD, m=Membership.Role.MEMBER)
    lead, member = signed_in(people["lead"]), signed_in(people["m"])
    for round_ in range(ROUNDS):
        assessment = answered_draft(team, cd_model, people["lead"])
        build = assessment.tree().categories[0]
        edit = reverse("assessment_edit", args=[assessment.pk, build.slug])
        assert member.get(edit).status_code == 200  # the page the member will save
        assessment.submit(people["lead"])
        answered, record = assessment.statuses(), assessment.record
        results = list(assessment.results.values_list("category_id", "level", "score"))
        void = reverse("assessment_void", args=[assessment.pk])
        reason = f"Scored against the wrong team, round {round_}"
        voiding, saving = at_once(
            posting(lead, void, {"reason": reason}),
            posting(member, edit, {f"p{p.id}-status": "partly" for p in build.practices}),
        )
        assert (voiding, saving) == (302, 409)
        assessment.refresh_from_db()
        assert assessment.voided_at is not None
        assert (assessment.voided_by, assessment.void_reason) == (people["lead"], reason)
        assert assessment.statuses() == answered
        assert assessment.record == record
        assert list(assessment.results.values_list("category_id", "level", "score")) == results
        voided_at = assessment.voided_at
        assert lead.post(void, {"reason": "again"}).status_code == 409  # voided once
        assessment.refresh_from_db()
        assert (assessment.voided_at, assessment.void_reason) == (voided_at, reason)


@pytest.mark.django_db(transaction=True)
def test_void_versus_void_one_wins(cd_model: MaturityModel, django_user_model: type[User]) -> None:
    """Two leads void the same assessment at once, or one lead in two tabs: one is
    voided (302), the other told it already was (409), and one reason is stored: the
    winner's."""
    team, people = team_of(django_user_model, ann=Membership.Role.LEAD, bo=Membership.Role.LEAD)
    ann, bo = signed_in(people["ann"]), signed_in(people["bo"])
    ann_again = Client(raise_request_exception=False)  # a second tab: the same session
    ann_again.cookies[settings.SESSION_COOKIE_NAME] = ann.cookies[
        settings.SESSION_COOKIE_NAME
    ].value
    for round_ in range(ROUNDS):
        assessment = submitted_assessment(team, cd_model, people["ann"])
        other, other_user = (bo, people["bo"]) if round_ % 2 else (ann_again, people["ann"])
        void = reverse("assessment_void", args=[assessment.pk])
        reasons = (f"Wrong team, said ann in round {round_}", f"Duplicate, round {round_}")
        responses = at_once(
            post(ann, void, {"reason": reasons[0]}), post(other, void, {"reason": reasons[1]})
        )
        statuses = [response.status_code for response in responses]
        assert sorted(statuses) == [302, 409]
        winner, loser = statuses.index(302), statuses.index(409)
        assert b"already voided" in responses[loser].content
        assessment.refresh_from_db()
        assert assessment.voided_at is not None
        assert assessment.void_reason == reasons[winner]
        assert assessment.voided_by == (people["ann"], other_user)[winner]


@pytest.mark.django_db(transaction=True)
def test_a_void_and_a_submission_at_once_leave_one_latest_marked(
    cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    """The lead voids the team's latest result while a member submits the next: both
    succeed, and the new one is the one marked latest (Assessment.mark_latest takes the
    team's lock; without it, the void would mark the result before, and the submission
    fail on the second mark)."""
    team, people = team_of(django_user_model, lead=Membership.Role.LEAD, m=Membership.Role.MEMBER)
    lead, member = signed_in(people["lead"]), signed_in(people["m"])
    for round_ in range(ROUNDS):
        latest = submitted_assessment(team, cd_model, people["lead"])
        draft = answered_draft(team, cd_model, people["m"])
        void = reverse("assessment_void", args=[latest.pk])
        voiding, submitting = at_once(  # the void later each round, over a submission's time
            after(0.005 * round_, posting(lead, void, {"reason": "Wrong"})),
            posting(member, reverse("assessment_review", args=[draft.pk]), {"confirm": "yes"}),
        )
        assert (voiding, submitting) == (302, 302)
        marked = Assessment.objects.filter(team=team, is_latest=True)
        assert list(marked.values_list("pk", flat=True)) == [draft.pk]


def answer_fields(assessment: Assessment, user: User | None = None) -> dict[str, str]:
    """Every team answer's fields, by the names the questionnaire gives them; with a
    user, that member's own answers too (p12-my-status)."""
    fields = {}
    for pk, status, note in assessment.answers.values_list("practice_id", "status", "note"):
        fields[f"p{pk}-status"], fields[f"p{pk}-note"] = status, note
    if user is not None:
        own = assessment.member_answers.filter(user=user)
        for pk, status in own.values_list("practice_id", "status"):
            fields[f"p{pk}-my-status"] = status
    return fields


@pytest.mark.django_db(transaction=True)
def test_two_members_editing_from_stale_pages_lose_nothing(
    cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    """Two members save overlapping answers at once, each from a copy of the page that is
    sometimes stale, as the page's script does (it learns what is stored from each save's
    reply). Every round: each field ends as it was or as one of them set it; whatever a
    member set that did not stick was reported to that member as a conflict; a member
    whose value stuck was not told it conflicted. Each member's own answers, saved in
    the same requests, are exactly what that member last chose."""
    team, people = team_of(django_user_model, a=Membership.Role.MEMBER, b=Membership.Role.MEMBER)
    draft = Assessment.start(team, cd_model, people["a"], prefill_from=None)
    url = reverse("assessment_edit", args=[draft.pk, "build"])
    practices = [p.id for p in draft.tree().categories[0].practices][:6]
    clients = {name: signed_in(user) for name, user in people.items()}
    seen: dict[str, dict[str, str]] = {name: {} for name in people}  # each page's "was"
    conflicts_seen = 0
    for round_ in range(ROUNDS * 2):
        sent: dict[str, dict[str, str]] = {}
        for offset, name in enumerate(people):
            if (round_ + offset) % 3 == 0:  # now and then a member reloads the page
                seen[name] = answer_fields(draft, people[name])
            chosen = practices[(round_ + 2 * offset) % 4 :][:3]  # the two overlap
            sent[name] = {}
            for pk in chosen:
                sent[name][f"p{pk}-status"] = ("yes", "partly", "no")[(round_ + pk) % 3]
                sent[name][f"p{pk}-note"] = f"{name} round {round_}"
                sent[name][f"p{pk}-my-status"] = ("no", "yes", "partly")[(round_ + offset) % 3]
        before = answer_fields(draft)

        was = {name: {f: seen[name].get(f, "") for f in sent[name]} for name in people}

        def save(name: str, data: dict[str, str]) -> Callable[[], Response]:
            return lambda: clients[name].post(url, data, headers={"Accept": "application/json"})

        replies = dict(
            zip(
                people,
                at_once(
                    *(
                        save(name, {**sent[name], **{f"{f}-was": v for f, v in was[name].items()}})
                        for name in people
                    )
                ),
                strict=True,
            )
        )
        after = answer_fields(draft)

        for name, reply in replies.items():
            assert reply.status_code == 200, reply.content
            body = reply.json()
            conflicted = {c["field"]: c for c in body["conflicts"]}
            conflicts_seen += len(conflicted)
            for field, value in sent[name].items():
                if value == was[name][field] or "-my-" in field:
                    continue  # as the page showed it, or the member's own (below)
                if after.get(field, "") != value:
                    assert field in conflicted, f"{name}'s {field} was lost without a word"
                    assert conflicted[field]["yours"] == value
                elif field.endswith("-note"):  # notes are unique: this one is the user's
                    assert field not in conflicted, f"{name} was told of a conflict it won"
            seen[name].update(body["values"])
            own = {f: v for f, v in answer_fields(draft, people[name]).items() if "-my-" in f}
            own_choice = {f: v for f, v in sent[name].items() if "-my-" in f}
            assert own.items() >= own_choice.items(), f"{name}'s own answers were not all kept"
        for field, value in after.items():
            assert value in {before.get(field, ""), *(s.get(field) for s in sent.values())}
    assert conflicts_seen > 0, "the rounds never overlapped: the test proves nothing"
