from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments.demo import submit_dated
from assessments.models import Assessment
from assessments.records import Record
from maturity.models import MaturityModel
from maturity.tree import load_tree
from planning.models import PlanItem, Target
from planning.steps import next_step_practices
from teams.models import Membership, Team, Unit

DEMO_PASSWORD = "demo"
MODEL_SLUG = "continuous-delivery"
# Category order: build, environments, release, testing, data, configuration.


@dataclass(frozen=True)
class DemoTeam:
    slug: str
    name: str
    members: tuple[str, ...]  # the first is the lead
    story: str
    # (days ago, target score per category) for each submitted assessment, oldest first
    history: tuple[tuple[int, tuple[float, ...]], ...]
    unit: str = "Product"  # a unit below Engineering
    draft: bool = False
    plan: bool = False  # targets, and a plan from its last next steps, half of it done
    delivery: dict[str, int] | None = None  # DORA's Quick Check answers, every time


TEAMS = [
    DemoTeam(
        "payments",
        "Payments",
        ("mira", "omar"),
        "improves steadily, with a plan half done",
        (
            (350, (0.3, -0.5, 0.0, -0.3, -1.0, 0.5)),
            (260, (1.0, 0.3, 0.3, 0.5, -0.5, 1.0)),
            (170, (1.5, 1.0, 0.7, 1.0, 0.3, 1.3)),
            (60, (2.3, 1.5, 1.0, 1.7, 1.0, 2.0)),
        ),
        delivery={
            "lead_time": 4,
            "deployment_frequency": 4,
            "recovery_time": 5,
            "change_fail_rate": 10,
            "rework_rate": 8,
        },
        plan=True,
    ),
    DemoTeam(
        "mobile",
        "Mobile apps",
        ("lena", "tariq"),
        "stalls: the same gaps every quarter",
        (
            (300, (0.7, 0.3, -0.3, 0.5, -0.7, 1.0)),
            (200, (1.0, 0.3, -0.3, 0.5, -0.7, 1.0)),
            (90, (1.0, 0.5, -0.5, 0.7, -0.7, 1.0)),
        ),
        delivery={
            "lead_time": 2,
            "deployment_frequency": 2,
            "recovery_time": 3,
            "change_fail_rate": 35,
            "rework_rate": 20,
        },
    ),
    DemoTeam(
        "platform",
        "Platform",
        ("ken", "ada"),
        "strong on paper, but deploys monthly and data management slid after a reorganisation",
        (
            (330, (2.3, 2.0, 1.3, 1.7, 2.0, 2.3)),
            (220, (2.7, 2.3, 1.7, 2.0, 1.3, 2.7)),
            (120, (3.0, 2.7, 2.0, 2.3, 0.7, 3.0)),
            (30, (3.0, 3.0, 2.0, 2.3, 0.3, 3.0)),
        ),
        unit="Infrastructure",
        # Environments at the top, yet deployments once a month or less: a check fires.
        delivery={
            "lead_time": 2,
            "deployment_frequency": 2,
            "recovery_time": 4,
            "change_fail_rate": 15,
            "rework_rate": 10,
        },
    ),
    DemoTeam(
        "search",
        "Search",
        ("sofia",),
        "new: one result and a draft under way",
        ((45, (0.5, 0.0, -0.5, 1.0, 0.0, 0.7)),),
        draft=True,
    ),
    DemoTeam(
        "identity",
        "Identity",
        ("noah",),
        "set up half a year ago and has not assessed itself yet: overdue",
        (),
        unit="Infrastructure",
    ),
]
MANAGER = "maria"
ORGANISATION = "Engineering"
UNIT_MANAGER = "ivan"  # manages Infrastructure
SET_UP_DAYS_AGO = 180


class Command(BaseCommand):
    help = (
        "Fill a development database with demo teams, members, a manager and a year of "
        "submitted assessments that tell different stories. Refuses to run with DEBUG off "
        "unless --force. Does nothing when the demo teams already exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on production)."
        )

    def handle(self, *args: Any, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a known password; it runs only with DEBUG on "
                "(or with --force, never on a real server)."
            )
        if not MaturityModel.objects.filter(slug=MODEL_SLUG).exists():
            call_command("load_model", stdout=self.stdout)
        model = MaturityModel.objects.filter(slug=MODEL_SLUG).order_by("-pk").first()
        assert model is not None
        if Team.objects.filter(slug__in=[team.slug for team in TEAMS]).exists():
            self.stdout.write("Demo data is already there; nothing changed.")
        else:
            with transaction.atomic():
                self._seed(model)
            self.stdout.write(f"Created {len(TEAMS)} demo teams with their history.")
        self._print_sign_ins()

    def _seed(self, model: MaturityModel) -> None:
        users = get_user_model().objects
        manager = users.create_user(MANAGER, password=DEMO_PASSWORD, first_name="Maria")
        manager.groups.add(Group.objects.get(name="Managers"))
        top = Unit.objects.create(name=ORGANISATION, slug=slugify(ORGANISATION))
        units = {
            name: Unit.objects.create(name=name, slug=slugify(name), parent=top)
            for name in sorted({demo.unit for demo in TEAMS})
        }
        unit_manager = users.create_user(UNIT_MANAGER, password=DEMO_PASSWORD, first_name="Ivan")
        units["Infrastructure"].managers.add(unit_manager)
        tree = load_tree(model.pk)
        chooser = random.Random(2026)
        now = timezone.now()
        for demo in TEAMS:
            team = Team.objects.create(
                slug=demo.slug,
                name=demo.name,
                unit=units[demo.unit],
                created_at=now - timedelta(days=SET_UP_DAYS_AGO),
            )
            people = [
                users.create_user(name, password=DEMO_PASSWORD, first_name=name.title())
                for name in demo.members
            ]
            for index, person in enumerate(people):
                role = Membership.Role.LEAD if index == 0 else Membership.Role.MEMBER
                Membership.objects.create(user=person, team=team, role=role)
            for days_ago, targets in demo.history:
                when = now - timedelta(days=days_ago)
                voters = people if len(people) > 1 else ()
                submit_dated(
                    team, model, tree, people[0], targets, when, chooser, voters, demo.delivery
                )
            if demo.draft:
                last = Assessment.objects.submitted().filter(team=team).first()
                Assessment.start(team, model, people[0], prefill_from=last)
            if demo.plan:
                self._plan(team, people, now)

    def _plan(self, team: Team, people: list[Any], now: datetime) -> None:
        """A level up in the two weakest categories by next quarter, and the practices
        that take them there as plan items, the first half done."""
        latest = Assessment.objects.submitted().filter(team=team).latest("submitted_at")
        steps = next_step_practices(Record(latest.record or {}))[:2]
        due = (now + timedelta(days=90)).date()
        Target.objects.set_for(team, {step.slug: (step.target_level, due) for step in steps})
        chosen = [(step, practice) for step in steps for practice in step.practices][:4]
        for index, (step, practice) in enumerate(chosen):
            item, _ = PlanItem.add_practice(
                latest, key=practice.key, title=practice.text, category=step.slug,
                owner_id=people[index % len(people)].pk, due=due,
            )  # fmt: skip
            if index < len(chosen) // 2:
                item.set_status(PlanItem.Status.DONE)

    def _print_sign_ins(self) -> None:
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"  {MANAGER:<6} manager: sees every team")
        self.stdout.write(f"  {UNIT_MANAGER:<6} manager of Infrastructure: sees its teams")
        for demo in TEAMS:
            self.stdout.write(f"  {demo.members[0]:<6} lead of {demo.name}: {demo.story}")
