"""The plan's pure rules (planning/progress.py): on track, overdue, now in place."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planning.progress import OPEN, now_in_place, on_track, overdue, reached

TODAY = date(2027, 3, 15)
YESTERDAY, TOMORROW = TODAY - timedelta(days=1), TODAY + timedelta(days=1)


@pytest.mark.parametrize(
    ("target", "due", "latest", "expected"),
    [
        (2, TOMORROW, 1, True),  # not reached, still time
        (2, TODAY, 1, True),  # due today has not passed
        (2, YESTERDAY, 1, False),  # not reached and the date passed
        (2, YESTERDAY, 2, True),  # reached: on track whatever the date
        (2, YESTERDAY, 3, True),  # above it
        (0, YESTERDAY, -1, False),
        (1, YESTERDAY, None, False),  # no level yet (never assessed, or not scored)
        (1, TOMORROW, None, True),
    ],
)
def test_on_track_when_reached_or_the_due_date_has_not_passed(
    target: int, due: date, latest: int | None, expected: bool
) -> None:
    assert on_track(target, due, latest, TODAY) is expected


@given(
    target=st.integers(-1, 3),
    latest=st.one_of(st.none(), st.integers(-1, 3)),
    days=st.integers(-400, 400),
)
def test_a_reached_target_is_always_on_track_and_an_unreached_one_only_until_due(
    target: int, latest: int | None, days: int
) -> None:
    due = TODAY + timedelta(days=days)
    if reached(target, latest):
        assert on_track(target, due, latest, TODAY)
    else:
        assert on_track(target, due, latest, TODAY) is (days >= 0)


def test_reached_needs_a_level() -> None:
    assert reached(1, 1) and reached(1, 2)
    assert not reached(1, 0) and not reached(1, None)


@dataclass
class Item:
    status: str
    due: date | None


@pytest.mark.parametrize(
    ("status", "due", "expected"),
    [
        (OPEN, YESTERDAY, True),
        (OPEN, TODAY, False),  # due today: not yet overdue
        (OPEN, TOMORROW, False),
        (OPEN, None, False),  # no due date, never overdue
        ("done", YESTERDAY, False),
        ("dropped", YESTERDAY, False),
    ],
)
def test_only_open_items_past_their_due_date_are_overdue(
    status: str, due: date | None, expected: bool
) -> None:
    assert overdue(Item(status, due), TODAY) is expected


@pytest.mark.parametrize(
    ("key", "yes", "expected"),
    [
        ("build.1.team-notified", {"build.1.team-notified", "build.0.x"}, True),
        ("build.1.team-notified", {"build.0.x"}, False),
        ("build.1.team-notified", set(), False),
        ("", {""}, False),  # an item about no practice is never in place
        ("", set(), False),
    ],
)
def test_now_in_place_when_the_practice_was_answered_yes(
    key: str, yes: set[str], expected: bool
) -> None:
    assert now_in_place(key, frozenset(yes)) is expected
