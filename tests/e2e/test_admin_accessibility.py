"""axe-core on this project's admin pages: no serious or critical violations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import FilePayload, Page

from api.models import AccessToken
from assessments.models import Assessment
from maturity.loader import export_spec
from maturity.modelfile import dump
from maturity.models import MaturityModel
from planning.models import PlanItem, Target
from reminders.models import Reminder
from teams import members
from teams.models import MembershipChange, Team, Unit

from ..conftest import answer_all, up_to
from .conftest import ON_THE_BROWSER_WORKER, serious_violations, sign_in

pytestmark = ON_THE_BROWSER_WORKER

PROJECT_APPS = {"maturity", "teams", "assessments", "planning", "reminders", "api"}


@pytest.fixture
def rows(world: dict[str, User]) -> None:
    """A row of every model registered in the admin, for its change page."""
    model = MaturityModel.objects.get()
    payments = Team.objects.get(slug="payments")
    payments.unit = Unit.objects.create(name="Engineering", slug="engineering")
    payments.save()
    assessment = Assessment.start(payments, model, world["mira"], prefill_from=None)
    answer_all(assessment, up_to(1))
    assessment.submit()
    members.record(payments, world["admin"], MembershipChange.Action.ADDED, world["mira"], "lead")
    Target.objects.create(team=payments, category="build", level=2, due=date(2027, 6, 30))
    PlanItem.objects.create(team=payments, title="Automate the build", owner=world["mira"])
    Reminder.objects.create(
        recipient=world["mira"], kind=Reminder.Kind.OVERDUE_TEAM, subject_id=1, description="x"
    )
    AccessToken.objects.issue(world["admin"], "CI", None)


def registered_pages(superuser: User) -> Iterator[str]:
    """The list, add and change page of every model this project registers."""
    request = RequestFactory().get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in PROJECT_APPS:
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):
            yield reverse(f"{name}_add")
        obj = model_admin.get_queryset(request).first()
        assert obj is not None, f"no {opts.verbose_name} to open the change page of"
        yield reverse(f"{name}_change", args=[obj.pk])


def assert_none(found: dict[str, list[str]]) -> None:
    """One line per page and finding, so that a failure lists them all."""
    lines = [f"{name}: {issue}" for name, issues in found.items() for issue in issues]
    assert not lines, "\n".join(lines)


def test_every_list_add_and_change_page(
    page: Page,
    live_server: object,
    world: dict[str, User],
    rows: None,
) -> None:
    sign_in(page, str(live_server), "admin")
    found: dict[str, list[str]] = {}
    for path in ["/admin/", *registered_pages(world["admin"])]:
        page.goto(f"{live_server}{path}")
        found[path] = serious_violations(page)
    assert_none(found)


def test_pages_reached_through_uploads_and_actions(
    page: Page,
    live_server: object,
    world: dict[str, User],
    rows: None,
) -> None:
    base = str(live_server)
    sign_in(page, base, "admin")
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found[name] = serious_violations(page)

    page.goto(f"{base}{reverse('admin:maturity_maturitymodel_import')}")
    check("import")
    model = MaturityModel.objects.get()
    edited = dump(export_spec(model)).replace("Build management", "Building", 1)
    upload: FilePayload = {
        "name": "m.yaml",
        "mimeType": "application/yaml",
        "buffer": edited.encode(),
    }
    page.locator("input[type=file]").set_input_files(files=[upload])
    page.get_by_role("button", name="Import").click()
    page.get_by_role("button", name="Apply these changes").wait_for()
    check("update preview")
    page.get_by_role("button", name="Apply these changes").click()
    page.get_by_text("Updated Continuous delivery").wait_for()
    check("model page after the update")

    page.goto(f"{base}{reverse('admin:maturity_maturitymodel_changelist')}")
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("clone_as_new_version")
    page.get_by_role("button", name="Go").click()
    check("clone")

    page.goto(f"{base}{reverse('admin:assessments_assessment_changelist')}")
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("void_selected")
    page.get_by_role("button", name="Go").click()
    check("void")

    page.goto(f"{base}{reverse('admin:teams_team_add')}")
    page.get_by_text("Add another Membership").click()
    check("a team with a membership row added")

    page.goto(f"{base}{reverse('admin:teams_team_import')}")
    check("organisation import")
    practice = model.practices.first()
    assert practice is not None
    page.goto(f"{base}{reverse('admin:maturity_practice_delete', args=[practice.pk])}")
    check("delete a practice")
    assert_none(found)
