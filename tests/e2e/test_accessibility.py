"""axe-core on every main page: no serious or critical violations."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from assessments.models import Assessment
from maturity.models import MaturityModel
from teams.models import Team, Unit

from ..conftest import answer_all, up_to
from .conftest import ON_THE_BROWSER_WORKER, serious_violations, sign_in

pytestmark = ON_THE_BROWSER_WORKER


@pytest.fixture
def history(world: dict[str, User]) -> dict[str, int]:
    """Payments: one submitted assessment and a draft."""
    model = MaturityModel.objects.get()
    payments = Team.objects.get(slug="payments")
    done = Assessment.start(payments, model, world["mira"], prefill_from=None)
    answer_all(done, up_to(1))
    done.submit()
    draft = Assessment.start(payments, model, world["mira"], prefill_from=done)
    return {"submitted": done.pk, "draft": draft.pk}


def test_sign_in_page(
    page: Page, live_server: object, world: dict[str, User], console_errors: list[str]
) -> None:
    page.goto(f"{live_server}/accounts/login/")
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/teams/payments/",
        "/assessments/{submitted}/",
        "/assessments/{draft}/edit/build/",
        "/assessments/{draft}/review/",
        "/teams/payments/assessments/new/",
        "/teams/payments/members/",
        "/teams/payments/plan/",
        "/assessments/{submitted}/answers/",
        "/assessments/{draft}/outcomes/",
        "/account/tokens/",
        "/accounts/password_change/",
    ],
)
def test_member_pages(
    page: Page, live_server: object, history: dict[str, int], console_errors: list[str], path: str
) -> None:
    sign_in(page, str(live_server), "mira")
    page.goto(f"{live_server}{path.format(**history)}")
    assert serious_violations(page) == []


def test_dashboard(
    page: Page, live_server: object, history: dict[str, int], console_errors: list[str]
) -> None:
    sign_in(page, str(live_server), "maria")
    page.goto(f"{live_server}/dashboard/?teams=payments")
    assert serious_violations(page) == []


@pytest.mark.parametrize(
    "path", ["/", "/dashboard/", "/dashboard/?unit=engineering", "/teams/payments/members/"]
)
def test_manager_pages_with_units(
    page: Page,
    live_server: object,
    history: dict[str, int],
    console_errors: list[str],
    path: str,
) -> None:
    engineering = Unit.objects.create(name="Engineering", slug="engineering")
    platform = Unit.objects.create(name="Payments platform", slug="platform", parent=engineering)
    Team.objects.filter(slug="payments").update(unit=platform)
    Team.objects.filter(slug="mobile").update(unit=engineering)
    sign_in(page, str(live_server), "maria")
    page.goto(f"{live_server}{path}")
    assert page.locator("main").count() == 1
    assert serious_violations(page) == []


def test_api_docs(page: Page, live_server: object, world: dict[str, User]) -> None:
    sign_in(page, str(live_server), "mira")
    page.goto(f"{live_server}/api/docs/")
    page.get_by_text("/api/v1/teams/", exact=True).first.wait_for()
    # Swagger UI (vendored, not ours) nests each operation's buttons in a clickable row.
    assert serious_violations(page, ignore=["nested-interactive"]) == []
