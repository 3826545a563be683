"""A database made before assessments kept their overall score (assessments 0015)
migrates forward with the score of every submitted assessment filled from its frozen
results, as Assessment.submit now keeps it: the mean of the scored categories, none
when no category was scored, and none for a draft. The helpers and the sample data are
those of tests/test_migrations.py."""

from __future__ import annotations

import pytest
from django.apps.registry import Apps

from assessments import scoring
from assessments.models import Assessment

from .test_migrations import (  # noqa: F401 (a fixture)
    RESULTS,
    SUBMITTED_AT,
    Sample,
    back_to_latest_afterwards,
    latest_migrations,
    migrate_to,
    sample_at,
)

BEFORE_OVERALL = [("assessments", "0014_delivery_confirmed")]


def submit_with_results(apps: Apps, sample: Sample, scores: dict[str, float | None]) -> int:
    """Another submitted assessment of Payments with these scores by category slug (None:
    not scored); returns its pk."""
    Assessment = apps.get_model("assessments", "Assessment")
    Category = apps.get_model("maturity", "Category")
    assessment = Assessment.objects.create(
        team_id=sample.team_ids["payments"],
        model_id=sample.model_id,
        submitted_at=SUBMITTED_AT,
        record={"schema": 2},
    )
    for slug, score in scores.items():
        apps.get_model("assessments", "CategoryResult").objects.create(
            assessment=assessment,
            category=Category.objects.get(model_id=sample.model_id, slug=slug),
            level=None if score is None else int(score),
            score=score,
        )
    return int(assessment.pk)


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_the_overall_score_was_kept_migrates_forward_with_it(
    back_to_latest_afterwards: None,  # noqa: F811
) -> None:
    old, sample = sample_at(BEFORE_OVERALL)
    one_not_scored = submit_with_results(old, sample, {"build": 2.25, "test": None})
    none_scored = submit_with_results(old, sample, {"build": None, "test": None})

    migrate_to(latest_migrations())

    overall = dict(Assessment.objects.values_list("pk", "overall"))
    scores = [score for _, score in RESULTS.values()]
    assert overall[sample.submitted_id] == scoring.overall(scores) == (1.5 + 1.25) / 2
    assert overall[one_not_scored] == 2.25
    assert overall[none_scored] is None
    assert overall[sample.draft_id] is None
