"""The data generation (maturity/generation.py): every write of what managers' pages show
moves it on, the bulk writes that skip save() and delete() included, so that nothing
cached under it is stale."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from assessments.access import get_assessment_for_user
from assessments.edits import Edit, Sent, Whose
from assessments.models import Assessment
from maturity import generation
from maturity.generation import AdvancesGeneration, AdvancingQuerySet
from maturity.models import Category, Level, MaturityModel
from planning.models import PlanItem
from teams.access import get_team_for_user
from teams.models import Membership, Team, Unit

from .conftest import answer_all, up_to

shared_cache_only = pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)


def _text(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def test_every_model_whose_rows_managers_see_has_a_queryset_that_advances_it() -> None:
    models = [model for model in apps.get_models() if issubclass(model, AdvancesGeneration)]
    assert len(models) >= 10
    for model in models:
        assert isinstance(model._default_manager.all(), AdvancingQuerySet), model


@shared_cache_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda: Unit.objects.bulk_create([Unit(name="Payments", slug="payments-unit")]),
        lambda: Team.objects.update(cadence_days=30),
        lambda: Team.objects.bulk_update(
            [Team(pk=team.pk, name="Renamed") for team in Team.objects.all()], ["name"]
        ),
        lambda: Team.objects.filter(slug="search").delete(),
    ],
    ids=["bulk_create", "update", "bulk_update", "delete"],
)
def test_bulk_writes_advance_the_generation(write) -> None:  # type: ignore[no-untyped-def]
    Team.objects.create(name="Search", slug="search")
    before = generation.current()
    write()
    assert generation.current() != before


@shared_cache_only
@pytest.mark.django_db
def test_a_team_deleted_with_the_admins_bulk_action_leaves_the_managers_count_at_once(
    admin_client: Client,
) -> None:
    Team.objects.create(name="Kept", slug="kept")
    deleted = Team.objects.create(name="Gone", slug="gone")
    assert "2 teams" in _text(admin_client, "/")
    admin_client.post(
        "/admin/teams/team/",
        {"action": "delete_selected", "_selected_action": [deleted.pk], "post": "yes"},
    )
    assert not Team.objects.filter(pk=deleted.pk).exists()
    assert "1 team," in _text(admin_client, "/")


def _written_by_another_process() -> None:
    cache.set(generation.KEY, uuid4().hex, None)


@shared_cache_only
@pytest.mark.django_db
def test_a_request_reads_the_token_once_and_again_after_its_own_write() -> None:
    request_started.send(sender=None)
    try:
        seen = generation.current()
        _written_by_another_process()
        assert generation.current() == seen  # one request, one token
        generation.advance()
        moved = generation.current()
        assert moved != seen
        assert moved == cache.get(generation.KEY)
    finally:
        request_finished.send(sender=None)
    _written_by_another_process()
    assert generation.current() == cache.get(generation.KEY) != moved  # read every time


@shared_cache_only
@pytest.mark.django_db
def test_the_team_pages_kept_history_shows_each_write_at_once(
    client: Client, member: User, submitted: Assessment
) -> None:
    client.force_login(member)
    page = reverse("team_detail", args=[submitted.team.slug])
    assert "Voided" not in _text(client, page)
    assert "Voided" not in _text(client, page)  # from the cache
    submitted.void(member, "Answered for the wrong team")
    assert "Answered for the wrong team" in _text(client, page)
    category = Category.objects.filter(model=submitted.model).first()
    assert category is not None
    category.name = "Renamed category"
    category.save()
    assert "Renamed category" in _text(client, page)


@shared_cache_only
@pytest.mark.django_db
def test_the_homes_kept_latest_results_show_a_void_and_a_new_team_at_once(
    client: Client, member: User, submitted: Assessment, mobile: Team, cd_model: MaturityModel
) -> None:
    client.force_login(member)
    assert "No assessment submitted yet." not in _text(client, "/")
    submitted.void(member, "Answered for the wrong team")
    assert "No assessment submitted yet." in _text(client, "/")
    other = Assessment.start(mobile, cd_model, member, prefill_from=None)
    answer_all(other, up_to(2))
    other.submit()
    assert "Mobile" not in _text(client, "/")
    Membership.objects.create(user=member, team=mobile)
    page = _text(client, "/")
    assert "Mobile" in page and page.count("No assessment submitted yet.") == 1


@shared_cache_only
@pytest.mark.django_db
def test_the_homes_kept_teams_and_drafts_show_each_change_at_once(
    client: Client, member: User, payments: Team, mobile: Team, cd_model: MaturityModel
) -> None:
    client.force_login(member)
    assert "Drafts to resume" not in _text(client, "/")
    draft = Assessment.start(payments, cd_model, member, prefill_from=None)
    assert "Drafts to resume" in _text(client, "/")
    payments.name = "Payments Core"
    payments.save()
    assert _text(client, "/").count("Payments Core") == 2  # the team, its draft
    draft.discard()
    assert "Drafts to resume" not in _text(client, "/")
    Membership.objects.create(user=member, team=mobile)
    assert "Mobile" in _text(client, "/")
    Membership.objects.filter(user=member, team=mobile).delete()
    assert "Mobile" not in _text(client, "/")


@shared_cache_only
@pytest.mark.django_db
def test_the_dashboards_kept_units_show_each_change_at_once(
    client: Client, manager: User, submitted: Assessment
) -> None:
    client.force_login(manager)
    dashboard = reverse("dashboard")
    assert ">Platform<" not in _text(client, dashboard)
    unit = Unit.objects.create(name="Platform", slug="platform")
    assert ">Platform<" in _text(client, dashboard)
    unit.name = "Platform Engineering"
    unit.save()
    page = _text(client, dashboard)
    assert ">Platform Engineering<" in page and ">Platform<" not in page


@shared_cache_only
@pytest.mark.django_db
def test_the_plans_kept_levels_show_a_renamed_level_at_once(
    client: Client, member: User, submitted: Assessment
) -> None:
    client.force_login(member)
    page = reverse("team_plan", args=[submitted.team.slug])
    level = Level.objects.get(model=submitted.model, value=1)
    assert f"1 · {level.name}" in _text(client, page)
    level.name = "Renamed level"
    level.save()
    assert "1 · Renamed level" in _text(client, page)


@shared_cache_only
@pytest.mark.django_db
def test_the_plans_kept_board_shows_each_write_at_once(
    client: Client, member: User, submitted: Assessment, django_user_model: type[User]
) -> None:
    client.force_login(member)
    page = reverse("team_plan", args=[submitted.team.slug])
    assert "Nothing open." in _text(client, page)
    owner = django_user_model.objects.create_user("olga")
    item = PlanItem.objects.create(team=submitted.team, title="Trunk-based development")
    PlanItem.objects.filter(pk=item.pk).update(owner=owner)
    assert "owner olga" in _text(client, page)
    owner.delete()  # the database clears the owner, around PlanItem.save()
    assert "no owner yet" in _text(client, page)
    item.set_status(PlanItem.Status.DONE)
    assert "Nothing open." in _text(client, page)
    submitted.void(member, "Answered for the wrong team")
    assert "No result yet" in _text(client, page)


@shared_cache_only
@pytest.mark.django_db
def test_a_kept_membership_shows_each_change_at_once(
    client: Client,
    member: User,
    payments: Team,
    cd_model: MaturityModel,
    django_user_model: type[User],
) -> None:
    client.force_login(member)
    team_page, plan = (reverse(page, args=["payments"]) for page in ("team_detail", "team_plan"))
    colleague = django_user_model.objects.create_user("carla")
    assert ">carla</option>" not in _text(client, plan)
    Membership.objects.create(user=colleague, team=payments)
    assert ">carla</option>" in _text(client, plan)
    colleague.username = "carla.renamed"
    colleague.save()
    assert ">carla.renamed</option>" in _text(client, plan)
    draft = Assessment.start(payments, cd_model, member, prefill_from=None)
    questionnaire = reverse("assessment_edit", args=[draft.pk, "build"])
    assert client.get(questionnaire).status_code == 200
    Membership.objects.filter(user=member).delete()  # the admin's bulk delete
    assert client.get(team_page).status_code == 404
    assert client.get(questionnaire).status_code == 404


@shared_cache_only
@pytest.mark.django_db
def test_a_results_kept_assessment_shows_each_change_at_once(
    client: Client,
    member: User,
    submitted: Assessment,
    payments: Team,
    django_assert_num_queries: object,
) -> None:
    client.force_login(member)
    pages = [
        reverse(page, args=[submitted.pk]) for page in ("assessment_result", "assessment_answers")
    ]
    for page in pages:
        client.get(page)  # renders the record's parts and keeps them
        client.get(page)  # reads the assessment without its record and keeps it
        with django_assert_num_queries(2):  # type: ignore[operator]  # the session, the user
            assert "Payments" in _text(client, page)
    payments.name = "Payments Core"
    payments.save()
    assert all("Payments Core" in _text(client, page) for page in pages)
    submitted.void(member, "Answered for the wrong team")
    assert "<strong>Voided</strong>" in _text(client, pages[0])
    Membership.objects.filter(user=member).delete()
    assert [client.get(page).status_code for page in pages] == [404, 404]


def _kept_after_its_first_view(client: Client, url: str, content: str) -> None:
    """The page renders its `content` template on its first view, not on the next."""
    for expected in (True, False):
        rendered = [template.name for template in client.get(url).templates]
        assert (content in rendered) == expected


def _shows_a_renamed_team_at_once(client: Client, url: str, team: Team) -> None:
    team.name = "Payments Core"
    team.save()
    assert "Payments Core" in _text(client, url)


@pytest.fixture
def teammate(draft: Assessment, django_user_model: type[User]) -> User:
    """A second member of the draft's team: its pages show the members' votes."""
    user = django_user_model.objects.create_user("zelda")
    Membership.objects.create(user=user, team=draft.team)
    return user


@shared_cache_only
@pytest.mark.django_db
def test_a_kept_questionnaire_page_shows_each_save_and_each_change_at_once(
    client: Client, member: User, draft: Assessment, teammate: User
) -> None:
    """The process keeps a category's page under the draft's rows, whose page it is and
    the generation: seen again unchanged it is not built again, and nothing else shows."""
    node = draft.tree().category("build")
    assert node is not None
    first, second = (p.id for p in node.practices[:2])
    page = reverse("assessment_edit", args=[draft.pk, "build"])
    client.force_login(member)
    _kept_after_its_first_view(client, page, "assessments/edit_content.html")

    draft.save_answers([(first, "yes", "In git since May")])  # the team's answer
    assert "In git since May" in _text(client, page)
    theirs = Client()
    theirs.force_login(teammate)
    theirs.post(page, {f"p{second}-my-status": "no", f"p{second}-my-note": "Not on Fridays"})
    mine = f'name="p{second}-my-status-was" value="no"'
    text = _text(client, page)
    assert "Yes 0 · Partly 0 · No 1 · N/a 0" in text and mine not in text  # a vote, not hers
    assert mine in _text(theirs, page)  # the teammate's own answer, on the teammate's page
    assert mine not in _text(client, page)  # and still not on hers
    _shows_a_renamed_team_at_once(client, page, draft.team)


@shared_cache_only
@pytest.mark.django_db
def test_a_kept_review_shows_each_save_and_each_vote_at_once(
    client: Client, member: User, draft: Assessment, teammate: User
) -> None:
    total = len(draft.tree().practices)
    practice = draft.tree().practices[0]
    page = reverse("assessment_review", args=[draft.pk])
    client.force_login(member)
    _kept_after_its_first_view(client, page, "assessments/review_content.html")
    assert f"0 of {total} statements answered" in _text(client, page)

    draft.save_answers([(practice.id, "yes", "")])
    assert f"1 of {total} statements answered" in _text(client, page)
    assert 'id="agreement-help"' not in _text(client, page)
    for user, status in ((member, "yes"), (teammate, "no")):
        draft.save_edits(user, [Edit(practice.id, Whose.MINE, status=Sent(status))])
    assert 'id="agreement-help"' in _text(client, page)  # what the votes say, counted
    _shows_a_renamed_team_at_once(client, page, draft.team)


@shared_cache_only
@pytest.mark.django_db
def test_a_kept_team_page_turns_overdue_when_its_cadence_ends(
    client: Client, member: User, payments: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is written when a team's cadence ends: the kept content is keyed by it."""
    ends = timezone.now() + timedelta(minutes=1)  # never submitted: due from its making
    made = ends - timedelta(days=payments.cadence_days)
    Team.objects.filter(pk=payments.pk).update(created_at=made)
    client.force_login(member)
    page = reverse("team_detail", args=["payments"])
    assert "next assessment due" in _text(client, page)
    assert "next assessment due" in _text(client, page)  # kept
    later = ends + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Overdue</span> since" in _text(client, page)


@shared_cache_only
@pytest.mark.django_db
def test_what_does_not_exist_is_not_kept(client: Client, member: User) -> None:
    client.force_login(member)
    client.get("/")
    kept = cache._cache.get_client().dbsize()  # type: ignore[attr-defined]
    for n in range(5):
        assert client.get(reverse("team_detail", args=[f"no-team-{n}"])).status_code == 404
        assert client.get(reverse("assessment_review", args=[10_000 + n])).status_code == 404
    assert cache._cache.get_client().dbsize() == kept  # type: ignore[attr-defined]


@shared_cache_only
@pytest.mark.django_db
def test_a_sign_in_moves_no_generation(client: Client, member: User) -> None:
    before = generation.current()
    response = client.post(reverse("login"), {"username": member.username, "password": "pw"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.last_login is not None  # saved, alone
    assert generation.current() == before


@shared_cache_only
@pytest.mark.django_db
def test_each_caller_gets_its_own_copy_of_a_kept_team_and_assessment(
    member: User, draft: Assessment
) -> None:
    team = get_team_for_user(member, "payments")
    team.name = "Changed by a view, never saved"
    again = get_team_for_user(member, "payments")
    assert again is not team and again.name == "Payments"
    assessment = get_assessment_for_user(member, draft.pk)
    assessment.notes = "Changed by a view, never saved"
    assert get_assessment_for_user(member, draft.pk).notes == ""


def _redis_calls(command: str) -> int:
    stats = cache._cache.get_client().info("commandstats")  # type: ignore[attr-defined]
    return int(stats.get(f"cmdstat_{command}", {}).get("calls", 0))


@shared_cache_only
@pytest.mark.django_db
@override_settings(SESSION_ENGINE="config.sessions")  # as production runs with Redis
def test_a_page_reads_the_session_and_the_token_in_one_round_trip(
    client: Client, member: User, submitted: Assessment
) -> None:
    client.force_login(member)
    page = reverse("team_detail", args=[submitted.team.slug])
    client.get(page)  # its history kept
    gets, mgets = _redis_calls("get"), _redis_calls("mget")
    assert "Payments" in _text(client, page)
    assert (_redis_calls("get") - gets, _redis_calls("mget") - mgets) == (0, 1)
    cache.delete(client.session.cache_key)  # type: ignore[attr-defined]  # evicted
    assert "Payments" in _text(client, page)  # from the database
    generation.advance()
    assert "Answered for the wrong team" not in _text(client, page)
    submitted.void(member, "Answered for the wrong team")
    assert "Answered for the wrong team" in _text(client, page)


@shared_cache_only
@pytest.mark.django_db
def test_a_kept_value_is_read_from_the_process_own_copy_until_the_generation_moves() -> None:
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    assert generation.cached("counted", "same", compute, 60) == 1
    token = generation.current()
    cache.clear()
    cache.set(generation.KEY, token, None)  # the shared copy gone, the token kept
    assert generation.cached("counted", "same", compute, 60) == 1  # the process's copy
    generation.process_copies.clear()
    assert generation.cached("counted", "same", compute, 60) == 2  # nowhere: computed
    generation.process_copies.clear()
    assert generation.cached("counted", "same", compute, 60) == 2  # the shared copy
    generation.advance()
    assert generation.cached("counted", "same", compute, 60) == 3


@shared_cache_only
@pytest.mark.django_db
def test_a_value_kept_in_process_is_kept_under_the_token_and_its_whole_key_alone() -> None:
    computed: list[int] = []

    def compute() -> int:
        computed.append(1)
        return len(computed)

    generation.current()  # the token, in the shared cache
    stored = cache._cache.get_client().dbsize()  # type: ignore[attr-defined]
    assert generation.kept_in_process("counted", ((7, "yes", "a note"),), compute, 60) == 1
    assert generation.kept_in_process("counted", ((7, "yes", "a note"),), compute, 60) == 1
    assert generation.kept_in_process("counted", ((7, "yes", "a nose"),), compute, 60) == 2
    # nothing written to the shared cache
    assert cache._cache.get_client().dbsize() == stored  # type: ignore[attr-defined]
    generation.advance()
    assert generation.kept_in_process("counted", ((7, "yes", "a note"),), compute, 60) == 3


def test_the_process_copies_are_kept_until_their_time_is_up_and_the_least_read_go_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr(generation.time, "monotonic", lambda: now[0])
    copies = generation.ProcessCopies(size=2)
    tree = object()
    copies.set("tree", tree, 60)
    copies.set("old", "o", 60)
    assert copies.get("tree") is tree  # the object itself, no copy; now the last read
    copies.set("new", "n", 60)
    assert copies.get("old") is generation._MISSING  # dropped: the least recently read
    assert copies.get("tree") is tree and copies.get("new") == "n"
    now[0] += 61
    assert copies.get("tree") is generation._MISSING  # its time is up
