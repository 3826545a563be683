"""Teams and their self-assessments against a maturity model.

Answers and frozen results point at the model with `on_delete=PROTECT`, so
nothing a team has answered can be deleted from under it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from maturity.models import Category, MaturityModel, Practice

NOTE_MAX_LENGTH = 2000


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, help_text="Appears in the team's URL.")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

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


class Assessment(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="assessments")
    model = models.ForeignKey(MaturityModel, on_delete=models.PROTECT, related_name="assessments")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty while the assessment is a draft."
    )
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_all_teams", "Can view every team's results")]
        indexes = [
            # A team's history and its latest result: filter by team, newest submission first.
            models.Index(fields=["team", "submitted_at"], name="assessment_team_submitted"),
        ]

    def __str__(self) -> str:
        state = f"submitted {self.submitted_at:%Y-%m-%d}" if self.submitted_at else "draft"
        return f"{self.team} / {self.model} ({state})"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    class Status(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        NOT_APPLICABLE = "na", "Not applicable"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="answers")
    status = models.CharField(max_length=6, choices=Status.choices)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "practice"], name="unique_answer_per_practice"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["yes", "partly", "no", "na"]), name="answer_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice}: {self.get_status_display()}"


class CategoryResult(models.Model):
    """A category's level and score, frozen when the assessment is submitted."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="results")
    level = models.SmallIntegerField()
    score = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "category"], name="unique_result_per_category"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.score:.1f}"
