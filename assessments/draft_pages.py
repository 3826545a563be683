"""A draft's questionnaire and review pages: their content, below the navigation,
rendered without the request.

As a GET shows it (nothing refused, nothing unsaved), the content follows from the rows
its one query reads of the draft (Assessment.rows_in, Assessment.review_rows), whose page
it is (the questionnaire shows the user's own answers), the script prefix, and what the
data generation covers (the model, the team and its members, the assessment). The
process keeps it under those: a page seen again unchanged is not built again, and any
save changes the rows. The process alone keeps it: the rows change with every save, and
writing each version to the shared cache would cost more than other processes' few reads
of it. Its CSRF token is rendered as a mark that each response replaces with its own
(maturity.markup.page_with).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from django.template.loader import render_to_string
from django.urls import get_script_prefix

from maturity import generation
from maturity.markup import CSRF_MARK, kept_content
from maturity.tree import CategoryNode, ModelTree
from teams.models import AnyUser

from .agreement import of_category
from .edits import Outcome
from .forms import CategoryAnswersForm, PageState, QuestionnairePage, stored_values
from .models import Assessment, PageRows, ReviewRows, answers_and_votes, answers_in

KEPT_SECONDS = 10 * 60


@dataclass(frozen=True)
class Unsaved:
    """What a POST could not save: a form `refused` whole, with its errors; or what a
    save's `outcome` could not write, showing the values `kept` as sent."""

    refused: CategoryAnswersForm | None = None
    outcome: Outcome | None = None
    kept: Mapping[str, str] = field(default_factory=dict)


def questionnaire_content(
    user: AnyUser,
    assessment: Assessment,
    tree: ModelTree,
    node: CategoryNode,
    unsaved: Unsaved | None = None,
) -> bytes:
    """The category's page for the user, with the stored answers or with what was
    `unsaved`, as maturity.markup.page_with() takes it."""
    rows = assessment.rows_in(node)
    if unsaved is None:
        key = (assessment.pk, node.slug, user.pk, rows, get_script_prefix())
        return generation.kept_in_process(
            "questionnaire-page",
            key,
            lambda: _questionnaire(assessment, tree, node, rows, user, Unsaved()),
            KEPT_SECONDS,
        )
    return _questionnaire(assessment, tree, node, rows, user, unsaved)


def _questionnaire(
    assessment: Assessment,
    tree: ModelTree,
    node: CategoryNode,
    rows: PageRows,
    user: AnyUser,
    unsaved: Unsaved,
) -> bytes:
    answers, votes, mine = answers_in(rows, node, user)
    outcome = unsaved.outcome
    state = PageState(
        votes=votes,
        unconfirmed={pk for pk, answer in answers.items() if not answer.confirmed},
        new=assessment.new_since_prefill(node.practices),
        conflicts=outcome.conflicts if outcome else (),
        refusals=outcome.refusals if outcome else (),
        kept=unsaved.kept,
    )
    level_names = {level.value: level.name for level in tree.levels}
    page = (
        QuestionnairePage(node, level_names, stored_values(node, answers, mine, state), state)
        if unsaved.refused is None
        else unsaved.refused.as_sent(level_names, state)
    )
    before, after = tree.neighbours(node.slug)
    ctx = {
        "assessment": assessment,
        "tree": tree,
        "category": node,
        "page": page,
        "progress": assessment.progress(tree, answers),
        "prefilled_on": assessment.prefilled_on,
        "before": before,
        "after": after,
        "shows_votes": assessment.team_size > 1,
        "csrf_token": CSRF_MARK,
    }
    return kept_content(render_to_string("assessments/edit_content.html", ctx))


class ReviewStep(Enum):
    """Where a POST to the review stands: submitting asked for (confirmation follows if
    every statement is answered), or refused as incomplete."""

    ASKED = "asked"
    INCOMPLETE = "incomplete"


def review_content(assessment: Assessment, step: ReviewStep | None = None) -> tuple[bytes, bool]:
    """The review (for a GET, or a POST at `step`) as maturity.markup.page_with() takes
    it, and whether it refuses to submit."""
    rows = assessment.review_rows()
    if step is None:
        key = (assessment.pk, rows, get_script_prefix())
        content = generation.kept_in_process(
            "review-page", key, lambda: _review(assessment, rows, step)[0], KEPT_SECONDS
        )
        return content, False
    return _review(assessment, rows, step)


def _review(
    assessment: Assessment, rows: ReviewRows, step: ReviewStep | None
) -> tuple[bytes, bool]:
    answers, votes = answers_and_votes(rows)  # votes as counts: never who voted what
    answered = assessment.progress(assessment.tree(), answers)
    refused = step is ReviewStep.INCOMPLETE or (step is ReviewStep.ASKED and not answered.complete)
    ctx = {
        "assessment": assessment,
        "progress": answered,
        "categories": [(row, of_category(row.category.practices, votes)) for row in answered.rows],
        "voted": bool(votes),
        "prefilled_on": assessment.prefilled_on,
        "refused": refused,
        "confirming": step is ReviewStep.ASKED and answered.complete,
        "csrf_token": CSRF_MARK,
    }
    return kept_content(render_to_string("assessments/review_content.html", ctx)), refused
