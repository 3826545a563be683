"""Saving that cannot lose anything: what one save writes, and what it must not.

A questionnaire page sends, for each field it shows, the value as the user left it
and the value as the page was rendered ("was"). Only what the user changed is
written. A field that someone else changed since the page was rendered, and that the
user changed to something else, is a conflict: it keeps the stored value and is
reported with both, while everything else is saved. A client that sends no "was"
(a script) writes the value as it is.

Pure: plain values in, plain values out; `Assessment.save_edits` does the reading
and writing under a lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

from .scoring import Status


class Whose(Enum):
    TEAM = "team"  # the team's answer: the one that is scored
    MINE = "mine"  # the signed-in member's own answer


@dataclass(frozen=True)
class Sent:
    """One field as a page sent it: None when the page did not send it at all; `was`
    None when it was sent without the value it was rendered with."""

    value: str | None = None
    was: str | None = None


@dataclass(frozen=True)
class Edit:
    """An answer's two fields as one page sent them."""

    practice_id: int
    whose: Whose
    status: Sent = Sent()
    note: Sent = Sent()


@dataclass(frozen=True)
class Stored:
    status: str = ""
    note: str = ""


BLANK = Stored()


@dataclass(frozen=True)
class Conflict:
    """A field someone else changed meanwhile: kept as they left it, not as sent."""

    practice_id: int
    whose: Whose
    field: str  # "status" or "note"
    theirs: str
    yours: str


@dataclass(frozen=True)
class Refusal:
    practice_id: int
    whose: Whose
    message: str


NA_NEEDS_NOTE = "Not applicable needs a note saying why."


@dataclass(frozen=True)
class Outcome:
    """What one save decided: the answers to write, every sent answer as it stands
    after the save, the fields left as someone else set them, and the answers refused
    with the reason."""

    writes: Mapping[tuple[int, Whose], Stored]
    now: Mapping[tuple[int, Whose], Stored]
    conflicts: list[Conflict]
    refusals: list[Refusal]

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.refusals


def tidy(note: str) -> str:
    """A note as it is compared and kept: line breaks as a page's script sends them
    (browsers submit forms with CRLF), no space at either end. So a note is never in
    conflict with itself."""
    return note.replace("\r\n", "\n").replace("\r", "\n").strip()


def _tidy(sent: Sent) -> Sent:
    return Sent(
        None if sent.value is None else tidy(sent.value),
        None if sent.was is None else tidy(sent.was),
    )


def resolve(sent: Sent, stored: str) -> tuple[str, str | None]:
    """The field's value after this save, and the value sent when it conflicts."""
    if sent.value is None or sent.value == sent.was or sent.value == stored:
        return stored, None  # not sent, not changed by this user, or already so
    if sent.was is None or sent.was == stored:
        return sent.value, None
    return stored, sent.value  # changed by someone else meanwhile, and by this user


def decide(edits: Iterable[Edit], stored: Mapping[tuple[int, Whose], Stored]) -> Outcome:
    """Apply each edit to what is stored now (BLANK where nothing is); notes are
    compared and written tidied."""
    writes: dict[tuple[int, Whose], Stored] = {}
    now: dict[tuple[int, Whose], Stored] = {}
    conflicts: list[Conflict] = []
    refusals: list[Refusal] = []
    for edit in edits:
        key = (edit.practice_id, edit.whose)
        found = stored.get(key, BLANK)
        before = Stored(found.status, tidy(found.note))
        status, status_yours = resolve(edit.status, before.status)
        note, note_yours = resolve(_tidy(edit.note), before.note)
        for field, theirs, yours in (
            ("status", before.status, status_yours),
            ("note", before.note, note_yours),
        ):
            if yours is not None:
                conflicts.append(Conflict(edit.practice_id, edit.whose, field, theirs, yours))
        after = Stored(status, note)
        now[key] = before
        if after == before:
            continue
        if status == Status.NOT_APPLICABLE and not note:
            refusals.append(Refusal(edit.practice_id, edit.whose, NA_NEEDS_NOTE))
            continue
        writes[key] = now[key] = after
    return Outcome(writes, now, conflicts, refusals)
