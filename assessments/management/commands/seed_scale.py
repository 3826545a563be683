from __future__ import annotations

import random
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from assessments import scoring
from assessments.demo import statuses_for
from assessments.models import Answer, Assessment, CategoryResult
from assessments.questionnaire import scoring_categories
from maturity.models import MaturityModel
from maturity.tree import ModelTree, load_tree
from teams.models import Team

PREFIX = "scale-"
BATCH = 5000


class Command(BaseCommand):
    help = (
        "Create many teams with a history of submitted assessments, with bulk inserts, "
        "for benchmarks (e.g. --teams 200 --assessments 8). Teams are named scale-NNNN."
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
        model = MaturityModel.objects.ready().order_by("slug", "version").first()
        if model is None:
            raise CommandError("No active model with practices: run load_model first.")
        started = time.perf_counter()
        with transaction.atomic():
            existing = Team.objects.filter(slug__startswith=PREFIX)
            if existing.exists():
                if not replace:
                    raise CommandError(f"{existing.count()} scale teams exist; add --replace.")
                Assessment.objects.filter(team__in=existing).delete()
                existing.delete()
            counts = _seed(load_tree(model.pk), model, teams, assessments, random.Random(seed))
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Created {teams} teams, {counts[0]} assessments, {counts[1]} answers and "
            f"{counts[2]} results in {seconds:.1f} s."
        )


def _seed(
    tree: ModelTree, model: MaturityModel, teams: int, per_team: int, chooser: random.Random
) -> tuple[int, int, int]:
    now = timezone.now()
    created = Team.objects.bulk_create(
        Team(slug=f"{PREFIX}{index:04}", name=f"Scale team {index:04}") for index in range(teams)
    )
    plans = []  # (assessment, statuses) with scores that drift per team over two years
    for team in created:
        targets = [chooser.uniform(-1, 2) for _ in tree.categories]
        for round_ in range(per_team):
            targets = [min(3.0, max(-1.0, t + chooser.uniform(-0.4, 0.7))) for t in targets]
            when = now - timedelta(
                days=730 * (per_team - round_) / per_team, hours=chooser.random()
            )
            assessment = Assessment(team=team, model=model, created_at=when, submitted_at=when)
            statuses: dict[int, str] = {}
            for category, target in zip(tree.categories, targets, strict=True):
                statuses.update(statuses_for(category, target, chooser))
            plans.append((assessment, statuses))
    Assessment.objects.bulk_create([assessment for assessment, _ in plans], batch_size=BATCH)
    answers, results = [], []
    ids = {category.slug: category.id for category in tree.categories}
    for assessment, statuses in plans:
        answers += [
            Answer(assessment=assessment, practice_id=practice_id, status=status)
            for practice_id, status in statuses.items()
        ]
        scored = scoring.score_categories(tree.level_values, scoring_categories(tree, statuses))
        results += [
            CategoryResult(
                assessment=assessment, category_id=ids[r.slug], level=r.level, score=r.score
            )
            for r in scored
        ]
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    CategoryResult.objects.bulk_create(results, batch_size=BATCH)
    return len(plans), len(answers), len(results)
