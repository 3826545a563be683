"""What a team could add to its plan from a result: its next steps, practice by practice
with their keys, and which practices a record answers yes. Reads records only (plain
data): no query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.records import Record
from assessments.scoring import Status


@dataclass(frozen=True)
class StepPractice:
    key: str
    text: str


@dataclass(frozen=True)
class StepPractices:
    """A category's next step with the practices not yet in place at its next level."""

    slug: str
    name: str
    target_level: int
    target_name: str
    practices: list[StepPractice]


def next_step_practices(record: Record) -> list[StepPractices]:
    """The record's next steps (weakest category first), each with its practices at the
    next level that are not answered yes or not applicable, in the model's order;
    categories with none are left out."""
    by_category: dict[str, list[StepPractice]] = {}
    levels: dict[str, int] = {}
    steps = record.next_steps()
    for step in steps:
        levels[step.row.slug] = step.target_level
    for answer in record.data["answers"]:
        category = answer["category"]
        if levels.get(category) == answer["level"] and answer["status"] not in (
            Status.YES,
            Status.NOT_APPLICABLE,
        ):
            by_category.setdefault(category, []).append(StepPractice(answer["key"], answer["text"]))
    return [
        StepPractices(
            step.row.slug,
            step.row.name,
            step.target_level,
            step.target_name,
            by_category[step.row.slug],
        )
        for step in steps
        if by_category.get(step.row.slug)
    ]


def recorded_answer(record: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """The answer to practice `key` in a record (key, category, text, status...), if any."""
    return next((answer for answer in record["answers"] if answer["key"] == key), None)


def yes_keys(record: Mapping[str, Any] | None) -> frozenset[str]:
    """The keys of the practices a record answers yes."""
    if record is None:
        return frozenset()
    return frozenset(
        answer["key"] for answer in record["answers"] if answer["status"] == Status.YES
    )
