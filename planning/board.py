"""What the plan and team pages show of a team's plan: its targets beside the latest
levels, and its items, overdue or now in place. A fixed number of queries whatever the
number of targets and items; each function says how many."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from assessments.history import History
from assessments.models import Assessment
from maturity.models import Category, Level, MaturityModel
from teams.models import Membership, Team

from . import progress
from .models import PlanItem, Target
from .steps import yes_keys


@dataclass(frozen=True)
class Basis:
    """What a team's targets are set and measured against: the categories and levels of
    the model of its latest counted assessment (or, before its first, the newest ready
    model), and that assessment's levels and yes answers."""

    categories: list[tuple[str, str]]  # (slug, name), in the model's order
    levels: list[tuple[int, str]]  # (value, name), the floor first
    latest: Assessment | None = None  # the latest submitted, not voided
    latest_levels: Mapping[str, int | None] = field(default_factory=dict)
    yes_keys: frozenset[str] = frozenset()

    @property
    def target_levels(self) -> list[tuple[int, str]]:
        """The levels a target may name: those above the floor."""
        return self.levels[1:]

    @property
    def level_values(self) -> list[int]:
        return [value for value, _ in self.levels]

    @property
    def latest_submitted_at(self) -> datetime | None:
        return self.latest.submitted_at if self.latest is not None else None

    def category_name(self, slug: str) -> str:
        return dict(self.categories).get(slug, slug)

    def level_name(self, value: int | None) -> str:
        return "" if value is None else dict(self.levels).get(value, str(value))


NO_BASIS = Basis([], [])


def _levels(model_id: int) -> list[tuple[int, str]]:
    """A model's levels, floor first (one query)."""
    return list(Level.objects.filter(model=model_id).order_by("value").values_list("value", "name"))


def _from_latest(latest: Assessment, levels: list[tuple[int, str]], keys: frozenset[str]) -> Basis:
    """From a counted assessment fetched with_results()."""
    results = list(latest.results.all())
    return Basis(
        categories=[(result.category.slug, result.category.name) for result in results],
        levels=levels,
        latest=latest,
        latest_levels={result.category.slug: result.level for result in results},
        yes_keys=keys,
    )


def _from_newest_model() -> Basis:
    """Before a team's first result: the newest model a team can be assessed on, its
    active categories and levels (three queries)."""
    model = MaturityModel.objects.default()
    if model is None:
        return NO_BASIS
    categories = Category.objects.filter(model=model, is_active=True).order_by("order", "pk")
    return Basis(list(categories.values_list("slug", "name")), _levels(model.pk))


def basis_for(team: Team) -> Basis:
    """The team's basis, read for the plan page (three queries: the latest counted
    assessment with its record, its frozen results and the model's levels; or the newest
    ready model, its categories and levels)."""
    latest = (
        Assessment.objects.submitted()
        .filter(team=team)
        .order_by("-submitted_at", "-pk")
        .with_results()
        .first()
    )
    if latest is None:
        return _from_newest_model()
    return _from_latest(latest, _levels(latest.model_id), yes_keys(latest.record))


def basis_from_history(history: History, *, needs_answers: bool) -> Basis:
    """The team's basis from its history as the team page read it: no query, but the
    latest record's answers when `needs_answers` (one query) and the model's levels in
    the rare case the newest assessment is voided and on another model (one query)."""
    counted = next((row.assessment for row in history.rows if not row.assessment.is_voided), None)
    if counted is None:
        return _from_newest_model()
    newest = history.rows[0].assessment
    levels = history.levels if newest.model_id == counted.model_id else _levels(counted.model_id)
    record = (
        Assessment.objects.filter(pk=counted.pk).values_list("record", flat=True).first()
        if needs_answers
        else None
    )
    return _from_latest(counted, levels, yes_keys(record))


@dataclass(frozen=True)
class TargetRow:
    """A category with the team's latest level in it and its target, if any."""

    slug: str
    name: str
    latest_level: int | None
    latest_name: str
    target: Target | None
    target_name: str
    today: date

    @property
    def reached(self) -> bool:
        return self.target is not None and progress.reached(self.target.level, self.latest_level)

    @property
    def on_track(self) -> bool:
        target = self.target
        return target is not None and progress.on_track(
            target.level, target.due, self.latest_level, self.today
        )


def target_rows(basis: Basis, targets: Iterable[Target], today: date) -> list[TargetRow]:
    """Every category of the basis, then the targets of categories it does not have (say
    of an earlier model version)."""
    by_slug = {target.category: target for target in targets}
    slugs = [slug for slug, _ in basis.categories]
    slugs += sorted(set(by_slug) - set(slugs))
    rows = []
    for slug in slugs:
        latest = basis.latest_levels.get(slug)
        target = by_slug.get(slug)
        rows.append(
            TargetRow(
                slug=slug,
                name=basis.category_name(slug),
                latest_level=latest,
                latest_name=basis.level_name(latest),
                target=target,
                target_name=basis.level_name(target.level) if target else "",
                today=today,
            )
        )
    return rows


@dataclass(frozen=True)
class ItemRow:
    item: PlanItem
    category_name: str
    overdue: bool
    in_place: bool  # open, and its practice answered yes since it was created


def item_rows(basis: Basis, items: Iterable[PlanItem], today: date) -> list[ItemRow]:
    return [
        ItemRow(
            item,
            basis.category_name(item.category) if item.category else "",
            item.is_overdue(today),
            item.is_now_in_place(basis.latest_submitted_at, basis.yes_keys),
        )
        for item in items
    ]


@dataclass(frozen=True)
class Board:
    basis: Basis
    targets: list[TargetRow]
    open_items: list[ItemRow]
    closed_items: list[ItemRow]  # done or dropped, the last closed first

    @property
    def has_targets(self) -> bool:
        return any(row.target is not None for row in self.targets)


def _board(
    basis: Basis, targets: Sequence[Target], items: Sequence[PlanItem], today: date
) -> Board:
    rows = item_rows(basis, items, today)
    closed = [row for row in rows if not row.item.is_open]
    closed.sort(key=lambda row: row.item.closed_at or row.item.created_at, reverse=True)
    return Board(
        basis,
        target_rows(basis, targets, today),
        [row for row in rows if row.item.is_open],
        closed,
    )


def plan_board(team: Team, today: date) -> Board:
    """Everything of the plan page but the forms (five queries: the basis, the targets,
    the items with their owners)."""
    basis = basis_for(team)
    targets = list(Target.objects.filter(team=team))
    items = list(PlanItem.objects.filter(team=team).for_plan())
    return _board(basis, targets, items, today)


def team_board(team: Team, history: History, today: date) -> Board:
    """The team page's plan: targets and open items (two queries), against the basis its
    history gives (one more for the latest answers while an open item about a practice
    predates the latest result; three more before the team's first result)."""
    targets = list(Target.objects.filter(team=team))
    items = list(PlanItem.objects.filter(team=team).open().for_plan())
    if not history.rows and not targets and not items:
        return _board(NO_BASIS, [], [], today)
    counted = next((row.assessment for row in history.rows if not row.assessment.is_voided), None)
    needs_answers = counted is not None and any(
        item.practice_key and counted.submitted_at and item.created_at < counted.submitted_at
        for item in items
    )
    return _board(basis_from_history(history, needs_answers=needs_answers), targets, items, today)


def team_members(team: Team) -> list[tuple[int, str]]:
    """(user id, user name) of the team's members, for choosing an owner (one query)."""
    memberships = Membership.objects.filter(team=team).select_related("user")
    members = [(m.user_id, m.user.get_username()) for m in memberships]
    return sorted(members, key=lambda member: member[1].lower())
