"""The dashboard and the result at a phone's width and a laptop's: nothing wider than the
screen, the team column in view, a radar worth reading, a JSON download, a print view."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, PdfMargins, expect

from assessments.models import Assessment, DeliveryMetrics
from maturity.models import MaturityModel
from teams.models import Team

from ..conftest import answer_all, up_to
from .conftest import ON_THE_BROWSER_WORKER, screenshot, sign_in

pytestmark = ON_THE_BROWSER_WORKER

WIDTHS = [375, 1366]


@pytest.fixture
def results(world: dict[str, User]) -> Assessment:
    """Payments from level 0 to level 1, but data management fell back, with its delivery
    outcomes; Mobile at level 0. Returns Payments' latest."""
    model = MaturityModel.objects.get()
    latest = None
    for slug, day, level_of in [
        ("payments", 1, up_to(0)),
        ("mobile", 2, up_to(0)),
        ("payments", 3, lambda p: "no" if p.key.startswith("data.") else up_to(1)(p)),
    ]:
        team = Team.objects.get(slug=slug)
        latest = Assessment.start(team, model, world["mira"], prefill_from=None)
        answer_all(latest, level_of)
        if day == 3:
            outcomes = {"lead_time": 4, "deployment_frequency": 3, "recovery_time": 5}
            DeliveryMetrics.objects.create(
                assessment=latest, **outcomes, change_fail_rate=10, rework_rate=5
            )
        latest.submit(world["mira"], at=datetime(2026, 3, day, tzinfo=timezone.utc))
    assert latest is not None
    return latest


def page_width(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_dashboard_fits_the_screen_and_keeps_the_team_column_in_view(
    page: Page, live_server: object, results: Assessment, console_errors: list[str], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, str(live_server), "maria")
    page.goto(f"{live_server}/dashboard/")
    assert page_width(page) <= width
    scroller = page.locator(".table-responsive").filter(has=page.locator("table.heatmap"))
    scroller.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    team = page.locator("table.heatmap tbody th").first
    expect(team).to_contain_text("Mobile")
    box, shown = scroller.bounding_box(), team.bounding_box()
    assert box is not None and shown is not None
    assert shown["x"] == pytest.approx(box["x"], abs=1)  # still at the left, not scrolled away
    screenshot(page, f"finish-dashboard-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_result_names_the_level_colours_changes_and_draws_a_large_radar(
    page: Page, live_server: object, results: Assessment, console_errors: list[str], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, str(live_server), "mira")
    page.goto(f"{live_server}/assessments/{results.pk}/")
    assert page_width(page) <= width
    expect(page.locator(".overall")).to_contain_text("0.7 0 · Repeatable")
    rise, drop = page.locator(".result-table .change-up").first, page.locator(".change-down")
    expect(rise).to_contain_text("▲")
    expect(drop).to_contain_text("▼")
    colours = {
        cell.evaluate("el => getComputedStyle(el).color")
        for cell in (rise, drop, page.locator("h1"))
    }
    assert len(colours) == 3
    rings = page.locator("svg.radar g.grid").bounding_box()
    assert rings is not None
    assert rings["width"] >= (width / 2 if width < 576 else 300)
    screenshot(page, f"finish-result-{width}")


def test_the_json_download_is_an_attachment_and_the_result_prints_on_one_page(
    page: Page, live_server: object, results: Assessment, console_errors: list[str]
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, str(live_server), "mira")
    page.goto(f"{live_server}/assessments/{results.pk}/")
    with page.expect_download(timeout=5000) as download:
        page.get_by_role("link", name="Download JSON").click()
    assert download.value.suggested_filename == f"payments-assessment-{results.pk}.json"
    expect(page).to_have_url(f"{live_server}/assessments/{results.pk}/")  # still on the page
    sent = page.request.get(f"{live_server}/assessments/{results.pk}/export.json")
    assert sent.headers["content-disposition"].startswith("attachment;")

    printing = page.get_by_role("button", name="Print / save as PDF")
    expect(printing).to_be_visible()
    page.evaluate("() => { window.print = () => { document.body.dataset.printed = 'yes'; }; }")
    printing.click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(printing).to_be_hidden()
    margins: PdfMargins = {"top": "10mm", "right": "10mm", "bottom": "10mm", "left": "10mm"}
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, margin=margins)
        assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1, paper
