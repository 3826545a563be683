"""Whether a team's members agree, from their own answers (DESIGN.md, "Agreement").

Pure: vote counts in, plain values out. Pages show counts, never who voted what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from maturity.tree import PracticeNode

from .scoring import Status

ANSWERED = (Status.YES, Status.PARTLY, Status.NO)


class Spread(Enum):
    """How far apart the votes on one practice are."""

    NONE = "none"  # fewer than two votes: nothing to agree on
    AGREE = "agree"
    DISAGREE = "disagree"
    STRONG = "strong"  # yes beside no, or n/a beside an answer


@dataclass(frozen=True)
class Votes:
    """The members' answers to one practice, counted (blank answers are no vote)."""

    yes: int = 0
    partly: int = 0
    no: int = 0
    na: int = 0

    @classmethod
    def count(cls, statuses: Iterable[str]) -> Votes:
        given = [status for status in statuses if status]
        return cls(*(given.count(status) for status in Status.values))

    def as_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "partly": self.partly, "no": self.no, "na": self.na}

    @property
    def total(self) -> int:
        return self.yes + self.partly + self.no + self.na

    @property
    def spread(self) -> Spread:
        if self.total < 2:
            return Spread.NONE
        counts = self.as_dict()
        given = {status for status, n in counts.items() if n}
        if len(given) == 1:
            return Spread.AGREE
        answered = given & set(ANSWERED)
        if {Status.YES, Status.NO} <= given or (Status.NOT_APPLICABLE in given and answered):
            return Spread.STRONG
        return Spread.DISAGREE

    @property
    def agreed_status(self) -> str | None:
        """The status every member voted, when two or more voted and all alike."""
        if self.spread is not Spread.AGREE:
            return None
        return next(status for status, n in self.as_dict().items() if n)


NO_VOTES = Votes()


def agreement(votes: Iterable[Votes]) -> float | None:
    """The share of practices with two or more votes on which the members agree; None
    when no practice has two votes."""
    spreads = [spread for spread in (each.spread for each in votes) if spread is not Spread.NONE]
    if not spreads:
        return None
    return spreads.count(Spread.AGREE) / len(spreads)


def votes_by_practice(rows: Iterable[Sequence[Any]]) -> dict[int, Votes]:
    """(practice id, status, how many members) rows, as counted by the database, to the
    votes per practice."""
    counts: dict[int, dict[str, int]] = {}
    for practice_id, status, n in rows:
        if status:
            counts.setdefault(practice_id, {})[status] = n
    return {practice_id: Votes(**given) for practice_id, given in counts.items()}


def agreed_notes(notes: Iterable[str], limit: int) -> str:
    """The members' distinct notes, in the order given, as one team note of at most
    `limit` characters."""
    distinct = list(dict.fromkeys(note.strip() for note in notes if note.strip()))
    return "\n\n".join(distinct)[:limit].strip()


def strongly_disputed(practice_ids: Iterable[int], votes: Mapping[int, Votes]) -> list[int]:
    """The practices, in the order given, on which members disagree strongly."""
    return [pk for pk in practice_ids if votes.get(pk, NO_VOTES).spread is Spread.STRONG]


@dataclass(frozen=True)
class CategoryAgreement:
    """A category's agreement, and its practices to talk about, with their votes."""

    share: float | None
    disputed: list[tuple[PracticeNode, Votes]]


def of_category(practices: Sequence[PracticeNode], votes: Mapping[int, Votes]) -> CategoryAgreement:
    """The agreement over a category's practices, and those disagreed on strongly."""
    share = agreement(votes.get(practice.id, NO_VOTES) for practice in practices)
    by_id = {practice.id: practice for practice in practices}
    disputed = strongly_disputed(by_id, votes)
    return CategoryAgreement(share, [(by_id[pk], votes[pk]) for pk in disputed])
