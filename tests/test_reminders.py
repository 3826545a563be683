"""send_reminders: who is reminded of what, at most once a week, through a real SMTP
server (aiosmtpd on a free local port)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from assessments.models import Answer, Assessment, MemberAnswer
from maturity.models import MaturityModel, Practice
from planning.models import PlanItem
from reminders import mail
from reminders.due import due_reminders
from reminders.mail import by_recipient
from reminders.models import Reminder
from teams.models import Membership, Team

from .conftest import run_command
from .test_settings import load_settings

SITE_URL = "https://maturity.example.com"


class Inbox:
    """An aiosmtpd handler that keeps every message and refuses the addresses in `refused`."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def text(self, message: EmailMessage) -> str:
        """The plain-text part."""
        body = message.get_body(("plain",))
        assert body is not None
        return str(body.get_content())

    def recipients(self) -> list[str]:
        return sorted(str(message["To"]) for message in self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A local SMTP server, and Django's SMTP backend pointed at it."""
    handler = Inbox()
    server = Controller(handler, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=server.port,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            SITE_URL=SITE_URL,
        ):
            yield handler
    finally:
        server.stop()


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def make_team(slug: str, *, age: int = 365) -> Team:
    return Team.objects.create(name=slug.title(), slug=slug, created_at=days_ago(age))


def make_user(username: str, team: Team | None = None, role: str = "lead", email: str = "") -> User:
    user = User.objects.create_user(username, email=email or f"{username}@example.com")
    if team is not None:
        Membership.objects.create(user=user, team=team, role=role)
    return user


def submit(team: Team, model: MaturityModel, *, age: int, voided: bool = False) -> Assessment:
    """A submitted assessment as cadence reads it: when, and whether voided."""
    return Assessment.objects.create(
        team=team,
        model=model,
        submitted_at=days_ago(age),
        record={},
        voided_at=days_ago(age) if voided else None,
        void_reason="entered for the wrong team" if voided else "",
    )


def start_draft(team: Team, model: MaturityModel, creator: User, *, age: int) -> Assessment:
    return Assessment.objects.create(
        team=team, model=model, created_by=creator, created_at=days_ago(age)
    )


def overdue_item(team: Team, owner: User, title: str = "Version the build scripts") -> PlanItem:
    return PlanItem.objects.create(
        team=team, title=title, owner=owner, due=timezone.localdate() - timedelta(days=1)
    )


def send() -> str:
    return run_command("send_reminders")


@pytest.fixture
def payments(db: None) -> Team:
    return make_team("payments")


@pytest.fixture
def lead(payments: Team) -> User:
    return make_user("lena", payments)


def test_lead_of_an_overdue_team_gets_one_mail_with_a_working_link(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User, client: Client
) -> None:
    make_user("mo", payments, role="member")  # members are not reminded
    submit(payments, cd_model, age=100)

    output = send()

    assert inbox.recipients() == ["lena@example.com"]
    text = inbox.text(inbox.messages[0])
    assert "Payments: last assessment submitted" in text
    link = f"{SITE_URL}/teams/payments/"
    assert link in text
    assert f'href="{link}"' in str(inbox.messages[0].get_body(("html",)))
    client.force_login(lead)
    assert client.get(link.removeprefix(SITE_URL)).status_code == 200
    assert "Sent to lena <lena@example.com>:" in output
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.kind, reminder.subject_id) == (
        lead,
        Reminder.Kind.OVERDUE_TEAM,
        payments.pk,
    )


def test_a_team_within_its_cadence_gets_none(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User
) -> None:
    submit(payments, cd_model, age=80)
    send()
    assert inbox.messages == []


@pytest.mark.parametrize(("age", "reminded"), [(100, True), (30, False)])
def test_a_team_that_never_submitted_is_overdue_once_older_than_its_cadence(
    inbox: Inbox, db: None, age: int, reminded: bool
) -> None:
    make_user("lena", make_team("payments", age=age))
    send()
    assert len(inbox.messages) == reminded


def test_voided_submissions_do_not_count(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User
) -> None:
    submit(payments, cd_model, age=100)
    submit(payments, cd_model, age=10, voided=True)
    send()
    assert inbox.recipients() == ["lena@example.com"]


def test_creator_of_an_idle_draft_is_reminded(
    inbox: Inbox, cd_model: MaturityModel, payments: Team
) -> None:
    submit(payments, cd_model, age=10)
    creator = make_user("mo", payments, role="member")
    draft = start_draft(payments, cd_model, creator, age=20)

    send()

    assert inbox.recipients() == ["mo@example.com"]
    assert f"{SITE_URL}/assessments/{draft.pk}/review/" in inbox.text(inbox.messages[0])


@pytest.mark.parametrize("activity", ["created", Answer, MemberAnswer])
def test_creator_of_a_draft_changed_lately_is_not_reminded(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, activity: Any
) -> None:
    submit(payments, cd_model, age=10)
    creator = make_user("mo", payments, role="member")
    draft = start_draft(payments, cd_model, creator, age=3 if activity == "created" else 20)
    practice = Practice.objects.filter(model=cd_model)[0]
    if activity is Answer:
        Answer.objects.create(assessment=draft, practice=practice, updated_at=days_ago(3))
    elif activity is MemberAnswer:
        MemberAnswer.objects.create(
            assessment=draft, practice=practice, user=creator, updated_at=days_ago(3)
        )

    send()

    assert inbox.messages == []


def test_creator_who_left_the_team_is_not_reminded_of_its_draft(
    inbox: Inbox, cd_model: MaturityModel, payments: Team
) -> None:
    submit(payments, cd_model, age=10)
    start_draft(payments, cd_model, make_user("mo"), age=20)
    send()
    assert inbox.messages == []


def test_owner_of_an_overdue_plan_item_is_reminded(
    inbox: Inbox, cd_model: MaturityModel, payments: Team
) -> None:
    submit(payments, cd_model, age=10)
    owner = make_user("mo", payments, role="member")
    overdue_item(payments, owner)
    PlanItem.objects.create(team=payments, title="Due today", owner=owner, due=timezone.localdate())
    done = overdue_item(payments, owner, "Done already")
    done.set_status(PlanItem.Status.DONE)

    send()

    assert inbox.recipients() == ["mo@example.com"]
    text = inbox.text(inbox.messages[0])
    assert "Payments: Version the build scripts (due " in text
    assert f"{SITE_URL}/teams/payments/plan/" in text
    assert "Due today" not in text and "Done already" not in text


def test_one_mail_lists_every_subject_of_a_recipient(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User
) -> None:
    start_draft(payments, cd_model, lead, age=20)
    overdue_item(payments, lead)

    send()

    assert inbox.recipients() == ["lena@example.com"]
    text = inbox.text(inbox.messages[0])
    for heading in ["Teams due for", "Drafts waiting for you", "Plan items past their due"]:
        assert heading in text
    assert inbox.messages[0]["Subject"] == "DevOps maturity: 3 reminders"
    assert Reminder.objects.count() == 3


def test_nothing_is_sent_twice_within_a_week(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User
) -> None:
    start_draft(payments, cd_model, lead, age=20)
    overdue_item(payments, lead)
    send()
    assert len(inbox.messages) == 1

    assert "Sent 0 e-mails." in send()
    assert len(inbox.messages) == 1
    assert Reminder.objects.count() == 3

    Reminder.objects.update(sent_at=days_ago(8))
    send()
    assert len(inbox.messages) == 2
    assert Reminder.objects.count() == 6


def test_a_run_that_found_the_same_reminders_sends_nothing_once_another_sent_them(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User
) -> None:
    overdue_item(payments, lead)
    found = by_recipient(due_reminders(timezone.now()))  # two runs found the same ...
    for recipient, subjects in found.items():
        assert mail.send(recipient, subjects, timezone.now()) == subjects  # ... one sends
        assert mail.send(recipient, subjects, timezone.now()) == []  # ... then the other
    assert len(inbox.messages) == 1


def test_an_owner_who_left_the_team_is_not_reminded_of_its_plan_items(
    inbox: Inbox, cd_model: MaturityModel, payments: Team
) -> None:
    submit(payments, cd_model, age=10)
    owner = make_user("mo", payments, role="member")
    overdue_item(payments, owner, "Secret migration plan")
    payments.memberships.filter(user=owner).delete()
    send()
    assert inbox.messages == []


def test_a_new_subject_is_sent_within_the_week(
    inbox: Inbox, cd_model: MaturityModel, payments: Team, lead: User
) -> None:
    send()
    overdue_item(payments, lead)
    send()
    assert len(inbox.messages) == 2
    assert "Plan items past their due date" in inbox.text(inbox.messages[1])
    assert "Teams due for" not in inbox.text(inbox.messages[1])


def test_dry_run_prints_recipients_and_sends_and_writes_nothing(
    inbox: Inbox, payments: Team, lead: User
) -> None:
    output = run_command("send_reminders", "--dry-run")
    assert "Would send to lena <lena@example.com>:" in output
    subject = "Overdue team: Payments: no assessment submitted yet (due every 90 days)"
    assert f"  - {subject}\n    {SITE_URL}/teams/payments/\n" in output
    assert inbox.messages == []
    assert not Reminder.objects.exists()


def test_a_user_without_an_email_address_is_skipped(inbox: Inbox, payments: Team) -> None:
    make_user("lena", payments)
    nomail = make_user("nomail", payments)
    User.objects.filter(pk=nomail.pk).update(email="")

    assert "Skipped nomail: no e-mail address (1 reminder)" in run_command(
        "send_reminders", "--dry-run"
    )
    assert "Skipped nomail" in send()
    assert inbox.recipients() == ["lena@example.com"]


def test_inactive_users_are_not_reminded(inbox: Inbox, payments: Team, lead: User) -> None:
    User.objects.filter(pk=lead.pk).update(is_active=False)
    send()
    assert inbox.messages == []


def test_a_refused_recipient_does_not_stop_the_others(inbox: Inbox, payments: Team) -> None:
    make_user("lena", payments)
    make_user("zoe", payments)
    inbox.refused.add("lena@example.com")

    with pytest.raises(CommandError, match="1 e-mail was not sent"):
        send()

    assert inbox.recipients() == ["zoe@example.com"]
    assert list(Reminder.objects.values_list("recipient__username", flat=True)) == ["zoe"]


def test_finding_what_is_due_takes_the_same_queries_for_more_teams(
    inbox: Inbox, cd_model: MaturityModel
) -> None:
    def add_teams(count: int) -> None:
        for _ in range(count):
            team = make_team(f"team-{Team.objects.count()}")
            lead = make_user(f"lead-{team.slug}", team)
            start_draft(team, cd_model, lead, age=20)
            overdue_item(team, lead)

    def dry_run_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            run_command("send_reminders", "--dry-run")
        return len(queries)

    add_teams(1)
    # The cadences in use, the overdue teams, their leads, idle drafts, overdue plan
    # items, the recipients' reminders of the last week.
    assert dry_run_queries() == 6
    add_teams(5)
    assert dry_run_queries() == 6


def test_mail_goes_to_the_console_while_debug_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)
    settings = load_settings(monkeypatch)
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert settings["SITE_URL"] == "http://127.0.0.1:8000"


def test_mail_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings = load_settings(
        monkeypatch,
        DEBUG="0",
        SECRET_KEY="s" * 60,
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="maturity@example.com",
        SITE_URL="https://maturity.example.com/",
    )
    assert settings["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings["EMAIL_HOST"], settings["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert settings["EMAIL_USE_TLS"] is True
    assert settings["DEFAULT_FROM_EMAIL"] == "maturity@example.com"
    assert settings["SITE_URL"] == "https://maturity.example.com"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS or EMAIL_USE_SSL"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a whole number"),
        ({"SITE_URL": "maturity.example.com"}, "SITE_URL must be an http"),
    ],
)
def test_malformed_mail_settings_stop_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)
