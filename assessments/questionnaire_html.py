"""The questionnaire's body written out in Python as an answer's fields are
(answer_fields.py): its progress links, its level sections with their practice rows, the
members' vote counts and lists of practices. A page has one to two dozen rows, the review
lists up to every practice, and through the template engine they cost more than the rest
of the page. The markup is what the templates wrote. Every value that is not the code's
own is escaped here, as it is written in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.safestring import SafeString

from maturity.links import object_url, object_urls
from maturity.markup import escaped, safe
from maturity.tree import PracticeNode

from .agreement import CategoryAgreement, Spread, Votes
from .display import agreement_text, level_badge
from .forms import LevelSection, PracticeRow
from .questionnaire import CategoryProgress, Progress

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


PROGRESS = """<nav aria-label="Questionnaire progress" class="progress-nav mb-4 d-print-none">
  <ol class="list-unstyled d-flex flex-wrap gap-2 mb-1">
    {categories}
    <li><a class="btn btn-sm {outcomes_style}" href="{outcomes}"{outcomes_current}>
      Delivery outcomes <span class="ms-1 small">(optional)</span></a></li>
    <li><a class="btn btn-sm btn-outline-dark" href="{review}">Review and submit</a></li>
  </ol>
  <p class="small text-body-secondary mb-0">{answered} of {total} statements answered.</p>
</nav>"""
PROGRESS_CATEGORY = """<li>
      <a class="btn btn-sm {style}" href="{href}"{current}>
        {name}
        <span class="ms-1 small">{done}{answered}/{total}</span>
      </a>
    </li>"""
CURRENT = ' aria-current="page"'
OUTCOMES = "outcomes"  # progress_nav's `current` on the delivery outcomes page

SECTION = """<section class="card mb-4 level-section" aria-labelledby="level-{level}">
    <div class="card-header">
      <h2 class="h5 mb-1" id="level-{level}">{badge}</h2>
      <p class="mb-0 small">{summary}</p>
    </div>
    <div class="card-body">
      {rows}
    </div>
  </section>"""


def progress_nav(progress: Progress, assessment_id: int, current: str) -> SafeString:
    """The questionnaire's pages with how much of each is answered, each a link; the one
    whose category slug is `current` (OUTCOMES: the delivery outcomes') marked current."""
    edit = object_urls("assessment_edit", [(assessment_id, r.category.slug) for r in progress.rows])
    categories = "\n    ".join(
        _progress_link(row, href, row.category.slug == current)
        for row, href in zip(progress.rows, edit, strict=True)
    )
    on_outcomes = current == OUTCOMES
    return safe(
        PROGRESS.format(
            categories=categories,
            outcomes_style="btn-primary" if on_outcomes else "btn-outline-secondary",
            outcomes=object_url("assessment_outcomes", assessment_id),
            outcomes_current=CURRENT if on_outcomes else "",
            review=object_url("assessment_review", assessment_id),
            answered=progress.answered,
            total=progress.total,
        )
    )


def _progress_link(row: CategoryProgress, href: str, is_current: bool) -> str:
    category = row.category
    style = (
        "btn-primary"
        if is_current
        else "btn-outline-success"
        if row.done
        else "btn-outline-secondary"
    )
    return PROGRESS_CATEGORY.format(
        style=style,
        href=escaped(href),
        current=CURRENT if is_current else "",
        name=escaped(category.name),
        done="✓ " if row.done else "",
        answered=row.answered,
        total=row.total,
    )


def level_sections(
    sections: Sequence[LevelSection], levels: Sequence[int], shows_votes: bool, copied_from: str
) -> SafeString:
    """A category's levels, each a card: its badge (coloured among the model's `levels`),
    its summary and its practice rows (practice_rows)."""
    return safe(
        "\n\n  ".join(
            SECTION.format(
                level=int(section.cell.level),
                badge=level_badge(section.cell.level, section.level_name, levels),
                summary=escaped(section.cell.summary),
                rows=practice_rows(section.rows, shows_votes, copied_from),
            )
            for section in sections
        )
    )


REVIEW_CATEGORY = """<div class="list-group-item review-category" id="review-{slug}">
    <div class="d-flex justify-content-between align-items-center flex-wrap gap-2">
      <a class="fw-semibold" href="{edit}">{name}</a>
      <span class="d-flex flex-wrap gap-2">
      {agreement}{answered}
      </span>
    </div>{disputed}{unconfirmed}{missing}
  </div>"""
AGREEMENT = (
    '<span class="badge text-bg-light border agreement" aria-describedby="agreement-help">'
    "Agreement {}</span>\n      "
)
COMPLETE = '<span class="badge text-bg-success">✓ complete, {total} answered</span>'
INCOMPLETE = '<span class="badge text-bg-warning">{missing} of {total} unanswered</span>'
DISPUTED = """
    <div class="small mt-2 disputed">
      <h2 class="h6 mb-1">Talk about these<span class="visually-hidden"> ({name})</span></h2>
      <p class="text-body-secondary mb-1">Members' own answers differ strongly:
        yes beside no, or not applicable beside an answer.</p>
      <ul class="mb-1 disputed-list">
        {items}
      </ul>
      <a href="{edit}">Set the team answers after you talk</a>
    </div>"""
DISPUTED_ITEM = '<li>{} <span class="text-body-secondary text-nowrap">({})</span></li>'
UNCONFIRMED_LIST = """
    <details class="small mt-2">
      <summary>
        <span class="badge text-bg-warning">{count} from {copied_from}, not yet confirmed</span>
      </summary>
      <ul class="mb-0 mt-1 unconfirmed-list">
        {items}
      </ul>
      <a href="{edit}">Check and confirm them</a>
    </details>"""
MISSING_LIST = """
    <ul class="small mt-2 mb-0 missing-list">
      {items}
    </ul>"""


def review_categories(
    categories: Sequence[tuple[CategoryProgress, CategoryAgreement]],
    assessment_id: int,
    copied_from: str,
) -> SafeString:
    """The review's categories, each with a link to its page, its agreement, how much is
    answered, what members dispute, what was copied from `copied_from` and is not yet
    confirmed, and what is missing."""
    edit = object_urls("assessment_edit", [(assessment_id, r.category.slug) for r, _ in categories])
    return safe(
        "\n  ".join(
            _review_category(row, agreed, href, copied_from)
            for (row, agreed), href in zip(categories, edit, strict=True)
        )
    )


def _review_category(
    row: CategoryProgress, agreed: CategoryAgreement, edit_url: str, copied_from: str
) -> str:
    category = row.category
    edit = escaped(edit_url)
    name = escaped(category.name)
    answered = (
        COMPLETE.format(total=row.total)
        if row.done
        else INCOMPLETE.format(missing=len(row.missing), total=row.total)
    )
    disputed = ""
    if agreed.disputed:
        items = "".join(
            DISPUTED_ITEM.format(escaped(practice.text), vote_counts(votes))
            for practice, votes in agreed.disputed
        )
        disputed = DISPUTED.format(name=name, items=items, edit=edit)
    unconfirmed = ""
    if row.unconfirmed:
        unconfirmed = UNCONFIRMED_LIST.format(
            count=len(row.unconfirmed),
            copied_from=escaped(copied_from),
            items=practice_items(row.unconfirmed),
            edit=edit,
        )
    return REVIEW_CATEGORY.format(
        slug=escaped(category.slug),
        edit=edit,
        name=name,
        agreement="" if agreed.share is None else AGREEMENT.format(agreement_text(agreed.share)),
        answered=answered,
        disputed=disputed,
        unconfirmed=unconfirmed,
        missing=MISSING_LIST.format(items=practice_items(row.missing)) if row.missing else "",
    )


def vote_counts(votes: Votes) -> SafeString:
    """The votes on a practice as counts."""
    return safe(VOTE_COUNTS.format(votes.yes, votes.partly, votes.no, votes.na))


def votes_with_spread(votes: Votes) -> SafeString:
    """The votes as counts, then a mark for how far apart they are."""
    mark = SPREAD_MARKS[votes.spread]
    return safe(f'{vote_counts(votes)} <span class="spread-mark">{mark}</span>')


def practice_items(practices: Iterable[PracticeNode]) -> SafeString:
    """Each practice's text as a list item."""
    return safe("".join(f"<li>{escaped(practice.text)}</li>" for practice in practices))


def practice_rows(rows: Sequence[PracticeRow], shows_votes: bool, copied_from: str) -> SafeString:
    """A level's practices, each with its answer's fields: the member's own and the team's
    beside the votes when `shows_votes`, else the team's alone. An answer copied from
    the last assessment and not yet confirmed says it was copied from `copied_from`."""
    last = len(rows) - 1
    written = (_row(row, shows_votes, copied_from, n == last) for n, row in enumerate(rows))
    return safe("\n      ".join(written))


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
        + (UNCONFIRMED.format(escaped(copied_from)) if row.unconfirmed else ""),
        text=escaped(practice.text),
        help=HELP.format(escaped(practice.help)) if practice.help else "",
        answers=answers,
    )
