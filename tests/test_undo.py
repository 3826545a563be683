"""Undoing mistakes: a lead voids a wrong submission with a reason, and it stops
counting everywhere while it stays in the history; staff void in the admin; nothing
submitted is ever deleted."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from assessments.models import AlreadySubmitted, Assessment
from maturity.models import MaturityModel
from teams.models import Team

from .conftest import answer_all, up_to


def submit(team: Team, model: MaturityModel, user: User, level: int, month: int) -> Assessment:
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, up_to(level))
    assessment.submit(user, at=datetime(2026, month, 1, tzinfo=timezone.utc))
    return assessment


@pytest.fixture
def history(cd_model: MaturityModel, payments: Team, member: User) -> list[Assessment]:
    """Payments at level 1 in March, then a mistaken level 3 in June."""
    return [submit(payments, cd_model, member, 1, 3), submit(payments, cd_model, member, 3, 6)]


def test_a_lead_voids_a_submission_with_a_reason_and_it_stops_counting(
    client: Client, member: User, manager: User, history: list[Assessment]
) -> None:
    first, mistaken = history
    client.force_login(member)
    url = reverse("assessment_void", args=[mistaken.pk])
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400 and b"Say why" in refused.content
    response = client.post(url, {"reason": "Answered for the wrong team"})
    assert response["Location"] == reverse("assessment_result", args=[mistaken.pk])
    mistaken.refresh_from_db()
    assert mistaken.is_voided and mistaken.voided_by == member

    result = client.get(response["Location"]).content.decode()
    assert "Voided" in result and "Answered for the wrong team" in result
    team_page = client.get(reverse("team_detail", args=["payments"])).content.decode()
    assert "<del>1 Jun 2026</del>" in team_page and "Answered for the wrong team" in team_page
    trend = team_page.split('class="chart trend"')[1].split("</svg>")[0]
    assert trend.count("<circle") == 1  # March only
    home = client.get("/").content.decode()
    assert "1 Mar 2026" in home and "1 Jun 2026" not in home  # the latest that counts

    client.force_login(manager)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("assessment_result", args=[first.pk]) in dashboard
    assert reverse("assessment_result", args=[mistaken.pk]) not in dashboard
    assert client.get(reverse("dashboard_csv")).content.decode().count(",3.0") == 0
    again = Client()
    again.force_login(member)
    assert again.post(url, {"reason": "twice"}).status_code == 409


def test_a_later_result_compares_with_the_last_submission_that_counts(
    member: User, cd_model: MaturityModel, payments: Team, history: list[Assessment]
) -> None:
    first, mistaken = history
    mistaken.void(member, "Wrong team")
    later = submit(payments, cd_model, member, 2, 9)
    assert later.record is not None
    assert later.record["previous"]["id"] == first.pk


def test_staff_void_in_the_admin_with_a_reason(
    client: Client, django_user_model: type[User], history: list[Assessment]
) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    changelist = reverse("admin:assessments_assessment_changelist")
    action = {"action": "void_selected", "_selected_action": [history[1].pk]}
    asked = client.post(changelist, action)
    assert asked.status_code == 200 and b"Reason" in asked.content
    client.post(changelist, {**action, "reason": "Duplicate of March"})
    history[1].refresh_from_db()
    assert history[1].void_reason == "Duplicate of March"


def test_the_admin_never_deletes_a_submitted_assessment(
    client: Client, django_user_model: type[User], history: list[Assessment], draft: Assessment
) -> None:
    admin = django_user_model.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    submitted = history[0]
    delete = reverse("admin:assessments_assessment_delete", args=[submitted.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    stale = Assessment.objects.get(pk=draft.pk)  # the admin's copy, read while a draft
    answer_all(draft, up_to(0))
    draft.submit()
    with pytest.raises(AlreadySubmitted):
        stale.discard()
    changelist = reverse("admin:assessments_assessment_changelist")
    assert b'value="delete_selected"' not in client.get(changelist).content  # no bulk delete
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [submitted.pk], "post": "yes"},
    )
    assert Assessment.objects.filter(pk__in=[submitted.pk, draft.pk]).count() == 2
