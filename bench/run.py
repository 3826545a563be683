"""`make bench`: the main pages' throughput as a share of the signed-in floor's.

Starts gunicorn on loopback with production settings against PostgreSQL, fills it
with 200 teams x 8 assessments (seed_scale), warms up, then measures each page with
wrk for a fixed time, signed in with a session cookie. Prints a Markdown table (req/s,
p50, p99, ratio to the signed-in floor (a `login_required` view rendering base.html and
nothing else) and to a trivial view, both measured in the same run, SQL queries per page)
and writes the same as JSON. Ends with a soak: 50 connections on the result page.

Needs wrk (apt-get install wrk), a PostgreSQL server (BENCH_DATABASE_URL, by default
postgres://postgres@127.0.0.1:5432/maturity_bench, created if missing) and, as in
production, Redis for the shared cache (BENCH_CACHE_URL, by default
redis://127.0.0.1:6379/2).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
# Every page should serve at least half the signed-in floor's requests per second.
TARGETS = dict.fromkeys(["result", "questionnaire", "team", "dashboard", "api scores"], 0.5)


@dataclass
class Measurement:
    page: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    ratio: float  # to the signed-in floor
    trivial_ratio: float
    queries: str  # the first request, then the second (warm connections)
    errors: int
    target: float | None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (default 10)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="seconds of warm-up per page (default 3)"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--soak", type=int, default=60, help="soak seconds, 0 to skip (default 60)")
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1), help="gunicorn workers"
    )
    parser.add_argument("--port", type=int, default=8765)
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


def prepare() -> tuple[dict[str, str], str]:
    """Data, a signed-in session and the pages to measure."""
    import django

    django.setup()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from assessments.models import Assessment
    from maturity.models import MaturityModel
    from teams.models import Membership, Team

    call_command("migrate", verbosity=0)
    call_command("load_model", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("collectstatic", verbosity=0, interactive=False)
    if Team.objects.filter(slug__startswith="scale-").count() != 200:
        call_command("seed_scale", teams=200, assessments=8, replace=True)
    user, _ = get_user_model().objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get(name="Managers"))
    team = Team.objects.get(slug="scale-0000")
    Membership.objects.get_or_create(user=user, team=team)
    model = MaturityModel.objects.ready().first()
    assert model is not None  # load_model has just run
    draft = Assessment.objects.drafts().filter(team=team).first() or Assessment.start(
        team, model, user, prefill_from=Assessment.objects.submitted().filter(team=team).first()
    )
    latest = Assessment.objects.submitted().filter(team=team).latest("submitted_at")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    pages = {
        "trivial": "/bench/trivial",
        "signed-in floor": "/bench/signed-in",
        "healthz": "/healthz",
        "result": f"/assessments/{latest.pk}/",
        "questionnaire": f"/assessments/{draft.pk}/edit/testing/",
        "team": f"/teams/{team.slug}/",
        "dashboard": "/dashboard/",
        "api scores": "/api/v1/scores/",
    }
    return pages, str(session.session_key)


def query_counts(pages: dict[str, str], session_key: str) -> dict[str, str]:
    """SQL queries per page: "first/second", two requests in a row."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    counts = {}
    for name, path in pages.items():
        found = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            found.append(str(len(captured.captured_queries)))
        counts[name] = "/".join(found)
    return counts


def wrk(url: str, seconds: int, connections: int, cookie: str) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx/3xx responses and socket errors)."""
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
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
    return rate, p50, p99, errors


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


def table(rows: list[Measurement]) -> str:
    lines = [
        "| page | req/s | p50 ms | p99 ms | share of signed-in floor | share of trivial "
        "| target | SQL first/second | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        target = f"{row.target:.0%}" if row.target else ""
        verdict = "" if row.target is None else (" ok" if row.ratio >= row.target else " below")
        lines.append(
            f"| {row.page} | {row.requests_per_second:.0f} | {row.p50_ms:.1f} | {row.p99_ms:.1f} "
            f"| {row.ratio:.0%}{verdict} | {row.trivial_ratio:.0%} | {target} "
            f"| {row.queries} | {row.errors} |"
        )
    return "\n".join(lines)


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it with `apt-get install wrk`.")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as static_root:
        env = configure(args, static_root)
        ensure_database(args.database_url)
        pages, session_key = prepare()
        counts = query_counts(pages, session_key)
        counts["healthz"] = "1/1"  # answered before sessions: SELECT 1
        server = start_server(args, env)
        cookie = f"sessionid={session_key}"
        base = f"http://127.0.0.1:{args.port}"
        try:
            measured: dict[str, tuple[float, float, float, int]] = {}
            for name, path in pages.items():
                wrk(base + path, args.warmup, args.connections, cookie)
                measured[name] = wrk(base + path, args.duration, args.connections, cookie)
            soak = wrk(base + pages["result"], args.soak, 50, cookie) if args.soak else None
        finally:
            server.terminate()
            server.wait(timeout=30)
    floor, trivial = measured["signed-in floor"][0], measured["trivial"][0]
    rows = [
        Measurement(
            name,
            pages[name],
            rate,
            p50,
            p99,
            rate / floor,
            rate / trivial,
            counts[name],
            errors,
            TARGETS.get(name),
        )
        for name, (rate, p50, p99, errors) in measured.items()
    ]
    print(
        f"{args.workers} gunicorn workers, {args.connections} connections, "
        f"{args.duration} s per page, 200 teams x 8 assessments on PostgreSQL\n"
    )
    print(table(rows))
    report: dict[str, object] = {"pages": [asdict(row) for row in rows], "workers": args.workers}
    if soak:
        rate, p50, p99, errors = soak
        print(
            f"\nSoak: {args.soak} s at 50 connections on the result page: {rate:.0f} req/s, "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {errors} non-2xx responses or socket errors."
        )
        report["soak"] = {
            "seconds": args.soak,
            "requests_per_second": rate,
            "p50_ms": p50,
            "p99_ms": p99,
            "errors": errors,
        }
    args.json.write_text(json.dumps(report, indent=2))
    print(f"\nJSON: {args.json}")
    if soak and soak[3]:
        raise SystemExit("the soak saw errors")


if __name__ == "__main__":
    main()
