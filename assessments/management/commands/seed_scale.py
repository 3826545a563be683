from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from assessments.demo import (
    Submission,
    answers_for,
    foreign_keys_checked_at_end,
    submit_in_bulk,
)
from assessments.models import Answer, Assessment, CategoryResult
from maturity import generation
from maturity.models import MaturityModel
from maturity.tree import ModelTree, load_tree
from teams.models import Team

PREFIX = "scale-"
TEAMS_PER_BATCH = 100  # what submit_in_bulk writes at once: bounds the memory it takes


class Command(BaseCommand):
    help = (
        "Create many teams with a history of submitted assessments, each answered as a "
        "team would and written in bulk as its submission would leave it, for benchmarks "
        "(e.g. --teams 200 --assessments 8). Teams are named scale-NNNN. While it runs, "
        "the assessments, answers, results, practices, categories and users wait for it: "
        "it checks the answers' and results' foreign keys once at the end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--teams", type=int, default=200, help="How many teams (default 200).")
        parser.add_argument(
            "--assessments", type=int, default=8, help="Submitted assessments per team (default 8)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete earlier scale teams and their data first.",
        )
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")

    def handle(
        self, *args: Any, teams: int, assessments: int, replace: bool, seed: int, **options: Any
    ) -> None:
        if teams < 1 or assessments < 1:
            raise CommandError("--teams and --assessments must be at least 1.")
        model = MaturityModel.objects.default()  # the one the pages show
        if model is None:
            raise CommandError("No active model with practices: run load_model first.")
        started = time.perf_counter()
        with transaction.atomic(), foreign_keys_checked_at_end(Answer, CategoryResult):
            existing = Team.objects.filter(slug__startswith=PREFIX)
            if existing.exists():
                if not replace:
                    raise CommandError(f"{existing.count()} scale teams exist; add --replace.")
                Assessment.objects.filter(team__in=existing).only("pk").delete()  # records unread
                existing.delete()
            submitted = _seed(load_tree(model.pk), model, teams, assessments, random.Random(seed))
        generation.advance()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Created {teams} teams and {submitted} submitted assessments in {seconds:.1f} s."
        )


def _seed(
    tree: ModelTree, model: MaturityModel, teams: int, per_team: int, chooser: random.Random
) -> int:
    """Teams whose scores drift over two years, each assessment answered as users do."""
    now = timezone.now()
    created = Team.objects.bulk_create(
        Team(slug=f"{PREFIX}{index:04}", name=f"Scale team {index:04}") for index in range(teams)
    )
    batches = (
        _histories(tree, created[first : first + TEAMS_PER_BATCH], per_team, now, chooser)
        for first in range(0, teams, TEAMS_PER_BATCH)
    )
    submit_in_bulk(model, tree, batches)
    return teams * per_team


def _histories(
    tree: ModelTree, teams: Sequence[Team], per_team: int, now: datetime, chooser: random.Random
) -> list[Submission]:
    """`per_team` assessments of each of `teams` over the two years to `now`, answered to
    scores that drift up."""
    submissions = []
    for team in teams:
        targets = [chooser.uniform(-1, 2) for _ in tree.categories]
        for round_ in range(per_team):
            targets = [min(3.0, max(-1.0, t + chooser.uniform(-0.4, 0.7))) for t in targets]
            when = now - timedelta(
                days=730 * (per_team - round_) / per_team, hours=chooser.random()
            )
            submissions.append(Submission(team, answers_for(tree, targets, chooser), when))
    return submissions
