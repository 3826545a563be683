"""The questionnaire's practice rows, the members' vote counts and lists of practices,
written out in Python as an answer's fields are (answer_fields.py): a page has one to two
dozen rows, the review lists up to every practice, and through the template engine they
cost more than the rest of the page. The markup is what the templates wrote. Every value
that is not the code's own is escaped here, as it is written in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from maturity.tree import PracticeNode

from .agreement import Spread, Votes
from .forms import PracticeRow

# The votes as counts, never names, and how far apart they are (questionnaire.js writes
# the same when a save brings new counts).
VOTE_COUNTS = '<span class="vote-counts">Yes {} · Partly {} · No {} · N/a {}</span>'
SPREAD_MARKS = {
    Spread.NONE: "",
    Spread.AGREE: '<span class="badge text-bg-success">= All agree</span>',
    Spread.DISAGREE: '<span class="badge text-bg-warning">≠ Members disagree</span>',
    Spread.STRONG: '<span class="badge text-bg-danger">‼ Strong disagreement: talk about it</span>',
}

ROW = """<div class="practice{classes}" data-practice="{id}">
        {badges}<p class="fw-medium mb-1" id="practice-{id}">{text}</p>
        {help}{answers}
        <p class="save-state small mb-2" aria-live="polite"></p>
      </div>"""
NEW = '<span class="badge text-bg-info mb-1">New in this version: not carried over</span>'
UNCONFIRMED = '<span class="badge text-bg-warning mb-1">From {}, not yet confirmed</span>'
HELP = '<p class="form-text mt-0 mb-2">{}</p>'
MINE_AND_TEAM = """<div class="row g-3">
          <div class="col-lg-6 answer-mine">
            {mine}
          </div>
          <div class="col-lg-6 answer-team">
            <p class="votes small mb-1" data-votes="{id}" data-spread="{spread}">
              <span class="fw-medium">Members' votes:</span>
              {votes}
            </p>
            {team}
          </div>
        </div>"""


def vote_counts(votes: Votes) -> SafeString:
    """The votes on a practice as counts."""
    return mark_safe(VOTE_COUNTS.format(votes.yes, votes.partly, votes.no, votes.na))


def votes_with_spread(votes: Votes) -> SafeString:
    """The votes as counts, then a mark for how far apart they are."""
    mark = SPREAD_MARKS[votes.spread]
    return mark_safe(f'{vote_counts(votes)} <span class="spread-mark">{mark}</span>')


def practice_items(practices: Iterable[PracticeNode]) -> SafeString:
    """Each practice's text as a list item."""
    return mark_safe("".join(f"<li>{escape(practice.text)}</li>" for practice in practices))


def practice_rows(rows: Sequence[PracticeRow], shows_votes: bool, copied_from: str) -> SafeString:
    """A level's practices, each with its answer's fields: the member's own and the team's
    beside the votes when `shows_votes`, else the team's alone. An answer copied from
    the last assessment and not yet confirmed says it was copied from `copied_from`."""
    last = len(rows) - 1
    written = (_row(row, shows_votes, copied_from, n == last) for n, row in enumerate(rows))
    return mark_safe("\n      ".join(written))


def _row(row: PracticeRow, shows_votes: bool, copied_from: str, last: bool) -> str:
    practice = row.practice
    practice_id = int(practice.id)
    if shows_votes:
        answers = MINE_AND_TEAM.format(
            id=practice_id,
            spread=row.votes.spread.value,
            mine=row.mine.html(practice_id, "My answer", "My note"),
            votes=votes_with_spread(row.votes),
            team=row.team.html(practice_id, "Team answer (scored)", "Team note"),
        )
    else:
        answers = row.team.html(practice_id, "Answer", "Add a note", legend_hidden=True)
    return ROW.format(
        classes=("" if last else " border-bottom mb-3") + (" practice-new" if row.is_new else ""),
        id=practice_id,
        badges=(NEW if row.is_new else "")
        + (UNCONFIRMED.format(escape(copied_from)) if row.unconfirmed else ""),
        text=escape(practice.text),
        help=HELP.format(escape(practice.help)) if practice.help else "",
        answers=answers,
    )
