"""A submitted record keeps the team's targets as they were at submission."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from maturity.models import MaturityModel
from planning.models import Target
from teams.models import Team

from .conftest import answer_all, up_to


def test_the_record_keeps_the_targets_set_when_it_was_submitted(
    client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    Target.objects.set_for(
        payments, {"testing": (2, date(2027, 6, 30)), "build": (3, date(2027, 3, 31))}
    )
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, up_to(1))
    assessment.submit(member)
    Target.objects.set_for(payments, {"testing": None})  # changed later: the record is not
    client.force_login(member)
    exported = client.get(reverse("assessment_export", args=[assessment.pk])).json()
    assert exported["targets"] == [
        {"category": "build", "level": 3, "due": "2027-03-31"},
        {"category": "testing", "level": 2, "due": "2027-06-30"},
    ]


def test_without_targets_the_record_has_an_empty_list(submitted: Assessment) -> None:
    assert submitted.record is not None and submitted.record["targets"] == []
