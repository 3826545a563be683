from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reminders import mail
from reminders.due import Due, due_reminders

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Command(BaseCommand):
    help = (
        "E-mail the leads of overdue teams, the creators of drafts idle for 14 days and "
        "the owners of overdue plan items: one e-mail per person, listing each subject "
        "they were not reminded of in the last 7 days, and record what was sent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print who would get which reminders; send and record nothing.",
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        now = timezone.now()
        sent = failed = 0
        for recipient, subjects in mail.by_recipient(due_reminders(now)).items():
            if not recipient.email:
                self.stdout.write(
                    f"Skipped {recipient.get_username()}: no e-mail address "
                    f"({len(subjects)} reminder{'' if len(subjects) == 1 else 's'})"
                )
                continue
            if dry_run:
                self.write_reminders("Would send to", recipient, subjects)
                continue
            try:
                subjects = mail.send(recipient, subjects, now)
            except OSError as error:  # smtplib's errors, refused connections, timeouts
                self.stderr.write(f"Could not send to {address(recipient)}: {error}")
                failed += 1
            else:
                if subjects:  # else another run has just sent them
                    self.write_reminders("Sent to", recipient, subjects)
                    sent += 1
        if dry_run:
            self.stdout.write("Dry run: nothing was sent or recorded.")
            return
        self.stdout.write(f"Sent {sent} e-mail{'' if sent == 1 else 's'}.")
        if failed:
            raise CommandError(
                f"{failed} e-mail{' was' if failed == 1 else 's were'} not sent (see above); "
                "check the EMAIL_* settings. The next run tries again."
            )

    def write_reminders(self, verb: str, recipient: User, subjects: list[Due]) -> None:
        self.stdout.write(f"{verb} {address(recipient)}:")
        for due in subjects:
            self.stdout.write(f"  - {due.kind.label}: {due.description}\n    {mail.link(due)}")


def address(user: User) -> str:
    return f"{user.get_username()} <{user.email}>"
