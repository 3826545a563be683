"""The plan's rows, on the plan and team pages, written out in Python: the targets table's
rows with a row's latest level, its target's fields and progress, and an item's marks, as
their templates wrote them. Through the template engine, a row cost more than its
fields."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe

from assessments.display import level_badge

from .board import Basis, ItemRow, TargetRow
from .forms import TargetFields
from .widgets import with_hidden_label

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


TARGET_ROW = """
        <tr>
          <th scope="row" class="fw-normal">{name}</th>
          <td>{latest}</td>
          {target}
          <td>{state}</td>
        </tr>
        """
TARGET_FIELDS = """
          <td class="target-level">{was}{level}</td>
          <td class="target-due">{due}</td>
          """
TARGET_SHOWN = """
          <td>{level} · {name}{note}</td>
          <td>{due}</td>
          """
NO_TARGET_SHOWN = """
          <td class="text-body-secondary">No target</td><td></td>
          """
NOT_IN_MODEL = ' <span class="small text-body-secondary">(not a category of this model)</span>'


def target_rows(
    lines: Iterable[tuple[TargetRow, TargetFields | None]], basis: Basis, can_edit: bool
) -> SafeString:
    """The targets table's rows: each category's latest level, its target (the targets
    form's fields for it, where it has them) and the target's progress."""
    return mark_safe("".join(_target_row(row, fields, basis, can_edit) for row, fields in lines))


def _target_row(row: TargetRow, fields: TargetFields | None, basis: Basis, can_edit: bool) -> str:
    if fields is not None:
        target = TARGET_FIELDS.format(
            was=fields.was, level=with_hidden_label(fields.level), due=with_hidden_label(fields.due)
        )
    elif row.target is not None:
        target = TARGET_SHOWN.format(
            level=int(row.target.level),
            name=escape(row.target_name),
            note=NOT_IN_MODEL if can_edit else "",
            due=date_format(row.target.due, "j M Y"),
        )
    else:
        target = NO_TARGET_SHOWN
    return TARGET_ROW.format(
        name=escape(row.name),
        latest=latest_level(row, basis),
        target=target,
        state=target_state(row),
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
