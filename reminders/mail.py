"""One reminder e-mail per recipient, listing every subject due for them, with links
built from SITE_URL; and the record of what was sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from .due import REMIND_AGAIN_AFTER, Due, recently_reminded
from .models import DESCRIPTION_LENGTH, Reminder

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HEADINGS = {
    Reminder.Kind.OVERDUE_TEAM: "Teams due for a new assessment",
    Reminder.Kind.IDLE_DRAFT: "Drafts waiting for you",
    Reminder.Kind.OVERDUE_PLAN_ITEM: "Plan items past their due date",
}


@dataclass(frozen=True)
class Section:
    heading: str
    items: list[tuple[str, str]]  # (description, link)


def by_recipient(due: Iterable[Due]) -> dict[User, list[Due]]:
    """The subjects due for each recipient, recipients by user name."""
    grouped: dict[User, list[Due]] = {}
    for each in sorted(due, key=lambda each: each.recipient.get_username()):
        grouped.setdefault(each.recipient, []).append(each)
    return grouped


def link(due: Due) -> str:
    return settings.SITE_URL + due.path


def compose(recipient: User, subjects: list[Due]) -> EmailMultiAlternatives:
    """The e-mail to one recipient, plain text with an HTML alternative."""
    sections = [
        Section(heading, [(due.description, link(due)) for due in subjects if due.kind == kind])
        for kind, heading in HEADINGS.items()
    ]
    context = {
        "name": recipient.get_full_name() or recipient.get_username(),
        "sections": [section for section in sections if section.items],
    }
    count = len(subjects)
    message = EmailMultiAlternatives(
        subject=f"DevOps maturity: {count} reminder{'' if count == 1 else 's'}",
        body=render_to_string("reminders/email.txt", context),
        to=[recipient.email],
    )
    message.attach_alternative(render_to_string("reminders/email.html", context), "text/html")
    return message


def send(recipient: User, subjects: list[Due], now: datetime) -> list[Due]:
    """Send the recipient's e-mail about the subjects they were not reminded of within
    the week, then record each as reminded; returns what was sent. The recipient's row
    is locked meanwhile, so a run at the same time (say, on another server) waits, then
    finds the reminders recorded and sends nothing twice. Raises OSError (smtplib's
    errors among them) when the mail is not accepted; then nothing is recorded."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=recipient.pk).exists()
        recent = recently_reminded({recipient.pk}, now - REMIND_AGAIN_AFTER)
        subjects = [due for due in subjects if due.key not in recent]
        if subjects:
            _send(recipient, subjects, now)
    return subjects


def _send(recipient: User, subjects: list[Due], now: datetime) -> None:
    compose(recipient, subjects).send()
    Reminder.objects.bulk_create(
        Reminder(
            recipient=recipient,
            kind=due.kind,
            subject_id=due.subject_id,
            description=due.description[:DESCRIPTION_LENGTH],
            sent_at=now,
        )
        for due in subjects
    )
