"""seed_demo: a living app for a new user, never on a production server by accident."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.test import Client, override_settings
from django.urls import reverse

from assessments.cadence import with_last_submitted
from assessments.models import Assessment, MemberAnswer
from assessments.reports import record_of
from maturity.models import MaturityModel
from planning.models import PlanItem, Target
from teams.access import visible_teams
from teams.models import Team

from .conftest import DEFAULT_VERSION, run_command

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_seed_demo_creates_teams_with_a_year_of_varied_history() -> None:
    output = run_command("seed_demo")
    assert "password for all: demo" in output
    assert Team.objects.count() == 5
    submitted = Assessment.objects.submitted()
    assert submitted.count() >= 10
    assert Assessment.objects.drafts().count() == 1
    span = submitted.order_by("submitted_at")
    first, last = span.first(), span.last()
    assert first and last and (last.submitted_at - first.submitted_at).days > 270  # type: ignore[operator]

    def overall(slug: str, newest: bool) -> float:
        ordered = Assessment.objects.submitted().filter(team__slug=slug).order_by("submitted_at")
        assessment = ordered.last() if newest else ordered.first()
        assert assessment is not None
        return record_of(assessment).overall  # type: ignore[return-value]

    assert overall("payments", newest=True) > overall("payments", newest=False) + 1  # improves
    platform_data = [
        record_of(a).rows[4].score or 0.0  # data management is scored in the demo
        for a in Assessment.objects.submitted()
        .filter(team__slug="platform")
        .order_by("submitted_at")
    ]
    assert platform_data[-1] < platform_data[0] - 1  # regresses in data management
    assert not Assessment.objects.filter(team__slug="identity").exists()  # never assessed

    ivan = User.objects.get(username="ivan")  # the manager of Infrastructure
    assert set(visible_teams(ivan).values_list("slug", flat=True)) == {"identity", "platform"}
    overdue = with_last_submitted(Team.objects.all())
    assert {team.slug for team in overdue if team.is_overdue} == {"identity", "mobile"}


@override_settings(DEBUG=True)
def test_seed_demo_twice_changes_nothing() -> None:
    run_command("seed_demo")
    before = Assessment.objects.count()
    assert "already there" in run_command("seed_demo")
    assert Assessment.objects.count() == before


@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug_unless_forced() -> None:
    with pytest.raises(CommandError, match="only with DEBUG on"):
        run_command("seed_demo")
    assert not Team.objects.exists()
    run_command("seed_demo", "--force")
    assert Team.objects.count() == 5


def test_seed_scale_creates_teams_with_results_that_match_their_answers() -> None:
    run_command("load_model")
    output = run_command("seed_scale", "--teams", "3", "--assessments", "2")
    assert "Created 3 teams and 6 submitted assessments" in output
    assessments = Assessment.objects.submitted().filter(team__slug__startswith="scale-")
    assert assessments.count() == 6
    for assessment in assessments:
        frozen = {(r.category.slug, r.level, r.score) for r in assessment.results.all()}
        Assessment.objects.filter(pk=assessment.pk).update(submitted_at=None, is_latest=False)
        assessment.refresh_from_db()
        assessment.results.all().delete()
        rescored = {(r.slug, r.level, r.score) for r in assessment.submit()}
        assert frozen == rescored  # what submission would have frozen
    with pytest.raises(CommandError, match="add --replace"):
        run_command("seed_scale", "--teams", "3", "--assessments", "2")
    run_command("seed_scale", "--teams", "2", "--assessments", "1", "--replace")
    assert Team.objects.filter(slug__startswith="scale-").count() == 2


@override_settings(DEBUG=True)
def test_with_every_bundled_version_loaded_the_demo_and_new_assessments_use_the_newest(
    client: Client, no_model: None
) -> None:
    run_command("load_model")  # as make run does: every bundled version, oldest first
    assert MaturityModel.objects.filter(slug="continuous-delivery").count() >= 2
    run_command("seed_demo")
    versions = set(Assessment.objects.values_list("model__version", flat=True))
    assert versions == {DEFAULT_VERSION}
    assert MemberAnswer.objects.exists(), "demo teams of two give their own answers"
    platform = Assessment.objects.submitted().filter(team__slug="platform").latest("submitted_at")
    assert platform.record is not None
    assert "deploys-rarely" in {check["key"] for check in platform.record["checks"]}
    plan = PlanItem.objects.filter(team__slug="payments")
    assert plan.count() == 4 and plan.filter(status=PlanItem.Status.DONE).count() == 2
    assert Target.objects.filter(team__slug="payments").count() == 2
    client.force_login(User.objects.get(username="noah"))  # Identity: never assessed
    form = client.get(reverse("assessment_new", args=["identity"])).context["form"]
    first_choice = next(iter(form.fields["model"].queryset))  # selected on the page
    assert first_choice.version == DEFAULT_VERSION
