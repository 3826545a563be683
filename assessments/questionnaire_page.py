"""A category's questionnaire page: its content, below the navigation, rendered without
the request.

As a GET shows it (nothing refused, nothing unsaved), the content follows from the
draft's rows (Assessment.rows_in: every answer, and the members' own in the category),
whose page it is, the script prefix, and what the data generation covers (the model, the
team and its members, the assessment). The process keeps it under those: a page seen
again unchanged is not built again, and any save changes the rows. The process alone
keeps it: the rows change with every save, and writing each version to the shared cache
would cost more than other processes' few reads of it. Its CSRF token is rendered as a
mark that each response replaces with its own (maturity.markup).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString

from maturity import generation
from maturity.markup import CSRF_MARK, safe, with_csrf_token
from maturity.tree import CategoryNode, ModelTree
from teams.models import AnyUser

from .edits import Outcome
from .forms import CategoryAnswersForm, PageState, QuestionnairePage, stored_values
from .models import Assessment, PageRows, answers_in

KEPT_SECONDS = 10 * 60


@dataclass(frozen=True)
class Unsaved:
    """What a POST could not save: a form `refused` whole, with its errors; or what a
    save's `outcome` could not write, showing the values `kept` as sent."""

    refused: CategoryAnswersForm | None = None
    outcome: Outcome | None = None
    kept: Mapping[str, str] = field(default_factory=dict)


def questionnaire_content(
    request: HttpRequest,
    assessment: Assessment,
    tree: ModelTree,
    node: CategoryNode,
    unsaved: Unsaved | None = None,
) -> SafeString:
    """The category's page for the request's user, with the stored answers or with what
    was `unsaved`, and the request's CSRF token in its form."""
    rows = assessment.rows_in(node)
    user = request.user
    if unsaved is None:
        key = (assessment.pk, node.slug, user.pk, rows, get_script_prefix())
        content = generation.kept_in_process(
            "questionnaire-page",
            key,
            lambda: _content(assessment, tree, node, rows, user, Unsaved()),
            KEPT_SECONDS,
        )
    else:
        content = _content(assessment, tree, node, rows, user, unsaved)
    return with_csrf_token(request, content)


def _content(
    assessment: Assessment,
    tree: ModelTree,
    node: CategoryNode,
    rows: PageRows,
    user: AnyUser,
    unsaved: Unsaved,
) -> SafeString:
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
    return safe(render_to_string("assessments/edit_content.html", ctx))
