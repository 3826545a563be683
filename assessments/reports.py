"""What the result and answers pages show of an assessment: its record, and the radar."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe

from . import charts
from .models import Assessment
from .records import Record


def record_of(assessment: Assessment) -> Record:
    """The stored record of a submitted assessment (no query); for a draft, a preview
    made from its answers as they stand (about seven queries)."""
    if assessment.record is not None:
        return Record(assessment.record)
    record, _ = assessment.record_now(assessment.tree(), assessment.answers_by_practice())
    return Record(record)


def previous_record(record: Record) -> Record | None:
    """The record of the assessment this one compares with (one query), if any."""
    previous = record.data.get("previous")
    if previous is None:
        return None
    data = Assessment.objects.filter(pk=previous["id"]).values_list("record", flat=True).first()
    return Record(data) if data else None


def radar_html(record: Record) -> SafeString:
    """The radar, safe to place in a page as it is: charts escape every text."""
    return mark_safe(radar_svg(record))


def radar_svg(record: Record) -> str:
    """Scores per scored category, with the previous assessment's dashed where it scored
    them all."""
    scored = [row for row in record.rows if row.score is not None]  # n/a: no axis
    if not scored:
        return ""
    axes = [row.name for row in scored]
    series = [charts.Series("This assessment", [row.score or 0.0 for row in scored])]
    earlier = record.previous_submitted_at
    if earlier is not None:
        values = [row.previous_score for row in scored]
        if all(value is not None for value in values):
            label = f"Previous ({earlier:%d %b %Y})"
            series.append(charts.Series(label, values, dashed=True))  # type: ignore[arg-type]
    title = f"{record.data['team']['name']}: score per category"
    return charts.radar_svg(axes, record.levels, series, title=title)
