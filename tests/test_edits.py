"""What one save writes, and what it must not (assessments/edits.py), directly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.edits import (
    BLANK,
    NA_NEEDS_NOTE,
    Conflict,
    Edit,
    Refusal,
    Sent,
    Stored,
    Whose,
    decide,
    resolve,
    tidy,
)

TEAM = Whose.TEAM


@pytest.mark.parametrize(
    ("sent", "stored", "expected"),
    [
        pytest.param(Sent(), "yes", ("yes", None), id="not-sent"),
        pytest.param(Sent("no", was="no"), "yes", ("yes", None), id="unchanged-by-user"),
        pytest.param(Sent("no", was="yes"), "yes", ("no", None), id="changed-by-user-only"),
        pytest.param(Sent("no", was="partly"), "no", ("no", None), id="both-made-it-the-same"),
        pytest.param(Sent("no", was="partly"), "yes", ("yes", "no"), id="both-changed-it"),
        pytest.param(Sent("no"), "yes", ("no", None), id="blind-write"),
        pytest.param(Sent("", was="yes"), "yes", ("", None), id="cleared"),
    ],
)
def test_resolve_writes_only_what_the_user_changed(
    sent: Sent, stored: str, expected: tuple[str, str | None]
) -> None:
    assert resolve(sent, stored) == expected


def test_a_conflict_keeps_theirs_and_still_writes_the_other_field() -> None:
    edit = Edit(1, TEAM, status=Sent("yes", was=""), note=Sent("mine", was=""))
    outcome = decide([edit], {(1, TEAM): Stored("no", "")})
    assert outcome.conflicts == [Conflict(1, TEAM, "status", "no", "yes")]
    assert outcome.writes == {(1, TEAM): Stored("no", "mine")}
    assert outcome.now == {(1, TEAM): Stored("no", "mine")}


def test_not_applicable_without_a_note_is_refused_and_nothing_of_it_written() -> None:
    outcome = decide([Edit(1, TEAM, status=Sent("na", was=""))], {})
    assert outcome.refusals == [Refusal(1, TEAM, NA_NEEDS_NOTE)]
    assert outcome.writes == {} and outcome.now == {(1, TEAM): BLANK}
    with_reason = Edit(1, TEAM, status=Sent("na", was=""), note=Sent("no UI", was=""))
    assert decide([with_reason], {}).writes == {(1, TEAM): Stored("na", "no UI")}


def test_team_and_own_answers_to_one_practice_are_apart() -> None:
    edits = [Edit(1, TEAM, status=Sent("yes")), Edit(1, Whose.MINE, status=Sent("no"))]
    outcome = decide(edits, {(1, TEAM): Stored("partly", "n")})
    assert outcome.writes == {(1, TEAM): Stored("yes", "n"), (1, Whose.MINE): Stored("no", "")}


statuses = st.sampled_from(["", "yes", "partly", "no"])


@given(stored=statuses, was=statuses, sent=statuses)
def test_nothing_is_lost(stored: str, was: str, sent: str) -> None:
    """Whatever the order of saves: the stored value changes only to what this user
    typed, only when the user changed it, and a value someone else saved is never
    overwritten without being reported."""
    outcome = decide([Edit(1, TEAM, status=Sent(sent, was=was))], {(1, TEAM): Stored(stored)})
    after = outcome.now[1, TEAM].status
    assert after in (stored, sent)
    if after != stored:
        assert sent != was and stored == was  # the user changed it, nobody else had
    if sent != was and stored not in (was, sent):
        assert outcome.conflicts == [Conflict(1, TEAM, "status", stored, sent)]
    else:
        assert outcome.conflicts == []


def test_notes_are_compared_tidied_so_a_note_is_never_in_conflict_with_itself() -> None:
    """A note stored with CRLF or a space at its end (by a form, a script or a cut) and
    shown tidied by the page: changing it is a write, not a conflict."""
    stored = {(1, TEAM): Stored("yes", "line one\r\nline two ")}
    edit = Edit(1, TEAM, note=Sent("line one\nline three", was="line one\nline two"))
    outcome = decide([edit], stored)
    assert outcome.conflicts == []
    assert outcome.writes == {(1, TEAM): Stored("yes", "line one\nline three")}
    unchanged = Edit(1, TEAM, note=Sent("line one\r\nline two", was="line one\nline two"))
    assert decide([unchanged], stored).writes == {}


notes = st.sampled_from(["", "a", "a ", "a\r\nb", "a\nb", " b"])


@given(stored=notes, was=notes, sent=notes)
def test_nothing_typed_in_a_note_is_lost(stored: str, was: str, sent: str) -> None:
    outcome = decide([Edit(1, TEAM, note=Sent(sent, was=was))], {(1, TEAM): Stored("yes", stored)})
    after = outcome.now[1, TEAM].note
    assert after in (tidy(stored), tidy(sent))
    if tidy(sent) != tidy(was) and tidy(stored) not in (tidy(was), tidy(sent)):
        assert outcome.conflicts == [Conflict(1, TEAM, "note", tidy(stored), tidy(sent))]
    else:
        assert outcome.conflicts == [] and after == (
            tidy(sent) if tidy(sent) != tidy(was) else tidy(stored)
        )
