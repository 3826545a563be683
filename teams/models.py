"""Who: teams and their members. Managers in the "Managers" group (permission
`teams.view_all_teams`) see every team; anyone else only the teams they belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from maturity.generation import AdvancesGeneration

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

AnyUser: TypeAlias = "User | AnonymousUser"


class TeamQuerySet(models.QuerySet["Team"]):
    def with_membership(self, user: AnyUser) -> TeamQuerySet:
        """Annotate `is_member`: whether the user belongs to the team."""
        return self.annotate(  # type: ignore[no-redef]  # declared below; django-stubs#2818
            is_member=Exists(Membership.objects.filter(team=OuterRef("pk"), user=user.pk))
        )


class Team(AdvancesGeneration):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, help_text="Appears in the team's URL.")
    members: models.ManyToManyField[User, Membership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    objects = TeamQuerySet.as_manager()
    is_member: bool  # only on rows fetched with_membership()

    class Meta:
        ordering = ["name"]
        permissions = [("view_all_teams", "Can view every team's results")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        LEAD = "lead", "Lead"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"
