"""Whether members agree (assessments/agreement.py): pure, no database."""

from __future__ import annotations

import pytest

from assessments.agreement import (
    NO_VOTES,
    Spread,
    Votes,
    agreed_notes,
    agreement,
    strongly_disputed,
    votes_by_practice,
)


@pytest.mark.parametrize(
    ("votes", "spread"),
    [
        (Votes(), Spread.NONE),
        (Votes(yes=1), Spread.NONE),  # one vote: nothing to agree on
        (Votes(na=1), Spread.NONE),
        (Votes(yes=2), Spread.AGREE),
        (Votes(no=3), Spread.AGREE),
        (Votes(na=2), Spread.AGREE),
        (Votes(yes=1, partly=1), Spread.DISAGREE),
        (Votes(partly=2, no=1), Spread.DISAGREE),
        (Votes(yes=3, partly=1), Spread.DISAGREE),
        (Votes(yes=1, no=1), Spread.STRONG),  # yes beside no
        (Votes(yes=4, partly=2, no=1), Spread.STRONG),
        (Votes(yes=1, na=1), Spread.STRONG),  # n/a beside an answer
        (Votes(partly=1, na=1), Spread.STRONG),
        (Votes(no=2, na=1), Spread.STRONG),
    ],
)
def test_spread(votes: Votes, spread: Spread) -> None:
    assert votes.spread is spread


def test_count_leaves_blank_answers_out() -> None:
    votes = Votes.count(["yes", "", "no", "yes", "na", ""])
    assert votes == Votes(yes=2, partly=0, no=1, na=1)
    assert votes.total == 4
    assert votes.as_dict() == {"yes": 2, "partly": 0, "no": 1, "na": 1}
    assert Votes.count(["", ""]) == NO_VOTES


def test_agreed_status_needs_two_votes_all_alike() -> None:
    assert Votes(yes=2).agreed_status == "yes"
    assert Votes(partly=3).agreed_status == "partly"
    assert Votes(na=2).agreed_status == "na"
    assert Votes(yes=1).agreed_status is None  # one vote is not an agreement
    assert Votes().agreed_status is None
    assert Votes(yes=2, partly=1).agreed_status is None
    assert Votes(yes=1, no=1).agreed_status is None


def test_agreement_is_the_share_of_practices_with_two_votes_that_agree() -> None:
    votes = [
        Votes(yes=2),  # agree
        Votes(no=3),  # agree
        Votes(yes=1, partly=1),  # disagree
        Votes(yes=1, no=1),  # disagree strongly
        Votes(yes=1),  # one vote: left out
        NO_VOTES,  # left out
    ]
    assert agreement(votes) == pytest.approx(0.5)
    assert agreement([Votes(yes=2), Votes(na=2)]) == 1.0
    assert agreement([Votes(yes=1, no=1)]) == 0.0


def test_agreement_is_none_when_no_practice_has_two_votes() -> None:
    assert agreement([]) is None
    assert agreement([NO_VOTES, Votes(yes=1), Votes(na=1)]) is None


def test_strongly_disputed_keeps_the_given_order_and_only_strong_ones() -> None:
    votes = {
        1: Votes(yes=1, no=1),
        2: Votes(yes=1, partly=1),  # only a disagreement
        3: Votes(partly=2, na=1),
        4: Votes(yes=2),
    }
    assert strongly_disputed([4, 3, 2, 1, 5], votes) == [3, 1]  # 5: nobody voted
    assert strongly_disputed([], votes) == []


def test_votes_by_practice_reads_database_counts_and_skips_blank() -> None:
    rows = [(7, "yes", 2), (7, "no", 1), (8, "", 3), (9, "na", 2)]
    assert votes_by_practice(rows) == {7: Votes(yes=2, no=1), 9: Votes(na=2)}


def test_agreed_notes_joins_distinct_notes_in_order_within_the_limit() -> None:
    notes = ["  Done in CI ", "", "Done in CI", "Except the legacy job", "   "]
    assert agreed_notes(notes, 1000) == "Done in CI\n\nExcept the legacy job"
    assert agreed_notes(notes, 8) == "Done in"  # cut, then tidied: no space at the end
    assert agreed_notes(notes, 11) == "Done in CI"  # not "Done in CI\n"
    assert agreed_notes(["", " "], 100) == ""
