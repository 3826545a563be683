"""Two app servers on one database: an edit made by a third process shows at once on both.

This is what runs in production (several gunicorn containers behind a proxy), so
no page may be served from a per-process copy of data that someone else can change.
The servers are real gunicorn processes on their own SQLite file, set up with
`manage.py shell`: pytest's test database is invisible to other processes, so
this test uses its own file even when the suite runs on PostgreSQL. When
CACHE_URL is set (CI's Redis run), the servers share that cache too.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, OpenerDirector, Request, build_opener

import pytest

BASE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "two-servers-pw"
START_TIMEOUT = 30.0  # seconds for a server to answer /healthz
REQUEST_TIMEOUT = 10.0
COMMAND_TIMEOUT = 120.0  # migrate and load_model on a slow machine

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("gunicorn") is None,
    reason="gunicorn is not installed: this test starts two gunicorn servers",
)

# A team with a submitted assessment (for the dashboard) and a draft; its lead; a manager.
SETUP = f"""
import io, json
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from assessments.models import Assessment
from maturity.models import Level, MaturityModel, Practice
from maturity.tree import load_tree
from teams.models import Membership, Team

call_command("migrate", verbosity=0)
call_command("load_model", stdout=io.StringIO())
model = MaturityModel.objects.ready().order_by("pk").last()  # the newest version
team = Team.objects.create(name="Payments", slug="payments")
lead = User.objects.create_user("mira", password={PASSWORD!r})
Membership.objects.create(user=lead, team=team, role=Membership.Role.LEAD)
manager = User.objects.create_user("maria", password={PASSWORD!r})
manager.groups.add(Group.objects.get(name="Managers"))
submitted = Assessment.start(team, model, lead, prefill_from=None)
ids = [p.id for p in load_tree(model.pk).practices]
submitted.save_answers([(pk, "yes", "") for pk in ids])
submitted.submit()
draft = Assessment.start(team, model, lead, prefill_from=None)
level = Level.objects.get(model=model, value=0)
practice = Practice.objects.filter(cell__level=level).select_related("cell__category").first()
print(json.dumps({{"draft": draft.pk, "category": practice.cell.category.slug,
    "practice": practice.pk, "practice_text": practice.text, "level": level.pk,
    "level_name": level.name, "team": team.pk, "team_name": team.name}}))
"""

# Plain saves, as the admin or a script would make them: nobody invalidates anything.
EDIT = """
from maturity.models import Level, Practice
from teams.models import Team

def put(model, pk, field, value):
    row = model.objects.get(pk=pk)
    setattr(row, field, value)
    row.save()
"""


@dataclass(frozen=True)
class Site:
    """What the test knows about the database it set up."""

    env: dict[str, str]
    draft: int
    category: str
    practice: int
    practice_text: str
    level: int
    level_name: str
    team: int
    team_name: str


def manage(env: dict[str, str], *args: str) -> str:
    """Run manage.py in a process of its own and return what it printed."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def site(tmp_path: Path) -> Site:
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("ALLOWED_HOSTS", None)  # the development default allows 127.0.0.1
    ids = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
    return Site(env, **ids)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def launch(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A gunicorn with one worker on a free port, and its URL."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--chdir", str(BASE_DIR)],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return server, f"http://127.0.0.1:{port}"


def wait_until_up(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with build_opener().open(f"{url}/healthz", timeout=REQUEST_TIMEOUT) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or 503 while the database is not ready
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer on {url} within {START_TIMEOUT} s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


@pytest.fixture
def servers(site: Site, tmp_path: Path) -> Iterator[list[str]]:
    """Two servers on the site's database (and on CACHE_URL's cache, when set)."""
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for name in ("a", "b"):
            log = tmp_path / f"gunicorn-{name}.log"
            started.append((*launch(site.env, log), log))
        for server, url, log in started:
            wait_until_up(server, url, log)
        yield [url for _, url, _ in started]
    finally:
        for server, _, _ in started:
            stop(server)


def sign_in(server: str, username: str) -> OpenerDirector:
    """A browser-like client signed in through `server`'s login form."""
    jar = CookieJar()
    client = build_opener(HTTPCookieProcessor(jar))
    client.open(f"{server}/accounts/login/", timeout=REQUEST_TIMEOUT).close()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    request = Request(f"{server}/accounts/login/", data=urlencode(form).encode())
    with client.open(request, timeout=REQUEST_TIMEOUT) as response:
        assert not response.url.endswith("/accounts/login/"), f"{username} was not signed in"
    return client


def page(client: OpenerDirector, url: str) -> str:
    with client.open(url, timeout=REQUEST_TIMEOUT) as response:
        assert response.status == 200, url
        body: bytes = response.read()
        return body.decode()


def test_an_edit_by_another_process_shows_at_once_on_every_server(
    site: Site, servers: list[str]
) -> None:
    # Cookies ignore ports: each session, made through one server, is used on both.
    lead = sign_in(servers[0], "mira")
    manager = sign_in(servers[1], "maria")
    pages = {  # path -> (client, the texts it must show)
        f"/assessments/{site.draft}/edit/{site.category}/": (lead, ["practice", "level", "team"]),
        f"/assessments/{site.draft}/": (lead, ["practice", "level", "team"]),
        "/dashboard/": (manager, ["level", "team"]),
    }

    def stale_pages(texts: dict[str, str]) -> list[str]:
        """Every server and page that does not show its texts (one request each)."""
        stale = []
        for server in servers:
            for path, (client, shown) in pages.items():
                body = page(client, server + path)
                stale += [
                    f"{server}{path}: {what}" for what in shown if escape(texts[what]) not in body
                ]
        return stale

    before = {"practice": site.practice_text, "level": site.level_name, "team": site.team_name}
    assert stale_pages(before) == [], "the pages do not show the texts to be edited"
    # Every page was served once by each server: any cache is warm now.

    after = {what: f"{text} (edited elsewhere)" for what, text in before.items()}
    edits = [
        ("Practice", site.practice, "text", after["practice"]),
        ("Level", site.level, "name", after["level"]),
        ("Team", site.team, "name", after["team"]),
    ]
    manage(
        site.env,
        "shell",
        "-c",
        EDIT + "".join(f"put({m}, {pk}, {f!r}, {v!r})\n" for m, pk, f, v in edits),
    )
    stale = stale_pages(after)
    assert not stale, "stale after the edit: " + "; ".join(stale)
