"""`make bench`: each page's throughput as a share of the signed-in floor's, and the
dashboard's cost as the organisation grows.

Pages: starts gunicorn on loopback with production settings against PostgreSQL, fills it
with 200 teams x 8 assessments (seed_scale), warms every page up, then measures them with
wrk in interleaved rounds (every page for a few seconds, then every page again...), so
that a drift in the machine's speed hits every page alike. Each page is asked with the
session of the person who uses it: a member of the team (no manager rights) or a global
manager. Two floors are measured in the same rounds: a trivial view (no session, no
template) and the signed-in floor (a `login_required` view rendering base.html and
nothing else, as the member). Prints a Markdown table: the median of the rounds' req/s,
p50 and p99, each page's share of both floors (the median over the rounds of its req/s
over the floor's in the same round), the goal (the floor at least 30% of the
trivial view, every page at least 50% of the floor) and SQL queries per page. Ends with a
soak: 50 connections on the result page.

Scale: for each size of --scale, the dashboard's cold render (every cache cleared) in a
fresh process with the test client, on its own database (the bench database's name with
`_<teams>` added, seeded once and reused): median ms, queries, HTML size, the Python
heap's peak during the render (bench/scale.py).

Writes everything to bench/results.json. Needs wrk (apt-get install wrk), a PostgreSQL
server (BENCH_DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/maturity_bench,
databases created if missing) and, as in production, Redis for the shared cache
(BENCH_CACHE_URL, by default redis://127.0.0.1:6379/2).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from django.test import Client

    from bench.scale import ScaleRow

ROOT = Path(__file__).resolve().parents[1]
TEAMS, PER_TEAM = 200, 8  # the page run's data
TRIVIAL, FLOOR = "trivial", "signed-in floor"
FLOOR_GOAL = 0.3  # the signed-in floor's share of the trivial view's throughput, at least
PAGE_GOAL = 0.5  # every page's share of the signed-in floor's throughput, at least


@dataclass
class Page:
    name: str
    path: str
    who: str  # whose session asks for it: "member", "manager" or "" (none)


@dataclass
class Run:
    """One wrk run, or the median of several."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx responses and socket errors


@dataclass
class Measurement:
    page: str
    path: str
    who: str
    requests_per_second: float  # median of the rounds
    p50_ms: float
    p99_ms: float
    ratio: float  # to the signed-in floor
    trivial_ratio: float
    goal: str  # e.g. "50% of floor", empty for the trivial view
    met: bool | None
    queries: str  # the first request, then the second
    errors: int
    rounds: list[float]  # req/s of each round


def median_run(runs: list[Run]) -> Run:
    """The median of each figure over the rounds; the errors of all of them."""
    return Run(
        statistics.median(run.requests_per_second for run in runs),
        statistics.median(run.p50_ms for run in runs),
        statistics.median(run.p99_ms for run in runs),
        sum(run.errors for run in runs),
    )


def measurements(
    pages: list[Page], runs: dict[str, list[Run]], queries: dict[str, str]
) -> list[Measurement]:
    """Each page's median run, its shares of both floors and whether it meets its goal."""
    medians = {page.name: median_run(runs[page.name]) for page in pages}
    if not all(run.requests_per_second for run in runs[FLOOR] + runs[TRIVIAL]):
        raise SystemExit("a floor got no answers in time: try a longer --duration")

    def share(page: str, floor: str) -> float:
        """The median over the rounds of the page's req/s over the floor's in the same
        round: a machine that speeds up or slows down between rounds moves both alike."""
        return statistics.median(
            run.requests_per_second / under.requests_per_second
            for run, under in zip(runs[page], runs[floor], strict=True)
        )

    rows = []
    for page in pages:
        run = medians[page.name]
        ratio, trivial_ratio = share(page.name, FLOOR), share(page.name, TRIVIAL)
        goal, met = "", None
        if page.name == FLOOR:
            goal, met = f"{FLOOR_GOAL:.0%} of trivial", trivial_ratio >= FLOOR_GOAL
        elif page.name != TRIVIAL:
            goal, met = f"{PAGE_GOAL:.0%} of floor", ratio >= PAGE_GOAL
        rows.append(
            Measurement(
                page.name,
                page.path,
                page.who,
                run.requests_per_second,
                run.p50_ms,
                run.p99_ms,
                ratio,
                trivial_ratio,
                goal,
                met,
                queries[page.name],
                run.errors,
                [each.requests_per_second for each in runs[page.name]],
            )
        )
    return rows


def pages_table(rows: list[Measurement]) -> str:
    lines = [
        "| page | as | req/s | rounds | p50 ms | p99 ms | share of signed-in floor "
        "| share of trivial | goal | SQL first/second | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        verdict = "" if row.met is None else f": {'ok' if row.met else 'below'}"
        rounds = "/".join(f"{rate:.0f}" for rate in row.rounds)
        lines.append(
            f"| {row.page} | {row.who or 'anonymous'} | {row.requests_per_second:.0f} | {rounds} "
            f"| {row.p50_ms:.1f} | {row.p99_ms:.1f} | {row.ratio:.0%} | {row.trivial_ratio:.0%} "
            f"| {row.goal}{verdict} | {row.queries} | {row.errors} |"
        )
    return "\n".join(lines)


def scale_table(rows: list[ScaleRow]) -> str:
    lines = [
        "| teams | assessments | dashboard cold ms | queries | HTML KB | render peak MB |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row.teams:,} | {row.teams * row.assessments:,} | {row.cold_ms:.0f} | {row.queries} "
        f"| {row.html_kb:.0f} | {row.peak_mb:.1f} |"
        for row in rows
    ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument(
        "--duration", type=int, default=5, help="seconds per page in each round (default 5)"
    )
    parser.add_argument(
        "--warmup", type=int, default=2, help="seconds of warm-up per page (default 2)"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--soak", type=int, default=60, help="soak seconds, 0 to skip (default 60)")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers"
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--scale",
        type=lambda value: [int(size) for size in value.split(",") if size.strip()],
        default="50,200,2000",
        help='teams of the scale table, comma-separated (default "50,200,2000"; "" skips it)',
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maturity_bench"
        ),
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2"),
        help="CACHE_URL of the app, as in production (empty: per-process memory)",
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    return parser.parse_args()


def configure(args: argparse.Namespace, static_root: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.cache_url,
        "STATIC_ROOT": static_root,
        "LOG_LEVEL": "WARNING",
        # The API's throttles still run (their cache reads are part of the cost), but wrk's
        # thousands of requests a second stay under them.
        "API_TOKEN_RATE": "1000000/second",
        "API_USER_RATE": "1000000/second",
    }
    os.environ.update(env)
    return env


def sized_url(url: str, teams: int) -> str:
    """The database of one size of the scale table: the bench database's name + _<teams>."""
    parts = urlparse(url)
    return parts._replace(path=f"{parts.path}_{teams}").geturl()


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def prepare() -> tuple[list[Page], dict[str, str], dict[str, str]]:
    """Data, the pages, the SQL queries of each, and a session cookie for each person."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from assessments.management.commands.seed_scale import PREFIX
    from assessments.models import Assessment
    from bench.scale import seed, seeded_model
    from teams.models import Membership, Team

    seed(TEAMS, PER_TEAM)
    call_command("collectstatic", verbosity=0, interactive=False)
    users = get_user_model().objects
    member, _ = users.get_or_create(username="bench-member")
    manager, _ = users.get_or_create(username="bench-manager")
    manager.groups.add(Group.objects.get(name="Managers"))
    team = Team.objects.get(slug=f"{PREFIX}0000")
    Membership.objects.get_or_create(user=member, team=team)
    model = seeded_model()
    latest = Assessment.objects.submitted().filter(team=team).latest("submitted_at")
    draft = Assessment.objects.drafts().filter(team=team).first() or Assessment.start(
        team, model, member, prefill_from=latest
    )
    pages = [
        Page(TRIVIAL, "/bench/trivial", ""),
        Page(FLOOR, "/bench/signed-in", "member"),
        Page("result", f"/assessments/{latest.pk}/", "member"),
        Page("answers", f"/assessments/{latest.pk}/answers/", "member"),
        Page("questionnaire", f"/assessments/{draft.pk}/edit/testing/", "member"),
        Page("review", f"/assessments/{draft.pk}/review/", "member"),
        Page("team", f"/teams/{team.slug}/", "member"),
        Page("plan", f"/teams/{team.slug}/plan/", "member"),
        Page("member home", "/", "member"),
        Page("manager home", "/", "manager"),
        Page("dashboard", f"/dashboard/?model={model.pk}", "manager"),
        Page("api scores", f"/api/v1/scores/?model={model.slug}:{model.version}", "manager"),
    ]
    clients = {"": Client(), "member": Client(), "manager": Client()}
    clients["member"].force_login(member)
    clients["manager"].force_login(manager)
    cache.clear()
    queries = {page.name: query_count(clients[page.who], page.path) for page in pages}
    cookies = {
        who: f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        for who, client in clients.items()
        if who
    }
    return pages, queries, cookies


def query_count(client: Client, path: str) -> str:
    """SQL queries of a page: "first/second", two requests in a row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    found = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found.append(str(len(captured.captured_queries)))
    return "/".join(found)


def wrk(url: str, seconds: int, connections: int, cookie: str) -> Run:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _milliseconds(re.search(r"50%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"99%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, socket.groups())) if socket else 0)
    return Run(rate, p50, p99, errors)


def _milliseconds(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def start_server(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{args.port}/healthz", timeout=1
            ) as reply:
                if reply.status == 200:
                    return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def measure_pages(
    args: argparse.Namespace, env: dict[str, str], pages: list[Page], cookies: dict[str, str]
) -> tuple[dict[str, list[Run]], Run | None]:
    """Every page's runs, round after round, and the soak's run."""
    server = start_server(args, env)
    base = f"http://127.0.0.1:{args.port}"
    runs: dict[str, list[Run]] = {page.name: [] for page in pages}
    try:
        for page in pages:
            wrk(base + page.path, args.warmup, args.connections, cookies.get(page.who, ""))
        for _ in range(args.rounds):
            for page in pages:
                cookie = cookies.get(page.who, "")
                runs[page.name].append(
                    wrk(base + page.path, args.duration, args.connections, cookie)
                )
        result = next(page for page in pages if page.name == "result")
        soak = wrk(base + result.path, args.soak, 50, cookies["member"]) if args.soak else None
    finally:
        server.terminate()
        server.wait(timeout=30)
    return runs, soak


def measure_scale(args: argparse.Namespace, teams: int) -> ScaleRow:
    """The dashboard at one size, in a fresh process on that size's own database."""
    from bench.scale import ScaleRow

    url = sized_url(args.database_url, teams)
    ensure_database(url)
    output = subprocess.run(
        [sys.executable, "-m", "bench.scale", str(teams), f"--assessments={PER_TEAM}"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    return ScaleRow(**json.loads(output))


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it with `apt-get install wrk`.")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as static_root:  # collectstatic's, for every process
        env = configure(args, static_root)
        ensure_database(args.database_url)
        pages, queries, cookies = prepare()
        runs, soak = measure_pages(args, env, pages, cookies)
        rows = measurements(pages, runs, queries)
        print(
            f"{args.workers} gunicorn workers, {args.connections} connections, {args.rounds} "
            f"interleaved rounds of {args.duration} s per page (median shown), "
            f"{TEAMS} teams x {PER_TEAM} assessments on PostgreSQL\n"
        )
        print(pages_table(rows))
        if soak:
            print(
                f"\nSoak: {args.soak} s at 50 connections on the result page: "
                f"{soak.requests_per_second:.0f} req/s, p50 {soak.p50_ms:.1f} ms, "
                f"p99 {soak.p99_ms:.1f} ms, {soak.errors} non-2xx responses or socket errors."
            )
        scale = [measure_scale(args, teams) for teams in args.scale]
    if scale:
        print("\nThe dashboard's cold render (every cache cleared), in-process:\n")
        print(scale_table(scale))
    report = {
        "workers": args.workers,
        "connections": args.connections,
        "rounds": args.rounds,
        "seconds_per_round": args.duration,
        "warmup_seconds": args.warmup,
        "teams": TEAMS,
        "assessments_per_team": PER_TEAM,
        "floors": {
            row.page: row.requests_per_second for row in rows if row.page in (TRIVIAL, FLOOR)
        },
        "pages": [asdict(row) for row in rows],
        "soak": soak and {"seconds": args.soak, **asdict(soak)},
        "scale": [asdict(row) for row in scale],
    }
    args.json.write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {args.json}")
    failed = [row.page for row in rows if row.errors] + (["soak"] if soak and soak.errors else [])
    if failed:
        raise SystemExit(f"non-2xx/3xx responses or socket errors: {', '.join(failed)}")


if __name__ == "__main__":
    main()
