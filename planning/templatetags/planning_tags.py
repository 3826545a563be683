"""What the result page offers to add to the plan; the plan's fields and buttons."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from assessments.records import Record
from planning.display import item_marks, latest_level, target_rows, target_state
from planning.models import PlanItem
from planning.steps import StepPractices
from planning.steps import next_step_practices as practices_of
from planning.widgets import escaped, with_label

register = template.Library()
register.filter("with_label", with_label)
register.simple_tag(latest_level)
register.simple_tag(target_state)
register.simple_tag(item_marks)
register.simple_tag(target_rows)

STATUS_BUTTON = """<form method="post" action="{action}" class="d-inline">{csrf}
  <input type="hidden" name="action" value="status">
  <input type="hidden" name="item" value="{item}">
  <input type="hidden" name="status" value="{status}">
  <input type="hidden" name="back" value="{back}">
  <button type="submit" class="btn btn-sm {style}">{label}<span class="visually-hidden">: \
{title}</span></button>
</form>"""
CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'


@register.simple_tag
def next_step_practices(record: Record) -> list[StepPractices]:
    """{% next_step_practices record as steps %}: the result's next steps with their
    practices' keys, weakest category first (read from the record: no query)."""
    return practices_of(record)


@register.simple_tag(takes_context=True)
def status_button(
    context: template.Context,
    item: PlanItem,
    status: str,
    label: str,
    style: str,
    back: str = "plan",
) -> SafeString:
    """{% status_button item status label style back %}: one click setting the item of the
    context's team to `status`, on a button of class `style`; `back` to "team" or "plan"."""
    token = context.get("csrf_token")
    return mark_safe(
        STATUS_BUTTON.format(
            action=reverse("team_plan", args=[context["team"].slug]),
            csrf=CSRF.format(escaped(token)) if token and token != "NOTPROVIDED" else "",
            item=int(item.pk),
            status=escaped(status),
            back=escaped(back),
            style=escaped(style),
            label=escaped(label),
            title=escaped(item.title),
        )
    )
