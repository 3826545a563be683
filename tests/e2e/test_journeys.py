"""The main journeys, in a real browser."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from assessments.models import Assessment
from maturity.models import MaturityModel, Practice
from teams.models import Team

from .conftest import ON_THE_BROWSER_WORKER, screenshot, sign_in

pytestmark = ON_THE_BROWSER_WORKER


def tab_until(page: Page, condition: str, limit: int = 60) -> None:
    """Press Tab until `condition` (JavaScript over `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return {condition}; }}"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def answer_page_with_keyboard(page: Page) -> None:
    """Answer "yes" to every statement and go on, with the keyboard alone."""
    groups = page.locator("input[type=radio][value=yes]").count()
    page.locator("h1").click()  # start from the heading, as a reader would
    for _ in range(groups):
        tab_until(page, "el.type === 'radio' && !el.checked")
        page.keyboard.press("Space")
    tab_until(page, "el.name === 'go' && el.value === 'next'")
    page.keyboard.press("Enter")


def answer_page_with_mouse(page: Page, status: str = "yes") -> None:
    radios = page.locator(f"input[type=radio][value={status}]")
    for index in range(radios.count()):
        radios.nth(index).check()
    page.get_by_role("button", name="Save and").last.click()


def missing_count(page: Page, base: str, assessment_id: int) -> int:
    page.goto(f"{base}/assessments/{assessment_id}/review/")
    return page.locator(".missing-list li").count()


def test_member_answers_every_category_submits_and_sees_the_result(
    page: Page, live_server: object, world: dict[str, User], console_errors: list[str]
) -> None:
    base = str(live_server)
    sign_in(page, base, "mira")
    page.get_by_role("link", name="Start new assessment").click()
    page.get_by_role("button", name="Start").click()
    assessment = Assessment.objects.get()
    expect(page.locator("h1")).to_have_text("Build management and continuous integration")

    answer_page_with_keyboard(page)  # the first page with the keyboard only
    expect(page.locator("h1")).to_have_text("Environments and deployment")
    screenshot(page, "member-questionnaire")
    missing = [missing_count(page, base, assessment.pk)]
    for category in assessment.tree().categories[1:]:
        page.goto(f"{base}/assessments/{assessment.pk}/edit/{category.slug}/")
        answer_page_with_mouse(page)
        missing.append(missing_count(page, base, assessment.pk))
    assert missing == sorted(missing, reverse=True) and missing[-1] == 0 < missing[0]
    expect(page.get_by_text("✓ complete")).to_have_count(6)
    screenshot(page, "member-review")
    page.get_by_role("button", name="Submit assessment").click()
    expect(page.get_by_text("Submit this assessment of Payments now?")).to_be_visible()
    page.get_by_role("button", name="Yes, submit").click()

    expect(page.get_by_text("Submitted. Here is where your team stands.")).to_be_visible()
    expect(page.locator("svg.radar")).to_be_visible()
    expect(page.get_by_role("heading", name="Next steps")).to_be_visible()
    expect(page.locator(".result-table tbody tr")).to_have_count(6)
    screenshot(page, "member-result")
    assessment.refresh_from_db()
    assert assessment.submitted_at is not None


def submitted_history(users: dict[str, User]) -> None:
    """Payments at level 1, Mobile at level 0 with a stronger build area."""
    from tests.conftest import answer_all, up_to

    model = MaturityModel.objects.get()
    for slug, level in (("payments", 1), ("mobile", 0)):
        assessment = Assessment.start(
            Team.objects.get(slug=slug), model, users["mira"], prefill_from=None
        )
        answer_all(
            assessment,
            up_to(level)
            if slug == "payments"
            else lambda p: "yes" if p.level <= 0 or p.key.startswith("build.") else "no",
        )
        assessment.submit()


def test_manager_sorts_the_dashboard_overlays_two_teams_and_downloads_csv(
    page: Page, live_server: object, world: dict[str, User], console_errors: list[str]
) -> None:
    submitted_history(world)
    base = str(live_server)
    sign_in(page, base, "maria")
    page.get_by_role("link", name="Open the dashboard").click()  # from the summary
    heatmap = page.locator("table.heatmap")
    page.get_by_role("link", name="Build management and continuous integration").click()
    expect(heatmap.locator("th[aria-sort='descending']")).to_have_count(1)
    expect(heatmap.locator("tbody tr").first).to_contain_text("Mobile")  # build 3.0 vs 1.0
    page.get_by_label("Payments").check()
    page.get_by_label("Mobile").check()
    page.get_by_role("button", name="Show on the radar").click()
    legend = page.locator("svg.radar .legend")
    expect(legend).to_contain_text("Organisation mean")
    expect(legend).to_contain_text("Payments")
    expect(legend).to_contain_text("Mobile")
    expect(heatmap.locator("tbody tr").first).to_contain_text("Mobile")  # the sort is kept
    screenshot(page, "manager-dashboard")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert rows[0][0] == "team" and {row[0] for row in rows[1:]} == {"Mobile", "Payments"}


def test_admin_rewords_a_practice_and_retires_another_and_the_questionnaire_follows(
    page: Page, live_server: object, world: dict[str, User], console_errors: list[str]
) -> None:
    base = str(live_server)
    reworded = Practice.objects.get(key="build.0.versioned-scripts")
    retired = Practice.objects.get(key="build.0.scheduled-build")
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/admin/maturity/practice/{reworded.pk}/change/")
    page.get_by_label("Text").fill("Our build scripts live in the repository beside the code.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{base}/admin/maturity/practice/{retired.pk}/change/")
    page.get_by_label("Is active").uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    screenshot(page, "admin-practices")
    page.context.clear_cookies()

    sign_in(page, base, "mira")
    page.get_by_role("link", name="Start new assessment").click()
    page.get_by_role("button", name="Start").click()
    expect(
        page.get_by_text("Our build scripts live in the repository beside the code.")
    ).to_be_visible()
    expect(page.get_by_text(retired.text)).to_have_count(0)
