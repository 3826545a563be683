"""The dashboard's cold render at one size: `python -m bench.scale TEAMS`, run by
bench/run.py once per size in a fresh process, with DATABASE_URL naming that size's own
database and the production settings in the environment.

Seeds TEAMS teams x 8 submitted assessments (seed_scale) unless the database holds
exactly those, then renders /dashboard/ as a global manager with the test client, every
cache cleared before each render. Prints one JSON line: a ScaleRow.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maturity.models import MaturityModel


@dataclass
class ScaleRow:
    teams: int
    assessments: int  # submitted, per team
    cold_ms: float  # median of the cold renders
    queries: int
    html_kb: float
    peak_mb: float  # the Python heap's peak during one cold render (tracemalloc)


def seed(teams: int, per_team: int) -> None:
    """Migrate, load the model and fill the database with seed_scale, unless it already
    holds exactly `teams` scale teams with `per_team` submitted assessments each; then
    gather PostgreSQL's statistics, as autovacuum would after such a load (without them
    the planner guesses a few rows per table and the plans measured are not production's)."""
    from django.core.management import call_command
    from django.db import connection

    from assessments.management.commands.seed_scale import PREFIX
    from assessments.models import Assessment
    from teams.models import Team

    call_command("migrate", verbosity=0)
    call_command("load_model", verbosity=0, stdout=sys.stderr)
    scale_teams = Team.objects.filter(slug__startswith=PREFIX)
    submitted = Assessment.objects.submitted().filter(team__in=scale_teams)
    if (scale_teams.count(), submitted.count()) != (teams, teams * per_team):
        call_command(
            "seed_scale", teams=teams, assessments=per_team, replace=True, stdout=sys.stderr
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seeded_model() -> MaturityModel:
    """The model that seed_scale's teams answered. The dashboard and the API show the
    newest active model unless asked for another, and that may not be this one."""
    from assessments.management.commands.seed_scale import PREFIX
    from assessments.models import Assessment

    scale = Assessment.objects.filter(team__slug__startswith=PREFIX)
    return scale.select_related("model").latest("pk").model


def measure(teams: int, per_team: int, renders: int) -> ScaleRow:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    manager, _ = get_user_model().objects.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get(name="Managers"))
    client = Client()
    client.force_login(manager)
    path = f"/dashboard/?model={seeded_model().pk}"

    def cold() -> bytes:
        for cache in caches.all():
            cache.clear()
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return response.content

    cold()  # the process's first request: imports, templates, connection
    times = []
    for _ in range(renders):
        started = time.perf_counter()
        cold()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        html = cold()
    queries = len(captured.captured_queries)  # before the next request resets the log
    tracemalloc.start()
    cold()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return ScaleRow(
        teams,
        per_team,
        statistics.median(times),
        queries,
        len(html) / 1024,
        peak / 2**20,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("teams", type=int)
    parser.add_argument("--assessments", type=int, default=8, help="per team (default 8)")
    parser.add_argument("--renders", type=int, default=5, help="timed cold renders (default 5)")
    args = parser.parse_args()
    import django

    django.setup()
    seed(args.teams, args.assessments)
    print(json.dumps(asdict(measure(args.teams, args.assessments, args.renders))))


if __name__ == "__main__":
    main()
