"""The team page's and the plan page's content, below the navigation, rendered without
the request.

As a GET shows it (the plan's forms unbound, nothing refused) each is the same for every
member of the team on a given day, and for every manager who reads it: it is kept under
the data generation, which every write of what it shows moves on (planning/board.py,
assessments/reports.py). Building and writing the plan's forms cost more than the rest of
its page. The one thing of the request's in either, the CSRF token of its forms, is
rendered as a mark that each response replaces with a token of its own
(maturity.markup.page_with).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString

from assessments.history import History
from assessments.reports import shown_history
from maturity import generation
from maturity.markup import CSRF_MARK, kept_content
from teams.models import Team

from .board import KEPT_SECONDS, Board, plan_board, team_board, team_members
from .forms import PlanItemForm, TargetsForm


@dataclass(frozen=True)
class Refused:
    """What a refused POST shows: why, and the forms as the member sent them."""

    message: str
    board: Board | None = None
    members: list[tuple[int, str]] | None = None
    targets_form: TargetsForm | None = None
    add_form: PlanItemForm | None = None
    edited: tuple[int, PlanItemForm] | None = None


NOTHING_REFUSED = Refused("")  # a GET: no message, every form unbound


def plan_content(team: Team, today: date, refused: Refused | None = None) -> bytes:
    """The page's content for its reader (a member, or a manager who reads it), as
    page_with() takes it."""
    if refused is None:
        key = (team.pk, team.is_member, today, get_script_prefix())
        return generation.cached(
            "plan-content", key, lambda: _content(team, today, NOTHING_REFUSED), KEPT_SECONDS
        )
    return _content(team, today, refused)


def _content(team: Team, today: date, refused: Refused) -> bytes:
    board = refused.board or plan_board(team, today)
    targets_form, add_form = refused.targets_form, refused.add_form
    edit_forms: dict[int, PlanItemForm] = {}
    if team.is_member:
        basis = board.basis
        members = team_members(team) if refused.members is None else refused.members
        targets = {row.slug: row.target for row in board.targets if row.target is not None}
        targets_form = targets_form or TargetsForm(
            categories=basis.categories, levels=basis.target_levels, targets=targets, today=today
        )
        add_form = add_form or PlanItemForm(
            categories=basis.categories, members=members, today=today, prefix="new"
        )
        edit_forms = {
            row.item.pk: PlanItemForm(
                categories=basis.categories,
                members=members,
                today=today,
                item=row.item,
                prefix=f"item-{row.item.pk}",
            )
            for row in board.open_items
        }
        if refused.edited is not None:
            edit_forms[refused.edited[0]] = refused.edited[1]
    fields = {row.slug: row for row in targets_form.rows} if targets_form else {}
    ctx = {
        "team": team,
        "board": board,
        "refusal": refused.message,
        "can_edit": team.is_member,
        "targets_form": targets_form,
        "target_lines": [(row, fields.get(row.slug)) for row in board.targets],
        "add_form": add_form,
        "open_lines": [(row, edit_forms.get(row.item.pk)) for row in board.open_items],
        "edited": refused.edited[0] if refused.edited else None,
        "csrf_token": CSRF_MARK,
    }
    return kept_content(render_to_string("planning/plan_content.html", ctx))


def team_content(team: Team, today: date) -> bytes:
    """The team page's content for its reader (a member, or a manager who reads it): its
    history's charts and table and its plan, as page_with() takes it. Kept too under
    whether the team is overdue, which turns at the time of day its cadence ends."""
    history, parts = shown_history(team)
    key = (team.pk, team.is_member, today, history.overdue, get_script_prefix())
    return generation.cached(
        "team-page", key, lambda: _team_content(team, history, parts, today), KEPT_SECONDS
    )


def _team_content(team: Team, history: History, parts: dict[str, SafeString], today: date) -> bytes:
    ctx = {
        "team": team,
        "history": history,
        "history_parts": parts,
        "is_member": team.is_member,
        "plan": team_board(team, history, today),
        "csrf_token": CSRF_MARK,
    }
    return kept_content(render_to_string("assessments/team_content.html", ctx))
