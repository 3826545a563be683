"""What the result page offers to add to the plan."""

from __future__ import annotations

from django import template

from assessments.records import Record
from planning.steps import StepPractices
from planning.steps import next_step_practices as practices_of

register = template.Library()


@register.simple_tag
def next_step_practices(record: Record) -> list[StepPractices]:
    """{% next_step_practices record as steps %}: the result's next steps with their
    practices' keys, weakest category first (read from the record: no query)."""
    return practices_of(record)
