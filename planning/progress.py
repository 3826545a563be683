"""The rules of a team's plan, on plain values: whether a target is on track, whether a
plan item is overdue, whether its practice is now in place. No models, no request."""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from typing import Protocol

OPEN = "open"  # a plan item's status while it is to do (PlanItem.Status.OPEN)


class Dated(Protocol):
    """A plan item as these rules read it."""

    @property
    def status(self) -> str: ...

    @property
    def due(self) -> date | None: ...


def reached(target_level: int, latest_level: int | None) -> bool:
    """Whether the latest result is at the target level or above it (None: no level yet)."""
    return latest_level is not None and latest_level >= target_level


def on_track(target_level: int, due: date, latest_level: int | None, today: date) -> bool:
    """A target is on track when it is reached, or else while its due date has not passed
    (due today is not passed)."""
    return reached(target_level, latest_level) or due >= today


def overdue(item: Dated, today: date) -> bool:
    """An open item whose due date has passed; done, dropped and undated items never are."""
    return item.status == OPEN and item.due is not None and item.due < today


def now_in_place(practice_key: str, latest_yes_keys: Container[str]) -> bool:
    """Whether the practice an item is about was answered yes (`latest_yes_keys`: the
    practices answered yes in the team's latest counted assessment submitted after the
    item was created). An item about no practice never is."""
    return bool(practice_key) and practice_key in latest_yes_keys
