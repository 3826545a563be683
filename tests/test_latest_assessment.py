"""Each team's latest counted assessment of each model is marked (Assessment.is_latest),
which the dashboard reads instead of ranking every assessment: a submission and a void
move the mark, and the database refuses any second mark or a mark on what does not
count. (Two at once on PostgreSQL: tests/test_concurrency.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment
from maturity.loader import clone_model
from maturity.models import MaturityModel
from teams.models import Team

from .conftest import answer_all, up_to


def submit(team: Team, model: MaturityModel, user: User, days_ago: int) -> Assessment:
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, up_to(1))
    assessment.submit(user, at=timezone.now() - timedelta(days=days_ago))
    return assessment


def marked() -> set[int]:
    return set(Assessment.objects.filter(is_latest=True).values_list("pk", flat=True))


def ranked_latest() -> set[int]:
    """Each team's latest counted assessment of each model, found by ranking them all."""
    latest: dict[tuple[int, int], tuple[object, int]] = {}
    for team, model, submitted_at, pk in Assessment.objects.submitted().values_list(
        "team_id", "model_id", "submitted_at", "pk"
    ):
        latest[team, model] = max(latest.get((team, model), (submitted_at, pk)), (submitted_at, pk))
    return {pk for _, pk in latest.values()}


@pytest.mark.django_db
def test_submissions_and_voids_move_the_mark_to_the_latest_that_counts(
    cd_model: MaturityModel, payments: Team, mobile: Team, member: User
) -> None:
    first = submit(payments, cd_model, member, days_ago=30)
    assert marked() == {first.pk}
    second = submit(payments, cd_model, member, days_ago=10)
    assert marked() == {second.pk}
    backdated = submit(payments, cd_model, member, days_ago=60)  # submitted as of earlier
    assert marked() == {second.pk}
    elsewhere = submit(mobile, cd_model, member, days_ago=90)  # another team: its own mark
    assert marked() == {second.pk, elsewhere.pk}
    second.void(member, "Answered for the wrong team")
    assert marked() == {first.pk, elsewhere.pk}
    first.void(member, "Answered for the wrong team")
    assert marked() == {backdated.pk, elsewhere.pk} == ranked_latest()
    backdated.void(member, "Answered for the wrong team")
    assert marked() == {elsewhere.pk}


@pytest.mark.django_db
def test_each_model_has_its_own_latest(
    cd_model: MaturityModel, payments: Team, member: User
) -> None:
    other_model = clone_model(cd_model, "9")
    on_other = submit(payments, other_model, member, days_ago=5)
    on_newer = submit(payments, cd_model, member, days_ago=20)
    assert marked() == {on_other.pk, on_newer.pk} == ranked_latest()


@pytest.mark.django_db
def test_the_database_refuses_a_second_mark_and_a_mark_on_what_does_not_count(
    cd_model: MaturityModel, payments: Team, member: User
) -> None:
    earlier = submit(payments, cd_model, member, days_ago=30)
    latest = submit(payments, cd_model, member, days_ago=10)
    draft = Assessment.start(payments, cd_model, member, prefill_from=None)
    for pk in (earlier.pk, draft.pk):  # a second mark; a draft marked
        with pytest.raises(IntegrityError), transaction.atomic():
            Assessment.objects.filter(pk=pk).update(is_latest=True)
    with pytest.raises(IntegrityError), transaction.atomic():  # voided, still marked
        Assessment.objects.filter(pk=latest.pk).update(voided_at=timezone.now(), void_reason="x")
    assert marked() == {latest.pk}
