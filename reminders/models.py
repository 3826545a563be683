"""What `send_reminders` sent: one row per recipient and subject, so that nobody is
reminded of the same thing twice within a week."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

DESCRIPTION_LENGTH = 300


class ReminderKind(models.TextChoices):
    OVERDUE_TEAM = "team", "Overdue team"
    IDLE_DRAFT = "draft", "Idle draft"
    OVERDUE_PLAN_ITEM = "plan_item", "Overdue plan item"


class Reminder(models.Model):
    """A subject (an overdue team, an idle draft, an overdue plan item) that a recipient
    was reminded of, and when."""

    Kind = ReminderKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject_id = models.PositiveBigIntegerField(
        help_text="The id of the team, assessment or plan item."
    )
    description = models.CharField(
        max_length=DESCRIPTION_LENGTH, help_text="The subject as the e-mail named it."
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            # send_reminders: what these recipients were reminded of in the last 7 days.
            models.Index(fields=["recipient", "sent_at"], name="reminder_recipient_sent"),
            # The admin's list, newest first.
            models.Index(fields=["-sent_at"], name="reminder_sent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ReminderKind.values), name="reminder_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"
