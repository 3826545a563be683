"""What is due for a reminder now: overdue teams (to their leads), idle drafts (to their
creators) and overdue plan items (to their owners), less what each recipient was
reminded of in the last week. A fixed number of queries, however many teams there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import DateTimeField, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone

from assessments.cadence import overdue_condition, with_counted_from
from assessments.models import Answer, Assessment, MemberAnswer
from planning.models import PlanItem
from teams.models import Membership, Team

from .models import Reminder, ReminderKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

IDLE_AFTER = timedelta(days=14)  # a draft untouched this long is idle
REMIND_AGAIN_AFTER = timedelta(days=7)  # at most one reminder a week per subject


@dataclass(frozen=True)
class Due:
    """One subject a user is to be reminded of, and the page where they act on it."""

    recipient: User
    kind: ReminderKind
    subject_id: int
    description: str
    path: str

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.recipient.pk, self.kind, self.subject_id)


def due_reminders(now: datetime) -> list[Due]:
    """Every reminder due at `now` that its recipient was not sent in the last week
    (five queries at most)."""
    candidates = [
        *overdue_teams(now),
        *idle_drafts(now),
        *overdue_plan_items(timezone.localdate(now)),
    ]
    recent = recently_reminded({due.recipient.pk for due in candidates}, now - REMIND_AGAIN_AFTER)
    return [due for due in candidates if due.key not in recent]


def overdue_teams(now: datetime) -> list[Due]:
    """The active leads of each team whose cadence has passed (three queries)."""
    late = with_counted_from(Team.objects.all()).filter(overdue_condition(now))
    overdue = {team.pk: team for team in late}
    leads = Membership.objects.filter(
        team__in=late.values("pk"), role=Membership.Role.LEAD, user__is_active=True
    ).select_related("user")
    return [
        Due(
            lead.user,
            Reminder.Kind.OVERDUE_TEAM,
            lead.team_id,
            describe_team(overdue[lead.team_id]),
            reverse("team_detail", args=[overdue[lead.team_id].slug]),
        )
        for lead in leads
    ]


def describe_team(team: Team) -> str:
    if team.last_submitted is None:
        return f"{team.name}: no assessment submitted yet (due every {team.cadence_days} days)"
    return (
        f"{team.name}: last assessment submitted {team.last_submitted:%Y-%m-%d} "
        f"(due every {team.cadence_days} days)"
    )


def idle_drafts(now: datetime) -> list[Due]:
    """Drafts untouched for IDLE_AFTER, to their creators while they are active members
    of the team. Delivery metrics keep no time of change, so only answers count as
    activity (one query)."""
    drafts = (
        Assessment.objects.drafts()
        .filter(
            Exists(Membership.objects.filter(team=OuterRef("team"), user=OuterRef("created_by"))),
            created_by__is_active=True,
        )
        .annotate(
            last_activity=Greatest(
                "created_at",
                Coalesce(_latest_change(Answer.objects.all()), "created_at"),
                Coalesce(_latest_change(MemberAnswer.objects.all()), "created_at"),
                output_field=DateTimeField(),
            )
        )
        .filter(last_activity__lt=now - IDLE_AFTER)
        .select_related("team", "created_by")
    )
    return [
        Due(
            draft.created_by,
            Reminder.Kind.IDLE_DRAFT,
            draft.pk,
            f"{draft.team.name}: draft started {draft.created_at:%Y-%m-%d}, "
            f"untouched since {draft.last_activity:%Y-%m-%d}",  # type: ignore[attr-defined]
            reverse("assessment_review", args=[draft.pk]),
        )
        for draft in drafts
        if draft.created_by is not None  # for mypy: the filter on is_active ensures it
    ]


def _latest_change(answers: QuerySet[Answer] | QuerySet[MemberAnswer]) -> Subquery:
    """When an answer of the outer assessment last changed (None without answers)."""
    latest = answers.filter(assessment=OuterRef("pk")).order_by("-updated_at")
    return Subquery(latest.values("updated_at")[:1])


def overdue_plan_items(today: date) -> list[Due]:
    """Open plan items past their due date, to their owners while they are active members
    of the team (one query)."""
    items = (
        PlanItem.objects.overdue(today)
        .filter(
            Exists(Membership.objects.filter(team=OuterRef("team"), user=OuterRef("owner"))),
            owner__is_active=True,
        )
        .select_related("team", "owner")
    )
    return [
        Due(
            item.owner,
            Reminder.Kind.OVERDUE_PLAN_ITEM,
            item.pk,
            f"{item.team.name}: {item.title} (due {item.due:%Y-%m-%d})",
            reverse("team_plan", args=[item.team.slug]),
        )
        for item in items
        if item.owner is not None  # for mypy: the filter on is_active ensures it
    ]


def recently_reminded(recipient_ids: set[int], since: datetime) -> set[tuple[int, str, int]]:
    """(recipient, kind, subject) of every reminder these users were sent after `since`."""
    recent = Reminder.objects.filter(recipient__in=recipient_ids, sent_at__gt=since)
    return set(recent.values_list("recipient_id", "kind", "subject_id"))
