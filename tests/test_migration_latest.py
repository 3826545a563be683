"""A database made before the latest assessments were marked (assessments 0016) migrates
forward with every row as it was and each team's latest counted assessment of each model
marked, as Assessment.mark_latest marks it: the last submitted, of those submitted at the
same moment the last created, never a voided one. The helpers and the sample data are
those of tests/test_migrations.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps.registry import Apps

from assessments.models import Assessment

from .test_migrations import (  # noqa: F401 (a fixture)
    SUBMITTED_AT,
    Sample,
    back_to_latest_afterwards,
    latest_migrations,
    migrate_to,
    sample_at,
)

BEFORE_LATEST = [("assessments", "0015_assessment_overall")]


def submit(apps: Apps, sample: Sample, team: str, days_later: int, *, voided: bool = False) -> int:
    """Another submitted assessment of `team`, `days_later` than the sample's; its pk."""
    at = SUBMITTED_AT + timedelta(days=days_later)
    assessment = apps.get_model("assessments", "Assessment").objects.create(
        team_id=sample.team_ids[team],
        model_id=sample.model_id,
        submitted_at=at,
        record={"schema": 2},
        voided_at=at + timedelta(hours=1) if voided else None,
        void_reason="Answered for the wrong team" if voided else "",
    )
    return int(assessment.pk)


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_the_latest_was_marked_migrates_forward_with_it_marked(
    back_to_latest_afterwards: None,  # noqa: F811
) -> None:
    old, sample = sample_at(BEFORE_LATEST)
    submit(old, sample, "payments", days_later=30)
    tied = submit(old, sample, "payments", days_later=30)  # the same moment, created after
    submit(old, sample, "payments", days_later=60, voided=True)  # counts for nothing
    mobile = submit(old, sample, "mobile", days_later=-10)
    before = list(old.get_model("assessments", "Assessment").objects.order_by("pk").values())

    migrate_to(latest_migrations())

    after = [dict(row) for row in Assessment.objects.order_by("pk").values()]
    assert {row["id"] for row in after if row.pop("is_latest")} == {tied, mobile}
    assert after == before  # every other value as it was
