"""Who: units (a tree), teams and their members. Managers in the "Managers" group
(permission `teams.view_all_teams`) see every team; a unit's managers see the teams of
the unit and every unit below it; anyone else only the teams they belong to."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeAlias

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

from maturity.generation import AdvancesGeneration, AdvancingQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

AnyUser: TypeAlias = "User | AnonymousUser"

DEFAULT_CADENCE_DAYS = 90


class Unit(AdvancesGeneration):
    """A part of the organisation: company > division > department..."""

    name = models.CharField(max_length=120, help_text="Unique in the organisation.")
    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="Empty for a unit at the top of the organisation.",
    )
    managers: models.ManyToManyField[User, models.Model] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_units",
        help_text="They see every team of this unit and of the units below it.",
    )

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="unique_unit_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A unit cannot sit below itself: its parent may not be the unit or below it."""
        seen = {self.pk}
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError(
                    {"parent": f"{self.parent} is {self.name} or below it: that would make a loop."}
                )
            seen.add(parent.pk)
            parent = parent.parent


class TeamQuerySet(AdvancingQuerySet["Team"]):
    def with_membership(self, user: AnyUser) -> TeamQuerySet:
        """Annotate `is_member`: whether the user belongs to the team."""
        return self.annotate(  # type: ignore[no-redef]  # declared below; django-stubs#2818
            is_member=Exists(Membership.objects.filter(team=OuterRef("pk"), user=user.pk))
        )


def next_due(last_submitted: datetime | None, created_at: datetime, cadence_days: int) -> datetime:
    """When a team should next submit: its cadence after the last submission, or after
    the team was made when it never submitted."""
    return (last_submitted or created_at) + timedelta(days=cadence_days)


class Team(AdvancesGeneration):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, help_text="Appears in the team's URL.")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )
    cadence_days = models.PositiveSmallIntegerField(
        "cadence (days)",
        default=DEFAULT_CADENCE_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(3 * 365)],
        help_text="How often the team means to reassess; it is overdue once this long "
        "has passed since its last submitted assessment.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    objects = TeamQuerySet.as_manager()
    is_member: bool  # only on rows fetched with_membership()
    last_submitted: datetime | None  # only on rows annotated by assessments.cadence

    class Meta:
        ordering = ["name"]
        permissions = [("view_all_teams", "Can view every team's results")]

    def __str__(self) -> str:
        return self.name

    def due_at(self, last_submitted: datetime | None) -> datetime:
        """When the team should next submit: its cadence after the last submission, or
        after the team was made when it never submitted."""
        return next_due(last_submitted, self.created_at, self.cadence_days)

    def overdue(self, last_submitted: datetime | None, now: datetime | None = None) -> bool:
        """Whether its cadence has passed at `now` (default: now) since `last_submitted`
        (or since it was made)."""
        return self.due_at(last_submitted) < (now or timezone.now())

    @property
    def next_due_at(self) -> datetime:
        """When the team should next submit (on rows annotated with `last_submitted`)."""
        return self.due_at(self.last_submitted)

    @property
    def is_overdue(self) -> bool:
        """Whether its cadence has passed (on rows annotated with `last_submitted`)."""
        return self.overdue(self.last_submitted)


def lock_team(team_id: int) -> None:
    """Lock the team's row until the transaction ends. Whatever locks it and some of the
    team's assessments takes the team's first: the other order could deadlock."""
    Team.objects.select_for_update().filter(pk=team_id).exists()


class Membership(AdvancesGeneration):
    """A user's place in a team. Its writes advance the data generation, under which a
    team's pages keep whether their user belongs to it, and the team's members."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    objects = AdvancingQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class MembershipChange(models.Model):
    """One change to a team's members, as its leads see it in the log: who did what to
    whom, and when. Names are kept as they were, so the log reads the same after a user
    is deleted; `by` is empty for a change made by the organisation import."""

    class Action(models.TextChoices):
        ADDED = "added", "added"
        ROLE_CHANGED = "role", "changed the role of"
        REMOVED = "removed", "removed"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="membership_changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    user_name = models.CharField(max_length=150)
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, blank=True, help_text="The role after."
    )
    previous_role = models.CharField(max_length=10, choices=Membership.Role.choices, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["team", "-at"], name="membership_change_team_at")]

    def __str__(self) -> str:
        return f"{self.by_name or 'import'} {self.get_action_display()} {self.user_name}"
