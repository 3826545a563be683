"""What the read API reads. Each function answers in a fixed number of queries, whatever
the number of teams or the page size; scores are read from the records, as the pages and
export.json show them."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
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

from assessments.cadence import overdue_condition, with_counted_from, with_last_submitted
from assessments.models import Assessment
from maturity.models import MaturityModel
from planning.models import PlanItem, Target
from teams.access import below, managed, unit_parents, visible_teams
from teams.models import AnyUser, Membership, Team, Unit

# The overall score as the record shows it (one decimal; None when no category was scored),
# without reading the rest of the record. SQLite gives a JSON null's text as "null".
RECORDED_OVERALL = Cast(NullIf(KT("record__overall"), Value("null")), FloatField())


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
        .values(overall=RECORDED_OVERALL)
    )
    rows = with_last_submitted(found.select_related("unit"))
    return rows.annotate(latest_overall=Subquery(latest[:1])).order_by("name", "slug")


def team_detail(team: Team) -> Team:
    """The team as team_rows reads it, with its targets by category and its open plan
    items soonest due first (three queries)."""
    rows = team_rows(Team.objects.filter(pk=team.pk)).prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("category")),
        Prefetch("plan_items", queryset=PlanItem.objects.open().for_plan(), to_attr="open_items"),
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
        .annotate(overall=RECORDED_OVERALL)
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
) -> QuerySet[Assessment]:
    """The latest counted assessment on `model` of each team the user may see (in `units`
    when given; submitted on or after `since` when given), by team name, with its team,
    unit, `overall` and `scores` (the record's categories) but not the rest of the record:
    one query per page, whatever the number of teams. No model: no rows."""
    if model is None:
        return Assessment.objects.none()
    shown = visible_teams(user)
    if units is not None:
        shown = shown.filter(unit__in=units)
    found = Assessment.objects.filter(model=model, team__in=shown.values("pk"))
    if since is not None:
        found = found.filter(submitted_at__gte=start_of(since))
    return (
        found.latest_per_team()
        .select_related("team__unit", "model")
        .defer("record")
        .annotate(overall=RECORDED_OVERALL, scores=F("record__categories"))
        .order_by("team__name", "team__slug")
    )


def start_of(day: date) -> datetime:
    """The first moment of `day` in the current time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
