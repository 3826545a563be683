"""The marks of the plan's rows, on the plan and team pages, written out in Python: a row's
latest level, its target's progress and an item's marks, as their templates wrote them.
A plan page has a dozen; through an included template each cost more than its row."""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from assessments.display import level_badge

from .board import Basis, ItemRow, TargetRow

MUTED = '<span class="text-body-secondary">{}</span>'
NO_TARGET = MUTED.format("–")
REACHED = '<span class="badge text-bg-success">Reached</span>'
ON_TRACK = '<span class="badge text-bg-info">On track</span>'
BEHIND = (
    '<span class="badge text-bg-danger">Behind</span> '
    '<span class="small text-body-secondary">due date passed</span>'
)
OVERDUE = '<span class="badge text-bg-danger">Overdue</span>'
IN_PLACE = (
    '<span class="badge text-bg-success">Now in place</span>\n'
    '<span class="small text-body-secondary">answered yes on {}</span>'
)


def latest_level(row: TargetRow, basis: Basis) -> SafeString:
    """The category's level in the latest result, as a badge; or why there is none."""
    if row.latest_level is not None:
        return level_badge(row.latest_level, row.latest_name, basis.level_values)
    return mark_safe(MUTED.format("not scored" if basis.latest else "no result yet"))


def target_state(row: TargetRow) -> SafeString:
    """Whether the category's target is reached, on track or behind."""
    if not row.target:
        return mark_safe(NO_TARGET)
    return mark_safe(REACHED if row.reached else ON_TRACK if row.on_track else BEHIND)


def item_marks(row: ItemRow, basis: Basis) -> SafeString:
    """An open item's marks: overdue; now in place, since the latest result."""
    marks = [OVERDUE] if row.overdue else []
    if row.in_place and basis.latest is not None:
        answered = timezone.localtime(basis.latest.submitted_at)
        marks.append(IN_PLACE.format(date_format(answered, "j M Y")))
    return mark_safe("\n".join(marks))
