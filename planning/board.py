"""What the plan and team pages show of a team's plan: its targets beside the latest
levels, and its items, overdue or now in place. A fixed number of queries whatever the
number of targets and items; each function says how many."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from assessments.history import History, Submission, latest_submission, model_levels
from assessments.models import Assessment
from maturity import generation
from maturity.compiled import CompiledQuery, placeholder
from maturity.models import Category, MaturityModel
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
    latest: Submission | None = None  # the latest submitted, not voided
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


def _from_newest_model() -> Basis:
    """Before a team's first result: the newest model a team can be assessed on, its
    active categories and levels (three queries)."""
    model = MaturityModel.objects.default()
    if model is None:
        return NO_BASIS
    categories = Category.objects.filter(model=model, is_active=True).order_by("order", "pk")
    return Basis(list(categories.values_list("slug", "name")), model_levels(model.pk))


def _answers_needed(latest: Submission, items: Iterable[PlanItem]) -> bool:
    """Whether an open item about a practice predates the latest counted assessment: only
    such an item can be now in place, as that assessment's answers say."""
    return any(
        item.is_open and item.practice_key and item.created_at < latest.submitted_at
        for item in items
    )


def _yes_keys(latest: Submission) -> frozenset[str]:
    """The practices the assessment's record answers yes (one query)."""
    record = Assessment.objects.filter(pk=latest.pk).values_list("record", flat=True).first()
    return yes_keys(record)


def _basis(
    latest: Submission | None, levels: list[tuple[int, str]] | None, items: Sequence[PlanItem]
) -> Basis:
    """The basis of a team whose latest counted assessment is `latest`, given its model's
    `levels` when they are known already (else one query), with its yes answers when
    `items` need them (one query); before a first result, the newest model's."""
    if latest is None:
        return _from_newest_model()
    return Basis(
        categories=[(result.slug, result.name) for result in latest.results],
        levels=model_levels(latest.model_id) if levels is None else levels,
        latest=latest,
        latest_levels={result.slug: result.level for result in latest.results},
        yes_keys=_yes_keys(latest) if _answers_needed(latest, items) else frozenset(),
    )


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


TEAM_ID = placeholder()  # stands for the team's id while the queries below are compiled


def _items(*, only_open: bool) -> QuerySet[PlanItem]:
    """The team's plan items (open ones only, or all) with their owners, as the plan
    shows them."""
    items = PlanItem.objects.filter(team=TEAM_ID)
    return (items.open() if only_open else items).for_plan()


# The plan's queries, asked on the team's page and its plan's: compiled once per process
# (maturity.compiled).
TARGETS = CompiledQuery(lambda: Target.objects.filter(team=TEAM_ID).order_by("category"))
ITEMS = {
    only_open: CompiledQuery(partial(_items, only_open=only_open)) for only_open in (True, False)
}


KEPT_SECONDS = 5 * 60  # how long the parts of the plan kept under the generation live


def _targets(team: Team) -> list[Target]:
    """The team's targets (one query), kept under the data generation, which every write
    of a target moves on: the team and plan pages read them on every request."""
    return generation.cached(
        "targets", team.pk, lambda: TARGETS.objects({TEAM_ID: team.pk}), KEPT_SECONDS
    )


def plan_board(team: Team, today: date) -> Board:
    """Everything of the plan page but the forms, kept under the data generation, which
    every write of a target, an item or an assessment moves on (computed: four queries,
    the targets, the items with their owners, the latest counted assessment with its
    results, its model's levels; one more for its answers while an open item about a
    practice predates it)."""
    return generation.cached(
        "plan-board", (team.pk, today), lambda: _plan_board(team, today), KEPT_SECONDS
    )


def _plan_board(team: Team, today: date) -> Board:
    items: list[PlanItem] = ITEMS[False].objects({TEAM_ID: team.pk})
    basis = _basis(latest_submission(team), None, items)
    return _board(basis, _targets(team), items, today)


def team_board(team: Team, history: History, today: date) -> Board:
    """The team page's plan: targets and open items (two queries), against the basis its
    history gives (one more for the latest answers while an open item about a practice
    predates the latest result, one for the levels in the rare case the newest assessment
    is voided and on another model; three more before the team's first result)."""
    targets = _targets(team)
    items: list[PlanItem] = ITEMS[True].objects({TEAM_ID: team.pk})
    if not history.rows and not targets and not items:
        return _board(NO_BASIS, [], [], today)
    latest = history.latest_counted
    newest = history.rows[0].assessment if history.rows else None
    same_model = latest is not None and newest is not None and newest.model_id == latest.model_id
    return _board(
        _basis(latest, history.levels if same_model else None, items), targets, items, today
    )


MEMBERS = CompiledQuery(
    lambda: Membership.objects.filter(team=TEAM_ID).values_list(
        "user_id", f"user__{get_user_model().USERNAME_FIELD}"
    )
)


def team_members(team: Team) -> list[tuple[int, str]]:
    """(user id, user name) of the team's members, for choosing an owner (one query), kept
    under the data generation, which a membership's write moves on, and a user's that
    may rename them (maturity.generation)."""
    return generation.cached("team-members", team.pk, lambda: _members(team), KEPT_SECONDS)


def _members(team: Team) -> list[tuple[int, str]]:
    members = [(user_id, name) for user_id, name in MEMBERS.rows({TEAM_ID: team.pk})]
    return sorted(members, key=lambda member: member[1].lower())
