"""Demo and scale data: plausible answers (a team that scores about `target` in a
category has every level up to it in place and part of the next), submitted through
the same steps as a team's own, or written in bulk as those steps would leave them."""

from __future__ import annotations

import io
import json
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from maturity.checks import CheckRule, checks_of
from maturity.models import MaturityModel
from maturity.tree import CategoryNode, ModelTree
from teams.models import AnyUser, Team

from . import records, scoring
from .edits import Edit, Sent, Whose
from .models import Answer, AnswerState, Assessment, CategoryResult
from .scoring import Status

# A member's answer one step off the team's: how members disagree in the demo data.
OFF_BY_ONE: dict[str, list[str]] = {
    Status.YES: [Status.PARTLY],
    Status.PARTLY: [Status.YES, Status.NO],
    Status.NO: [Status.PARTLY],
}


def statuses_for(category: CategoryNode, target: float, chooser: random.Random) -> dict[int, str]:
    """Practice id -> status for one category, scoring close to `target`."""
    level = math.floor(target)
    share = target - level
    statuses: dict[int, str] = {}
    for cell in category.cells:
        done = round(share * len(cell.practices))
        for index, practice in enumerate(cell.practices):
            if cell.level <= level:
                status = Status.YES
            elif cell.level == level + 1:
                status = Status.YES if index < done else Status.NO
                if index == done and chooser.random() < 0.5:
                    status = Status.PARTLY
            else:
                status = Status.PARTLY if chooser.random() < 0.15 else Status.NO
            statuses[practice.id] = status
    return statuses


def answers_for(
    tree: ModelTree, targets: Sequence[float], chooser: random.Random
) -> dict[int, str]:
    """Practice id -> status for every practice of `tree`, scoring about `targets` (one per
    category)."""
    statuses: dict[int, str] = {}
    for category, target in zip(tree.categories, targets, strict=True):
        statuses.update(statuses_for(category, target, chooser))
    return statuses


def submit_dated(
    team: Team,
    model: MaturityModel,
    tree: ModelTree,
    user: AnyUser,
    targets: Sequence[float],
    when: datetime,
    chooser: random.Random,
    voters: Sequence[AnyUser] = (),
    delivery: Mapping[str, int] | None = None,
) -> Assessment:
    """An assessment started, answered to score about `targets` (one per category of
    `tree`) and submitted `when` as a team would (about a dozen queries, five more per
    voter). Each of `voters` first gives an own answer, now and then one off the team's."""
    assessment = Assessment.start(team, model, user, prefill_from=None)
    statuses = answers_for(tree, targets, chooser)
    for voter in voters:
        votes = [
            Edit(pk, Whose.MINE, status=Sent(chooser.choice(OFF_BY_ONE[status])))
            if chooser.random() < 0.1
            else Edit(pk, Whose.MINE, status=Sent(status))
            for pk, status in statuses.items()
        ]
        assessment.save_edits(voter, votes)
    assessment.save_answers([(practice_id, status, "") for practice_id, status in statuses.items()])
    if delivery:
        assessment.save_delivery(delivery)
    assessment.submit(user, at=when)
    Assessment.objects.filter(pk=assessment.pk).update(created_at=when - timedelta(days=3))
    return assessment


@dataclass(frozen=True)
class Submission:
    """An assessment for submit_in_bulk: the team, its answers and when it was submitted."""

    team: Team
    statuses: dict[int, str]  # practice id -> status, every practice of the tree
    submitted_at: datetime


def submit_in_bulk(
    model: MaturityModel, tree: ModelTree, batches: Iterable[Sequence[Submission]]
) -> None:
    """Write the submissions of `batches` as submit_dated leaves them with no voters and
    no delivery metrics, submitted by no one: the assessments with their records, team
    answers and results (Assessment.submit's, from records.score_and_record), each team's
    latest marked (as Assessment.mark_latest marks it), each row inserted once and in
    bulk: four queries a batch on PostgreSQL (more elsewhere, where the parameters of one
    are capped), and one per team for records.SECTIONS. Give each team's whole history
    in one batch, for teams with nothing submitted yet. A second
    thread makes a batch's rows (without a query) while this one writes the batch before,
    so that Python and the database work at once. Bulk writes skip save(): the caller
    advances the generation (maturity.generation)."""
    checks = checks_of(model.pk)
    with ThreadPoolExecutor(max_workers=1) as maker:
        inserts: list[Callable[[], object]] = []
        for batch in batches:
            making = maker.submit(
                _inserts,
                model,
                tree,
                checks,
                batch,
                reserve_ids(Assessment, len(batch)),
                {team.pk: records.sections_of(team.pk) for team in {each.team for each in batch}},
            )
            for insert in inserts:
                insert()
            inserts = making.result()
        for insert in inserts:
            insert()


def _inserts(
    model: MaturityModel,
    tree: ModelTree,
    checks: Sequence[CheckRule],
    submissions: Sequence[Submission],
    ids: Sequence[int],
    sections: Mapping[int, Mapping[str, object]],
) -> list[Callable[[], object]]:
    """The inserts of submit_in_bulk for `submissions`, with their `ids` and their teams'
    `sections` (team id -> records.SECTIONS' data), made ready (prepare_insert)."""
    answered = {status: AnswerState(status, "", True) for status in Status.values}
    earlier: dict[int, list[records.Earlier]] = {}
    latest: dict[int, tuple[datetime, int]] = {}  # team id -> its latest's time and id
    submitted = []
    results = []
    for assessment_id, each in zip(ids, submissions, strict=True):
        team = each.team
        submitted_before = [
            e for e in earlier.setdefault(team.pk, []) if e.submitted_at < each.submitted_at
        ]
        record, scored = records.score_and_record(
            tree,
            {pk: answered[status] for pk, status in each.statuses.items()},
            {},
            assessment_id=assessment_id,
            team=(team.slug, team.name),
            model=(model.slug, model.version, model.name),
            submitted_at=each.submitted_at,
            submitted_by=None,
            previous=max(submitted_before, key=lambda e: (e.submitted_at, e.id), default=None),
            delivery=None,
            checks=checks,
        )
        record.update(sections[team.pk])
        earlier[team.pk].append(
            records.Earlier(assessment_id, each.submitted_at, {r.slug: r.score for r in scored})
        )
        overall = scoring.overall(result.score for result in scored)
        this = (each.submitted_at, assessment_id)
        latest[team.pk] = max(latest.get(team.pk, this), this)
        created_at = each.submitted_at - timedelta(days=3)
        submitted.append((assessment_id, team.pk, created_at, each.submitted_at, record, overall))
        results += [(assessment_id, *row) for row in records.result_rows(tree, scored, record)]
    latest_ids = {assessment_id for _, assessment_id in latest.values()}
    return [
        prepare_insert(
            Assessment,
            ("id", "team_id", "created_at", "submitted_at", "record", "overall", "is_latest"),
            ((*row, row[0] in latest_ids) for row in submitted),
            model_id=model.pk,
            notes="",
            void_reason="",
        ),
        prepare_insert(
            Answer,
            ("assessment_id", "practice_id", "status"),
            (
                (assessment_id, practice_id, status)
                for assessment_id, each in zip(ids, submissions, strict=True)
                for practice_id, status in each.statuses.items()
            ),
            note="",
            confirmed=True,
            updated_at=timezone.now(),
        ),
        prepare_insert(CategoryResult, ("assessment_id", *records.ResultRow._fields), results),
    ]


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for new rows of `model` that no other insert takes: drawn from
    the table's sequence on PostgreSQL, from its AUTOINCREMENT counter on SQLite (where
    the caller's transaction holds the write lock from its start: settings.py)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        cursor.execute("SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        (last,) = cursor.fetchone()
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [table])
        cursor.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last + count]
        )
        return list(range(last + 1, last + count + 1))


# How COPY's text format writes the characters that would end a value, a row or an escape.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def prepare_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[object]],
    **shared: object,
) -> Callable[[], object]:
    """The insert of `rows`, each the values of `fields` (attribute names), with `shared`'s
    values in every row, into `model`'s table (every column without a database default
    needs a value), made ready without a query, so in any thread: call it to run it. On
    PostgreSQL through COPY, which takes the values as text (numbers, strings, booleans,
    aware datetimes, None, dicts and lists as JSON): at a million rows, bulk_create's
    model instances and SQL would take most of the time."""
    if connection.vendor != "postgresql":
        instances = [model(**dict(zip(fields, row, strict=True)), **shared) for row in rows]
        return partial(model._default_manager.bulk_create, instances)
    quote = connection.ops.quote_name
    columns = _fields_named(model, [*fields, *shared])
    names = ", ".join(quote(column.column) for column in columns)
    tail = "".join(f"\t{_copy_text(value)}" for value in shared.values()) + "\n"
    text = "".join("\t".join(map(_copy_text, row)) + tail for row in rows)
    return partial(_copy, f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN", text)


def _copy(sql: str, text: str) -> None:
    """Run `sql`, a COPY FROM STDIN, on `text`, read at once: each read takes the GIL,
    which another thread may hold."""
    with connection.cursor() as cursor:
        # The size by position: Django's debug cursor takes no keywords.
        cursor.copy_expert(sql, io.StringIO(text), len(text) + 1)


def _copy_text(value: object) -> str:
    """`value` as COPY's text format writes it."""
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    if isinstance(value, int):  # the commonest, after text
        return str(value)
    if value is None:
        return "\\N"
    if isinstance(value, dict | list):
        return json.dumps(value).translate(COPY_ESCAPES)
    return str(value)


@contextmanager
def foreign_keys_checked_at_end(*tables: type[models.Model]) -> Iterator[None]:
    """On PostgreSQL, drop the foreign keys of `tables` while the block inserts, and add
    them back at its end, which checks every row in one query per key instead of one per
    row (as PostgreSQL's "Populating a Database" advises). In a transaction, so no one
    sees a table without its keys: they wait for its locks (taken by the drop) instead."""
    if connection.vendor != "postgresql":
        yield
        return
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in tables]],
        )
        keys = cursor.fetchall()
        # Check what the transaction wrote before now: a table with checks pending can't
        # be altered.
        connection.check_constraints()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        yield
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


def _fields_named(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The fields of `model`'s table that `names` (attribute names) name, in that order."""
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    return [by_name[name] for name in names]
