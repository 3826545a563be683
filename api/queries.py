"""What the read API reads. Each function answers in a fixed number of queries, whatever
the number of teams or the page size; scores are as the records, the pages and export.json
show them: each category's level and score read from the record's JSON in SQL (only
those parts), the overall score as stored beside the record at submission."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, NullIf
from django.utils import timezone

from assessments import scoring
from assessments.cadence import overdue_condition, with_counted_from, with_last_submitted
from assessments.models import Assessment
from maturity.models import MaturityModel
from planning.models import PlanItem, Target
from teams.access import below, managed, unit_parents, visible_teams
from teams.models import AnyUser, Membership, Team, Unit

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

# The overall score as the record shows it (one decimal; None when no category was scored),
# without reading the rest of the record. SQLite gives a JSON null's text as "null".
RECORDED_OVERALL = Cast(NullIf(KT("record__overall"), Value("null")), FloatField())


class RecordedScores(Func):
    """The [slug, level, score] of each category of a record, in the record's order, as one
    JSON array: the record is read once in SQL, and the rest of it (texts, advice, answers)
    is neither sent nor parsed."""

    arity = 1
    output_field = JSONField()
    # SQLite: json_each yields the elements in the array's order and the aggregate keeps
    # the order it is fed. SQLite promises neither without an ORDER BY, which aggregates
    # take only from 3.44; the API's tests check the order. PostgreSQL's version orders.
    template = (
        "(SELECT json_group_array(json_array(json_extract(value, '$.slug'), "
        "json_extract(value, '$.level'), json_extract(value, '$.score'))) "
        "FROM json_each(%(expressions)s, '$.categories'))"
    )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        template = (
            "(SELECT COALESCE(jsonb_agg(jsonb_build_array(c -> 'slug', c -> 'level', "
            "c -> 'score') ORDER BY n), '[]') "
            "FROM jsonb_array_elements(%(expressions)s -> 'categories') WITH ORDINALITY e(c, n))"
        )
        return self.as_sql(compiler, connection, template=template, **extra)


def visible_units(user: AnyUser) -> QuerySet[Unit]:
    """The units the user may see: all for a global manager, else the units they manage
    (with those below) and the units of their teams; `parent_slug` is the parent's slug
    when the user may see the parent too, else None (no query but `managed`)."""
    scope = managed(user)
    if scope.everything:
        return Unit.objects.annotate(parent_slug=F("parent__slug"))

    def seen(unit: str) -> Q:
        own = Membership.objects.filter(user=user.pk, team__unit=OuterRef(unit))
        return Q(**{f"{unit}__in": scope.units}) | Q(Exists(own))

    return Unit.objects.filter(seen("pk")).annotate(
        parent_slug=Case(When(seen("parent"), then=F("parent__slug")), default=None)
    )


def unit_subtree(user: AnyUser, slug: str) -> frozenset[int] | None:
    """The unit with this slug and every unit below it, or None when the user may not see
    such a unit (two queries)."""
    unit = visible_units(user).filter(slug=slug).values_list("pk", flat=True).first()
    return None if unit is None else below([unit], unit_parents())


def teams(
    user: AnyUser, *, units: frozenset[int] | None = None, overdue: bool | None = None
) -> QuerySet[Team]:
    """The teams the user may see, in `units` when given, overdue or not when asked (one
    more query), with `last_submitted` and `latest_overall` (team_rows)."""
    found = visible_teams(user)
    if units is not None:
        found = found.filter(unit__in=units)
    if overdue is not None:
        late = overdue_condition()
        timed = with_counted_from(found)
        found = timed.filter(late) if overdue else timed.exclude(late)
    return team_rows(found)


def team_rows(found: QuerySet[Team]) -> QuerySet[Team]:
    """`found` by name with its unit, `last_submitted` and `latest_overall`: the overall
    score of its latest counted assessment (any model) as the record shows it."""
    latest = (
        Assessment.objects.submitted()
        .filter(team=OuterRef("pk"))
        .order_by("-submitted_at", "-pk")
        .values(recorded_overall=RECORDED_OVERALL)
    )
    rows = with_last_submitted(found.select_related("unit"))
    return rows.annotate(latest_overall=Subquery(latest[:1])).order_by("name", "slug")


def team_detail(team: Team) -> Team:
    """The team as team_rows reads it, with its targets by category and its open plan
    items soonest due first (three queries)."""
    open_items: QuerySet[PlanItem] = PlanItem.objects.open().for_plan()
    rows = team_rows(Team.objects.filter(pk=team.pk)).prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("category")),
        Prefetch("plan_items", queryset=open_items, to_attr="open_items"),
    )
    return rows.get()


def history(team: Team) -> QuerySet[Assessment]:
    """The team's submitted assessments, voided ones included, newest first, with the
    overall score their record shows (the rest of the record left unread)."""
    return (
        Assessment.objects.history()
        .filter(team=team)
        .select_related("model")
        .defer("record")
        .annotate(recorded_overall=RECORDED_OVERALL)
    )


def model_named(slug: str, version: str | None) -> MaturityModel | None:
    """The model with this slug and version; without a version, the newest active version
    of the slug, else its newest (one query)."""
    found = MaturityModel.objects.filter(slug=slug)
    if version is not None:
        return found.filter(version=version).first()
    return found.order_by("-is_active", "-pk").first()


def latest_scores(
    user: AnyUser,
    model: MaturityModel | None,
    *,
    units: frozenset[int] | None,
    since: date | None,
) -> ScoreRows:
    """The latest counted assessment on `model` of each team the user may see (in `units`
    when given; submitted on or after `since` when given), by team name, with its scores.
    No model: no rows."""
    if model is None:
        return ScoreRows(Team.objects.none(), Assessment.objects.none())
    shown = visible_teams(user)
    if units is not None:
        shown = shown.filter(unit__in=units)
    counted = Assessment.objects.submitted().filter(model=model)
    if since is not None:
        counted = counted.filter(submitted_at__gte=start_of(since))
    return ScoreRows(shown, counted)


@dataclass
class TeamScores:
    """A team's latest counted assessment on a model, with its scores as its record shows
    them: overall, and level and score by category slug, in the record's order."""

    team: str
    team_name: str
    unit: str | None
    model: str
    model_version: str
    assessment: int
    submitted_at: datetime
    overall: float | None
    categories: dict[str, dict[str, Any]]


class ScoreRows:
    """What the scores endpoint pages through: each of `teams` that has one of the
    `counted` assessments, by name, with its latest. A paginator counts them (one query)
    and reads a page (a slice: one query for its teams and their assessments)."""

    def __init__(self, teams: QuerySet[Team], counted: QuerySet[Assessment]):
        self.teams = teams.filter(Exists(counted.filter(team=OuterRef("pk")))).order_by(
            "name", "slug"
        )
        self.latest = counted.filter(team=OuterRef("pk")).order_by("-submitted_at", "-pk")

    def count(self) -> int:
        return self.teams.count()

    def __getitem__(self, page: slice) -> list[TeamScores]:
        latest = self.teams.values(latest=Subquery(self.latest.values("pk")[:1]))[page]
        # The categories as the record froze them (slugs and order included, whatever an
        # admin has edited since); the overall score frozen beside it.
        found = (
            Assessment.objects.filter(pk__in=latest)
            .order_by("team__name", "team__slug")
            .values_list(
                "team__slug",
                "team__name",
                "team__unit__slug",
                "model__slug",
                "model__version",
                "pk",
                "submitted_at",
                "overall",
                RecordedScores("record"),
            )
        )
        rows = []
        for team, name, unit, model, version, pk, submitted_at, overall, recorded in found:
            assert submitted_at is not None  # a counted assessment was submitted
            scores = {slug: {"level": level, "score": score} for slug, level, score in recorded}
            rows.append(
                TeamScores(
                    team, name, unit, model, version, pk, submitted_at, as_recorded(overall), scores
                )
            )
        return rows


def as_recorded(score: float | None) -> float | None:
    """A score as a record shows it: one decimal."""
    return None if score is None else scoring.rounded(score)


def start_of(day: date) -> datetime:
    """The first moment of `day` in the current time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
