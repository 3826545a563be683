"""The navigation that every page renders and an object's links (config/navigation.py):
worked out once per process, still right wherever the site is mounted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse, set_script_prefix

from assessments.models import Assessment


def test_the_menu_links_follow_the_prefix_the_site_is_mounted_under(
    client: Client, member: User
) -> None:
    client.force_login(member)
    change_password = reverse("password_change")
    logout = reverse("logout")
    try:
        for prefix in ("", "/maturity", ""):  # as a WSGI server sets it on each request
            set_script_prefix(f"{prefix}/")
            page = client.get("/").content.decode()
            assert f'href="{prefix}{change_password}"' in page
            assert f'action="{prefix}{logout}"' in page
    finally:
        set_script_prefix("/")


def test_an_objects_links_follow_the_prefix_too(
    client: Client, member: User, draft: Assessment
) -> None:
    client.force_login(member)
    review = reverse("assessment_review", args=[draft.pk])
    links = [reverse(name, args=[draft.pk]) for name in ("assessment_result", "assessment_discard")]
    links.append(reverse("assessment_edit", args=[draft.pk, "build"]))  # a category's page
    team = reverse("team_detail", args=[draft.team.slug])
    try:
        for prefix in ("", "/maturity", ""):
            set_script_prefix(f"{prefix}/")
            page = client.get(review).content.decode()
            assert all(f'href="{prefix}{link}"' in page for link in [*links, team])
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("kept", ["plan", "team", "questionnaire", "dashboard"])
def test_a_kept_page_follows_the_prefix_too(
    client: Client, member: User, manager: User, draft: Assessment, kept: str
) -> None:
    plan = reverse("team_plan", args=["payments"])
    reader, page, link = {
        "plan": (member, plan, f'action="{{}}{plan}"'),  # the targets', adding an item's
        "team": (member, reverse("team_detail", args=["payments"]), f'href="{{}}{plan}"'),
        "questionnaire": (
            member,
            reverse("assessment_edit", args=[draft.pk, "build"]),
            f'href="{{}}{reverse("assessment_review", args=[draft.pk])}"',
        ),
        "dashboard": (manager, reverse("dashboard"), f'href="{{}}{reverse("dashboard_csv")}"'),
    }[kept]
    client.force_login(reader)
    try:
        for prefix in ("", "/maturity", ""):
            set_script_prefix(f"{prefix}/")
            assert link.format(prefix) in client.get(page).content.decode()
    finally:
        set_script_prefix("/")
