"""seed_scale: many teams, each assessment written in bulk as its submission would leave it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from assessments.demo import foreign_keys_checked_at_end, prepare_insert, reserve_ids
from assessments.models import Answer, Assessment, CategoryResult
from maturity.tree import load_tree
from teams.models import Team

from .conftest import run_command

pytestmark = pytest.mark.django_db


def frozen(assessment: Assessment) -> tuple[Any, ...]:
    """What submitting writes: the row's submission, record, overall score and whether it
    is its team's latest, and the results."""
    row = Assessment.objects.get(pk=assessment.pk)
    results = row.results.values_list("category_id", "level", "score", "agreement")
    submitted = (row.submitted_at, row.submitted_by_id, row.record, row.overall, row.is_latest)
    return *submitted, sorted(results)


def test_a_seeded_history_is_what_submitting_its_answers_writes() -> None:
    run_command("seed_scale", "--teams", "2", "--assessments", "3")
    history = list(Assessment.objects.filter(team__slug="scale-0001").order_by("submitted_at"))
    records = [assessment.record or {} for assessment in history]
    previous = [record["previous"] and record["previous"]["id"] for record in records]
    assert previous == [None, history[0].pk, history[1].pk]
    practices = len(load_tree(history[0].model_id).practices)
    for seeded in history:  # oldest first: each submission compares with the one before
        assert seeded.submitted_at and seeded.created_at == seeded.submitted_at - timedelta(days=3)
        answers = seeded.answers.values_list("note", "confirmed", "updated_by")
        assert answers.count() == practices and set(answers) == {("", True, None)}
        seeded_as = frozen(seeded)
        back_to_draft = {"submitted_at": None, "record": None, "overall": None, "is_latest": False}
        Assessment.objects.filter(pk=seeded.pk).update(**back_to_draft)
        seeded.results.all().delete()
        Assessment.objects.get(pk=seeded.pk).submit(at=seeded.submitted_at)
        assert frozen(seeded) == seeded_as


def test_replace_removes_the_scale_teams_and_seeds_them_anew(submitted: Assessment) -> None:
    run_command("seed_scale", "--teams", "3", "--assessments", "2")
    earlier = list(Assessment.objects.filter(team__slug__startswith="scale-"))
    output = run_command("seed_scale", "--teams", "2", "--assessments", "1", "--replace")
    assert "Created 2 teams and 2 submitted assessments in" in output
    teams = Team.objects.filter(slug__startswith="scale-")
    assert set(teams.values_list("slug", flat=True)) == {"scale-0000", "scale-0001"}
    seeded = Assessment.objects.filter(team__in=teams)
    assert seeded.count() == 2 and not seeded.filter(pk__in=[a.pk for a in earlier]).exists()
    assert not Answer.objects.filter(assessment__in=earlier).exists()
    assert Assessment.objects.filter(pk=submitted.pk).exists()  # other teams keep theirs


def test_rows_written_in_bulk_keep_text_that_copy_would_read_as_markup(draft: Assessment) -> None:
    awkward = "a\ttab, a\nnewline, a\rreturn, a back\\slash, \\N and \\t"
    practice = load_tree(draft.model_id).practices[0]
    when = datetime(2026, 11, 26, 10, 0, 0, 500, tzinfo=timezone.utc)
    prepare_insert(
        Answer,
        ("assessment_id", "practice_id", "status", "note"),
        [(draft.pk, practice.id, "na", awkward)],
        confirmed=False,
        updated_at=when,
        updated_by_id=None,
    )()
    answer = Answer.objects.get(assessment=draft, practice_id=practice.id)
    assert (answer.status, answer.note, answer.confirmed) == ("na", awkward, False)
    assert answer.updated_at == when and answer.updated_by_id is None


def test_rows_written_in_bulk_take_json_and_the_ids_reserved_for_them(draft: Assessment) -> None:
    record = {"text": 'a\ttab, a "quote", a back\\slash, \\N and é', "levels": [-1, 0.5, None]}
    first, second = reserve_ids(Assessment, 2)
    prepare_insert(
        Assessment,
        ("id", "team_id", "record"),
        [(first, draft.team_id, record)],
        model_id=draft.model_id,
        created_at=draft.created_at,
        notes="",
        void_reason="",
    )()
    assert Assessment.objects.get(pk=first).record == record
    later = Assessment.objects.create(team=draft.team, model=draft.model)
    assert first < second < later.pk


def foreign_keys() -> set[tuple[str, str]]:
    """The names and definitions of the answers and results tables' foreign keys."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [[Answer._meta.db_table, CategoryResult._meta.db_table]],
        )
        return set(cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL drops the keys")
def test_foreign_keys_dropped_for_a_bulk_insert_come_back_and_check_every_row(
    draft: Assessment,
) -> None:
    before = foreign_keys()
    assert len(before) == 5  # answers: assessment, practice, user; results: assessment, category
    with foreign_keys_checked_at_end(Answer, CategoryResult):
        assert not foreign_keys()
        Answer.objects.create(
            assessment=draft, practice_id=load_tree(draft.model_id).practices[0].id
        )
    assert foreign_keys() == before
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        foreign_keys_checked_at_end(Answer, CategoryResult),
    ):
        Answer.objects.create(assessment_id=draft.pk + 1000, practice=draft.answers.get().practice)
