"""Database outage drill: the app answers quickly while PostgreSQL is down and recovers
by itself when it is back, without a restart.

Starts a throwaway PostgreSQL cluster on its own port (the machine's server is never
touched), migrates it, serves the app with gunicorn and production settings, then:
stops PostgreSQL, checks that /healthz answers 503 and a signed-in page a friendly 503
within a few seconds; starts PostgreSQL again and checks that both answer 200 with the
same gunicorn process. Exits non-zero on any failure. Run by .ci/run.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_PORT, APP_PORT = 54329, 8766
FAST_SECONDS = 5.0


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"PostgreSQL's {name} was not found under /usr/lib/postgresql")
    return found[-1]


def as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: drop to the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def get(path: str, cookie: str = "") -> tuple[int, float, str]:
    """(status, seconds taken, body) of a GET to the app."""
    request = urllib.request.Request(f"http://127.0.0.1:{APP_PORT}{path}")
    if cookie:
        request.add_header("Cookie", cookie)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, time.monotonic() - started, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, time.monotonic() - started, error.read().decode()


def wait_for(path: str, status: int, seconds: float, cookie: str = "") -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get(path, cookie)[0] == status:
                return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


def main() -> None:
    failures: list[str] = []

    def check(condition: bool, message: str) -> None:
        print(("ok   " if condition else "FAIL ") + message)
        if not condition:
            failures.append(message)

    data = Path(tempfile.mkdtemp(prefix="maturity-outage-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    cluster = data / "cluster"
    pg_ctl = [pg_bin("pg_ctl"), "-D", str(cluster), "-w", "-l", str(data / "postgres.log")]
    options = f"-p {PG_PORT} -k {data} -c listen_addresses=127.0.0.1"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres",
        "DB_CONNECT_TIMEOUT": "2",
        "STATIC_ROOT": str(data / "static"),
    }
    python = sys.executable
    server = None
    try:
        subprocess.run(
            as_postgres([pg_bin("initdb"), "-D", str(cluster), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            as_postgres([*pg_ctl, "-o", options, "start"]), check=True, capture_output=True
        )
        manage = [python, str(ROOT / "manage.py")]
        for command in (["migrate", "--noinput"], ["load_model"], ["collectstatic", "--noinput"]):
            subprocess.run([*manage, *command], check=True, env=env, cwd=ROOT, capture_output=True)
        session = (
            subprocess.run(
                [*manage, "shell", "-c", SESSION_SCRIPT],
                check=True,
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        cookie = f"sessionid={session}"
        server = subprocess.Popen(
            [
                str(Path(python).with_name("gunicorn")),
                "config.wsgi",
                f"--bind=127.0.0.1:{APP_PORT}",
                "--workers=2",
                "--timeout=20",
                "--log-level=warning",
            ],
            env=env,
            cwd=ROOT,
        )
        check(wait_for("/healthz", 200, 20), "the app starts and /healthz answers 200")
        check(get("/", cookie)[0] == 200, "a signed-in page answers 200")

        subprocess.run(
            as_postgres([*pg_ctl, "-m", "fast", "stop"]), check=True, capture_output=True
        )
        status, seconds, _ = get("/healthz")
        check(
            status == 503 and seconds < FAST_SECONDS,
            f"with PostgreSQL down, /healthz answers {status} in {seconds:.2f} s",
        )
        for _ in range(3):  # every worker, with its kept connection, meets the outage
            status, seconds, body = get("/", cookie)
            check(
                status == 503 and seconds < FAST_SECONDS and "Temporarily unavailable" in body,
                f"a signed-in page answers {status} in {seconds:.2f} s with the friendly page",
            )

        subprocess.run(
            as_postgres([*pg_ctl, "-o", options, "start"]), check=True, capture_output=True
        )
        check(wait_for("/healthz", 200, 30), "after PostgreSQL is back, /healthz answers 200 again")
        check(
            all(get("/", cookie)[0] == 200 for _ in range(4)),
            "signed-in pages answer 200 again, with the same gunicorn (no restart)",
        )
        check(server.poll() is None, "gunicorn kept running throughout")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(as_postgres([*pg_ctl, "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(data, ignore_errors=True)
    if failures:
        raise SystemExit(f"{len(failures)} outage check(s) failed")
    print("outage drill passed")


SESSION_SCRIPT = """
from django.contrib.auth import get_user_model, SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.create_user("outage", password=None)
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""

if __name__ == "__main__":
    main()
