"""From score to outcome to plan, in a real browser: the team gives its delivery outcomes,
submits, sees them and the level they question on the result, and puts a next step on
its plan."""

from __future__ import annotations

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from assessments.models import Assessment
from maturity.models import MaturityModel
from planning.models import PlanItem
from teams.models import Team

from ..conftest import answer_all, up_to
from .conftest import ON_THE_BROWSER_WORKER, screenshot, sign_in

pytestmark = ON_THE_BROWSER_WORKER


def test_outcomes_a_fired_check_and_a_next_step_on_the_plan(
    page: Page, live_server: object, world: dict[str, User], console_errors: list[str]
) -> None:
    base = str(live_server)
    model = MaturityModel.objects.ready().order_by("pk").last()
    assert model is not None
    payments = Team.objects.get(slug="payments")
    draft = Assessment.start(payments, model, world["mira"], prefill_from=None)
    answer_all(draft, up_to(2))  # environments at Quantitatively managed
    sign_in(page, base, "mira")

    page.goto(f"{base}/assessments/{draft.pk}/outcomes/")
    page.get_by_label("Once a month to once every six months").check()
    page.get_by_label("Less than one day").first.check()  # lead time
    page.get_by_label("What share of deployments need immediate intervention").fill("12")
    page.get_by_role("button", name="Save and review").click()
    expect(page.get_by_text("Saved your delivery outcomes.")).to_be_visible()
    page.get_by_role("button", name="Submit assessment").click()
    page.get_by_role("button", name="Yes, submit").click()

    expect(page.get_by_role("heading", name="Delivery outcomes")).to_be_visible()
    expect(page.locator(".outcomes-table")).to_contain_text("Once a month to once every six months")
    expect(page.locator(".outcomes-table")).to_contain_text("12%")
    expect(page.get_by_role("heading", name="Worth a question")).to_be_visible()
    expect(page.locator(".fired-check")).to_contain_text("deploy to production once a week")
    screenshot(page, "member-result-outcomes")

    card = page.locator(".add-to-plan")
    card.get_by_role("button", name="Add to plan").first.click()
    expect(page.get_by_text("added to the plan", exact=False)).to_be_visible()
    item = PlanItem.objects.get()
    assert item.status == PlanItem.Status.OPEN and item.from_assessment_id == draft.pk

    page.goto(f"{base}/teams/payments/")
    expect(page.get_by_role("heading", name="Targets and plan")).to_be_visible()
    expect(page.get_by_text(item.title)).to_be_visible()
    screenshot(page, "member-team-plan")
