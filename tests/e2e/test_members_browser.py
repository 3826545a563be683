"""Team self-service in a real browser: a lead adds a member by e-mail, and the new
member signs in and finds the team."""

from __future__ import annotations

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from .conftest import ON_THE_BROWSER_WORKER, PASSWORD, screenshot, serious_violations, sign_in

pytestmark = ON_THE_BROWSER_WORKER


def test_a_lead_adds_a_member_who_signs_in_and_sees_the_team(
    page: Page,
    live_server: object,
    world: dict[str, User],
    django_user_model: type[User],
    console_errors: list[str],
) -> None:
    base = str(live_server)
    django_user_model.objects.create_user(
        "nia", email="nia@example.com", password=PASSWORD, first_name="Nia", last_name="Okafor"
    )
    sign_in(page, base, "mira")
    page.goto(f"{base}/teams/payments/members/")
    page.get_by_label("User name or e-mail").fill("NIA@example.com")
    page.get_by_label("Role").select_option("member")
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page.get_by_text("Done: you added nia as a member.")).to_be_visible()
    expect(page.locator(".members-table")).to_contain_text("Nia Okafor")
    expect(page.locator(".membership-log")).to_contain_text("added nia as a member")
    assert serious_violations(page) == []
    screenshot(page, "lead-members")

    page.context.clear_cookies()
    sign_in(page, base, "nia")
    page.get_by_role("link", name="Payments", exact=True).click()
    expect(page.get_by_role("heading", name="Payments", exact=False).first).to_be_visible()
    page.goto(f"{base}/teams/payments/members/")
    expect(page.get_by_text("You are reading this list")).to_be_visible()
    expect(page.get_by_role("button", name="Add", exact=True)).to_have_count(0)
