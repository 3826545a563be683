"""Browser tests: Playwright driving the system Chromium against a live server.

Skipped, with the reason, where no Chromium is installed (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from playwright.sync_api import ConsoleMessage, Page

from teams.models import Membership, Team

# The live server runs in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = next(
    (
        path
        for path in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
        if path and Path(path).exists()
    ),
    None,
)
if CHROMIUM is None:
    pytest.skip(
        "browser tests need Chromium: apt-get install chromium (or set CHROMIUM=/path)",
        allow_module_level=True,
    )


# One test worker runs every browser test (make test's `--dist loadgroup`): one Chromium
# and one live server instead of one per worker, which on a small machine take the time
# the other worker needs for the rest of the suite.
ON_THE_BROWSER_WORKER = pytest.mark.xdist_group("browser")

SCREENSHOTS = Path(__file__).parent / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-4.11.4.min.js"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def console_errors(page: Page) -> Iterator[list[str]]:
    """Errors the page logs: a CSP violation shows up here. Asserted empty after each test."""
    errors: list[str] = []

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield errors
    assert errors == [], errors


@pytest.fixture
def world(transactional_db: None, django_user_model: type[User]) -> dict[str, User]:
    """Two teams, a member of each, a manager and an admin; the model is the session's."""
    payments = Team.objects.create(name="Payments", slug="payments")
    mobile = Team.objects.create(name="Mobile", slug="mobile")
    users = {
        name: django_user_model.objects.create_user(name, password=PASSWORD)
        for name in ("mira", "omar", "maria")
    }
    Membership.objects.create(user=users["mira"], team=payments, role=Membership.Role.LEAD)
    Membership.objects.create(user=users["omar"], team=mobile)
    # A transactional test flushes the tables, the "Managers" group of the migration too.
    managers, _ = Group.objects.get_or_create(name="Managers")
    managers.permissions.add(Permission.objects.get(codename="view_all_teams"))
    users["maria"].groups.add(managers)
    users["admin"] = django_user_model.objects.create_superuser("admin", password=PASSWORD)
    return users


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def serious_violations(page: Page, ignore: Sequence[str] = ()) -> list[str]:
    """axe-core's serious and critical findings on the current page, but the rules in
    `ignore`."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => [v.id, `${v.id}: ${v.help} ("
        "${v.nodes.map(n => n.target.join(' ')).join(', ')})`])"
    )
    return [text for rule, text in found if rule not in ignore]
