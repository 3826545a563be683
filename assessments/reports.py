"""What the result and answers pages show of an assessment: the assessment as they read
it, the parts of the pages that show only its record, and the radar; and the parts of a
team's page that show only its history.

The pages that show a record read the assessment, its team and the user's role in one
query, its SQL compiled once per process (maturity.compiled: building it with the ORM
cost more than running it). Without the record, what it reads is kept under the data
generation, which a renamed team, a void and a changed membership move on: each shows at
once.

A submitted assessment's record never changes, so the parts of its pages that show only
the record are rendered once and kept (RecordParts). Where they are kept, the query
leaves the record out: it is the bulk of the row, and decoding it the bulk of the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from maturity import generation
from maturity.compiled import CompiledQuery, placeholder, possible_key
from teams.models import AnyUser, Team

from . import charts
from .display import change_css, level_reached
from .history import History, team_history
from .models import Assessment
from .records import Record

# What the pages and the access rule read of the team, read with the assessment as
# team_<field>; the team's other fields are read if something asks for them.
TEAM_FIELDS = ("name", "slug", "unit_id")

# Stand for the request's user and assessment while SHOWN's SQL is compiled.
USER_ID, ASSESSMENT_ID = placeholder(), placeholder()


def _shown(*, with_record: bool) -> QuerySet[Assessment]:
    """An assessment with the user's `role` (with_membership) and its team's TEAM_FIELDS."""
    nobody = get_user_model()(pk=USER_ID)
    found = (
        Assessment.objects.with_membership(nobody)
        .annotate(**{f"team_{name}": F(f"team__{name}") for name in TEAM_FIELDS})
        .filter(pk=ASSESSMENT_ID)
        .order_by()
    )
    return found if with_record else found.defer("record")


SHOWN = {
    with_record: CompiledQuery(partial(_shown, with_record=with_record))
    for with_record in (True, False)
}


SHOWN_SECONDS = 5 * 60


def shown_assessment(user: AnyUser, pk: int, *, with_record: bool = True) -> Assessment | None:
    """The assessment `pk` with its team and the user's `role`, for the pages that show
    its record; None if there is none. Without the record (read if asked for), kept under
    the data generation, each caller getting its own copy."""
    if not possible_key(Assessment, pk):
        return None
    if with_record:
        return _read_shown(user, pk, with_record=True)
    return generation.cached_copy(
        "assessment-shown",
        (user.pk, pk),
        partial(_read_shown, user, pk, with_record=False),
        SHOWN_SECONDS,
    )


def _read_shown(user: AnyUser, pk: int, *, with_record: bool) -> Assessment | None:
    query = SHOWN[with_record]
    assessment: Assessment | None = next(
        iter(query.objects({USER_ID: user.pk, ASSESSMENT_ID: pk})), None
    )
    if assessment is not None:
        assessment.team = _team_of(assessment, query.alias())
    return assessment


def _team_of(assessment: Assessment, alias: str) -> Team:
    """The team as read with the assessment (its fields in the model's order, as from_db
    takes them)."""
    read = {name: getattr(assessment, f"team_{name}") for name in TEAM_FIELDS}
    read["id"] = assessment.team_id
    fields = [field.attname for field in Team._meta.concrete_fields if field.attname in read]
    return Team.from_db(alias, fields, [read[name] for name in fields])


def record_of(assessment: Assessment) -> Record:
    """The stored record of a submitted assessment (no query if it was read with the
    assessment); for a draft, a preview made from its answers as they stand (about seven
    queries)."""
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


def result_parts(assessment: Assessment, record: Record) -> dict[str, SafeString]:
    """The result's parts that show only the record: the summary line, the overall score,
    the record (radar, levels, checks, outcomes, next steps) and the next steps' practices
    that can be added to the plan (empty when there are none)."""
    ctx = {
        "assessment": assessment,
        "record": record,
        "overall_level": level_reached(record.overall, record.levels),
        "radar": radar_html(record),
        "change_css": {row.slug: change_css(row.change) for row in record.rows},
    }
    templates = {
        "summary": "assessments/_result_summary.html",
        "overall": "assessments/_result_overall.html",
        "record": "assessments/_record.html",
        "steps": "assessments/_result_steps.html",
    }
    # Stripped: a part with nothing to show is empty, and the page leaves its card out.
    return {
        part: mark_safe(render_to_string(name, ctx).strip()) for part, name in templates.items()
    }


def answers_parts(assessment: Assessment, record: Record) -> dict[str, SafeString]:
    """The answers page's part that shows only the record: every answer, per category,
    beside the previous assessment's (one query for its record)."""
    previous = previous_record(record)
    ctx = {
        "assessment": assessment,
        "record": record,
        "previous": previous,
        "categories": record.answers_by_category(previous),
    }
    return {"answers": render_to_string("assessments/_answers.html", ctx)}


# "immutable" is a local-memory cache: each process keeps its own copy, which is always
# right for what never changes, and a deploy, which restarts the processes, starts afresh.
KEPT_FOR = 7 * 24 * 3600


@dataclass(frozen=True)
class Kept:
    """A page's parts as rendered for a submitted assessment."""

    submitted_at: datetime  # when the assessment rendered was submitted
    parts: dict[str, SafeString]


class RecordParts:
    """The parts of a page that show only an assessment's record, as `render` makes them
    (without the request, so nothing of the user's, such as a CSRF token, can go in).
    A submitted assessment's are rendered once and kept under its id, with when it was
    submitted: they are shown only beside an assessment read with that same time. A
    draft's preview is rendered every time."""

    def __init__(self, page: str, render: Callable[[Assessment, Record], dict[str, SafeString]]):
        self.page = page
        self.render = render

    def kept(self, pk: int) -> Kept | None:
        """What was kept for the assessment `pk`, if anything: looked up before the
        assessment is read, so that it is read without its record."""
        kept: Kept | None = caches["immutable"].get(self._key(pk))
        return kept

    def of(self, assessment: Assessment, kept: Kept | None) -> dict[str, SafeString]:
        """The parts: as kept for this very submission, or rendered from the record (read
        now if the assessment was read without it)."""
        if kept is not None and kept.submitted_at == assessment.submitted_at:
            return kept.parts
        parts = self.render(assessment, record_of(assessment))
        if assessment.submitted_at is not None:
            kept = Kept(assessment.submitted_at, parts)
            caches["immutable"].set(self._key(assessment.pk), kept, KEPT_FOR)
        return parts

    def _key(self, pk: int) -> str:
        return f"kept:{self.page}:{pk}"


RESULT_PARTS = RecordParts("result", result_parts)
ANSWERS_PARTS = RecordParts("answers", answers_parts)


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


HISTORY_SECONDS = 5 * 60


def shown_history(team: Team) -> tuple[History, dict[str, SafeString]]:
    """The team's history and the parts of its page that show only that history (its
    charts, its table of submitted assessments), rendered without the request. With a
    shared cache they are kept under the data generation, which every write of an
    assessment (its results are written with it), a team, a model's categories or levels
    moves on; without one they are worked out every time."""

    def work_out() -> tuple[History, dict[str, SafeString]]:
        history = team_history(team)
        ctx = {
            "team": team,
            "history": history,
            "trend": mark_safe(history.trend_svg()) if history.rows else "",
        }
        parts = {
            "charts": "assessments/_team_charts.html",
            "table": "assessments/_team_history.html",
        }
        return history, {
            part: mark_safe(render_to_string(name, ctx).strip()) for part, name in parts.items()
        }

    history, parts = generation.cached("team-history", team.pk, work_out, HISTORY_SECONDS)
    return replace(history, team=team), parts  # the team as this request read it
