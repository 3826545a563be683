"""The questionnaire saves each answer as it changes (static/js/questionnaire.js)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect

from assessments.models import Answer, Assessment, MemberAnswer
from maturity.models import MaturityModel
from teams.models import Membership, Team

from .conftest import ON_THE_BROWSER_WORKER, PASSWORD, screenshot, sign_in

pytestmark = ON_THE_BROWSER_WORKER


def start_draft(lead: User) -> Assessment:
    payments = Team.objects.get(slug="payments")
    return Assessment.start(payments, MaturityModel.objects.get(), lead, prefill_from=None)


def practice(page: Page, practice_id: int) -> Locator:
    return page.locator(f"[data-practice='{practice_id}']")


def choose(page: Page, field: str, status: str) -> None:
    page.locator(f"input[type=radio][name='{field}'][value='{status}']").check()


def test_answers_and_notes_are_kept_without_pressing_save(
    page: Page, live_server: object, world: dict[str, User], console_errors: list[str]
) -> None:
    assessment = start_draft(world["mira"])
    first, second = assessment.tree().categories[:2]
    answered, noted, not_applicable = first.practices[:3]
    base = str(live_server)
    sign_in(page, base, "mira")
    page.goto(f"{base}/assessments/{assessment.pk}/edit/{first.slug}/")

    choose(page, f"p{answered.id}-status", "partly")
    practice(page, answered.id).locator("summary").click()
    practice(page, answered.id).locator("textarea").fill("Only main builds on every push.")
    practice(page, noted.id).locator("summary").click()
    practice(page, noted.id).locator("textarea").fill("Ask the platform team.")
    page.locator("h1").click()  # leaves the note: it is saved at once
    for each in (answered, noted):
        expect(practice(page, each.id).locator(".save-state")).to_have_text("Saved")

    # Not applicable needs a note: the page asks for it rather than sending a refusal.
    choose(page, f"p{not_applicable.id}-status", "na")
    note = practice(page, not_applicable.id).locator("textarea")
    expect(note).to_be_focused()
    expect(practice(page, not_applicable.id).locator(".save-state")).to_contain_text(
        "Not saved yet"
    )
    note.fill("We ship no database.")
    expect(practice(page, not_applicable.id).locator(".save-state")).to_have_text("Saved")

    progress = page.get_by_role("navigation", name="Questionnaire progress")
    progress.get_by_role("link", name=second.name).click()
    expect(page.locator("h1")).to_have_text(second.name)
    progress.get_by_role("link", name=first.name).click()
    expect(page.locator("h1")).to_have_text(first.name)

    expect(page.locator(f"input[name='p{answered.id}-status'][value=partly]")).to_be_checked()
    expect(practice(page, answered.id).locator("textarea")).to_have_value(
        "Only main builds on every push."
    )
    expect(practice(page, noted.id).locator("textarea")).to_have_value("Ask the platform team.")
    expect(page.locator(f"input[name='p{not_applicable.id}-status'][value=na]")).to_be_checked()
    rows = Answer.objects.filter(assessment=assessment)
    assert {row.practice_id: (row.status, row.note) for row in rows} == {
        answered.id: ("partly", "Only main builds on every push."),
        noted.id: ("", "Ask the platform team."),
        not_applicable.id: ("na", "We ship no database."),
    }


def test_members_votes_show_their_spread_and_the_agreed_ones_become_team_answers(
    page: Page,
    live_server: object,
    world: dict[str, User],
    console_errors: list[str],
    browser: Browser,
    browser_context_args: dict[str, Any],
    django_user_model: type[User],
) -> None:
    sam = django_user_model.objects.create_user("sam", password=PASSWORD)
    Membership.objects.create(user=sam, team=Team.objects.get(slug="payments"))
    assessment = start_draft(world["mira"])
    first = assessment.tree().categories[0]
    both_yes, both_no, yes_partly, yes_no = (p.id for p in first.practices[:4])
    url = f"{live_server}/assessments/{assessment.pk}/edit/{first.slug}/"
    votes = {
        "mira": {both_yes: "yes", both_no: "no", yes_partly: "yes", yes_no: "yes"},
        "sam": {both_yes: "yes", both_no: "no", yes_partly: "partly", yes_no: "no"},
    }
    expected = {
        both_yes: ("Yes 2 · Partly 0 · No 0 · N/a 0", "agree", "= All agree"),
        both_no: ("Yes 0 · Partly 0 · No 2 · N/a 0", "agree", "= All agree"),
        yes_partly: ("Yes 1 · Partly 1 · No 0 · N/a 0", "disagree", "≠ Members disagree"),
        yes_no: ("Yes 1 · Partly 0 · No 1 · N/a 0", "strong", "‼ Strong disagreement"),
    }

    def vote(on: Page, username: str) -> None:
        sign_in(on, str(live_server), username)
        on.goto(url)
        for practice_id, status in votes[username].items():
            choose(on, f"p{practice_id}-my-status", status)
        for practice_id in votes[username]:
            expect(practice(on, practice_id).locator(".save-state")).to_have_text("Saved")

    def shows_the_votes(on: Page) -> None:
        for practice_id, (counts, spread, mark) in expected.items():
            line = on.locator(f"[data-votes='{practice_id}']")
            expect(line.locator(".vote-counts")).to_have_text(counts)
            expect(line).to_have_attribute("data-spread", spread)
            expect(line.locator(".spread-mark")).to_contain_text(mark)

    vote(page, "mira")
    expect(page.locator(f"[data-votes='{yes_no}'] .vote-counts")).to_have_text(
        "Yes 1 · Partly 0 · No 0 · N/a 0"
    )
    context = browser.new_context(**browser_context_args)
    try:
        other = context.new_page()
        other_errors: list[str] = []

        def record(message: ConsoleMessage) -> None:
            if message.type == "error":
                other_errors.append(message.text)

        other.on("console", record)
        other.on("pageerror", lambda error: other_errors.append(str(error)))
        vote(other, "sam")
        shows_the_votes(other)  # from the saves' replies
        assert other_errors == []
    finally:
        context.close()
    assert MemberAnswer.objects.filter(assessment=assessment).count() == 8

    page.reload()
    shows_the_votes(page)  # as the page is drawn
    screenshot(page, "member-votes")
    page.get_by_role("button", name="Use the agreed answers").click()
    expect(page.get_by_text("2 team answers set from the members' agreed answers")).to_be_visible()
    expect(page.locator(f"input[name='p{both_yes}-status'][value=yes]")).to_be_checked()
    expect(page.locator(f"input[name='p{both_no}-status'][value=no]")).to_be_checked()
    for disputed in (yes_partly, yes_no):
        expect(page.locator(f"input[name='p{disputed}-status']:checked")).to_have_count(0)
    team = Answer.objects.filter(assessment=assessment).exclude(status="")
    assert dict(team.values_list("practice_id", "status")) == {both_yes: "yes", both_no: "no"}
