"""What a team will do: a target level per category, and plan items to get there.

Targets and items name categories and practices by slug and key, not by foreign key:
they outlive a model version, as answers carry over by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from assessments.models import Assessment
from maturity.generation import AdvancesGeneration, AdvancingQuerySet
from maturity.limits import CATEGORY_SLUG_LENGTH, KEY_LENGTH, LEVEL_VALUE_MAX, LEVEL_VALUE_MIN
from teams.models import Team

from . import progress

TITLE_LENGTH = 200


class TargetQuerySet(AdvancingQuerySet["Target"]):
    def set_for(self, team: Team, wanted: Mapping[str, tuple[int, date] | None]) -> None:
        """Set (level, due) or clear (None) the team's target of each category slug in
        `wanted`; targets of other categories stay (two queries at most)."""
        cleared = [slug for slug, target in wanted.items() if target is None]
        kept = [(slug, target) for slug, target in wanted.items() if target is not None]
        with transaction.atomic():
            if cleared:
                self.filter(team=team, category__in=cleared).delete()
            if kept:
                self.bulk_create(
                    [
                        Target(team=team, category=slug, level=level, due=due)
                        for slug, (level, due) in kept
                    ],
                    update_conflicts=True,
                    unique_fields=["team", "category"],
                    update_fields=["level", "due"],
                )


class Target(AdvancesGeneration):
    """The level a team means to reach in a category of the model, and by when."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="targets")
    category = models.SlugField(
        max_length=CATEGORY_SLUG_LENGTH, help_text="The slug of a category of the model."
    )
    level = models.SmallIntegerField(help_text="A level of the model, above its floor.")
    due = models.DateField(help_text="When the team means to be at that level.")

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["team", "category"]
        constraints = [
            # Also the index of a team's targets (the plan and team pages).
            models.UniqueConstraint(fields=["team", "category"], name="unique_target_per_category"),
            models.CheckConstraint(
                condition=Q(level__gte=LEVEL_VALUE_MIN) & Q(level__lte=LEVEL_VALUE_MAX),
                name="target_level_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.category} at {self.level} by {self.due:%Y-%m-%d}"


class OpenItemExists(Exception):
    """A team has one open item per practice."""

    def __init__(self, item: PlanItem):
        self.item = item
        super().__init__(f"{item.team_id} has an open item for {item.practice_key}")


class PlanItemQuerySet(AdvancingQuerySet["PlanItem"]):
    def open(self) -> PlanItemQuerySet:
        return self.filter(status=PlanItem.Status.OPEN)

    def overdue(self, today: date) -> PlanItemQuerySet:
        """Open items whose due date has passed (progress.overdue, in the database)."""
        return self.open().filter(due__lt=today)

    def for_plan(self) -> PlanItemQuerySet:
        """With their owners, open ones soonest due first (undated last), then by age."""
        return self.select_related("owner").order_by(
            F("due").asc(nulls_last=True), "created_at", "pk"
        )


class PlanStatus(models.TextChoices):
    OPEN = progress.OPEN, "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class PlanItem(AdvancesGeneration):
    """Something a team means to do, optionally about a practice of the model. Its writes
    advance the data generation, under which the plan page keeps its board."""

    Status = PlanStatus

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="plan_items")
    title = models.CharField(max_length=TITLE_LENGTH)
    category = models.SlugField(
        max_length=CATEGORY_SLUG_LENGTH, blank=True, help_text="A category slug; may be empty."
    )
    practice_key = models.CharField(
        max_length=KEY_LENGTH,
        blank=True,
        help_text="The practice the item is about, such as build.1.team-notified; may be empty.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was done or dropped; empty while open."
    )
    from_assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The result whose next steps it was added from.",
    )

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["team", "-created_at"]
        indexes = [
            # The plan page lists a team's items; the team page its open ones.
            models.Index(fields=["team", "status"], name="plan_item_team_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_item_status_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=PlanStatus.OPEN) & Q(closed_at__isnull=True))
                | (~Q(status=PlanStatus.OPEN) & Q(closed_at__isnull=False)),
                name="plan_item_closed_at_iff_closed",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="plan_item_has_title"),
            # Adding a practice twice finds the open item instead (and serves that lookup).
            models.UniqueConstraint(
                fields=["team", "practice_key"],
                condition=Q(status=PlanStatus.OPEN) & ~Q(practice_key=""),
                name="one_open_item_per_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.title} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def is_overdue(self, today: date) -> bool:
        return progress.overdue(self, today)

    def is_now_in_place(
        self, latest_submitted_at: datetime | None, yes_keys: frozenset[str]
    ) -> bool:
        """Whether an open item's practice was answered yes in the team's latest counted
        assessment (`yes_keys`), submitted after the item was created."""
        later = latest_submitted_at is not None and latest_submitted_at > self.created_at
        return self.is_open and later and progress.now_in_place(self.practice_key, yes_keys)

    @classmethod
    def add_practice(
        cls,
        assessment: Assessment,
        *,
        key: str,
        title: str,
        category: str,
        owner_id: int | None,
        due: date | None,
    ) -> tuple[PlanItem, bool]:
        """An open item for a practice of the assessment's team, and whether it is new: the
        open item already there for that practice, if any (two queries at most)."""
        team_id = assessment.team_id
        existing = cls.objects.open().filter(team_id=team_id, practice_key=key).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                item = cls.objects.create(
                    team_id=team_id,
                    title=title[:TITLE_LENGTH],
                    category=category,
                    practice_key=key,
                    owner_id=owner_id,
                    due=due,
                    from_assessment=assessment,
                )
        except IntegrityError:  # a teammate added it a moment ago
            return cls.objects.open().get(team_id=team_id, practice_key=key), False
        return item, True

    def set_status(self, status: str) -> bool:
        """Mark the item done, dropped or open again, and whether that changed anything.
        Reopening raises OpenItemExists while another open item is about its practice.
        Locks the row, so two members acting at once get one outcome."""
        with transaction.atomic():
            locked = PlanItem.objects.select_for_update().get(pk=self.pk)
            if locked.status == status:
                self.status, self.closed_at = locked.status, locked.closed_at
                return False
            # Done <-> dropped keeps when it was closed; reopening clears it.
            closed_at = None if status == self.Status.OPEN else locked.closed_at or timezone.now()
            try:
                with transaction.atomic():
                    PlanItem.objects.filter(pk=self.pk).update(status=status, closed_at=closed_at)
            except IntegrityError:  # one_open_item_per_practice
                other = PlanItem.objects.open().get(
                    team_id=self.team_id, practice_key=self.practice_key
                )
                raise OpenItemExists(other) from None
        self.status, self.closed_at = status, closed_at
        return True


def targets_for_record(team_id: int) -> list[dict[str, object]]:
    """The team's targets as a submitted record keeps them, by category (one query)."""
    rows = Target.objects.filter(team_id=team_id).order_by("category")
    return [
        {"category": category, "level": level, "due": due.isoformat()}
        for category, level, due in rows.values_list("category", "level", "due")
    ]
