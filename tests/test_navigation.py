"""The navigation that every page renders and an object's links (config/navigation.py):
worked out once per process, still right wherever the site is mounted."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import reverse, set_script_prefix

from assessments.models import Assessment
from maturity.markup import kept_content, page_with
from teams.models import Team

from .conftest import tokens_of_two_views


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


def test_the_menu_shows_the_users_name_and_rights_as_they_are_at_each_request(
    client: Client, member: User
) -> None:
    """The bar is written once per name and rights (config/navigation.py), read anew."""
    client.force_login(member)
    assert "Signed in as </span>mira</summary>" in client.get("/").content.decode()
    member.username = "<b>mira</b>"
    member.save()
    page = client.get("/").content.decode()
    assert "Signed in as </span>&lt;b&gt;mira&lt;/b&gt;</summary>" in page
    assert f'href="{reverse("admin:index")}"' not in page
    User.objects.filter(pk=member.pk).update(is_staff=True)  # no signal sent
    assert f'href="{reverse("admin:index")}"' in client.get("/").content.decode()
    client.logout()
    assert "Signed in as" not in client.get(reverse("login")).content.decode()


def test_each_page_signs_out_with_a_token_of_its_own(member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    tokens = tokens_of_two_views(client, "/")
    assert [len(found) for found in tokens] == [1, 1]
    assert client.post(reverse("logout")).status_code == 403  # no token: refused
    response = client.post(reverse("logout"), {"csrfmiddlewaretoken": tokens[1][0]})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out: to the sign-in page


@pytest.mark.parametrize("kept", ["team_detail", "team_plan"])
def test_a_kept_content_beyond_ascii_reaches_the_page_as_utf8(
    client: Client, member: User, kept: str
) -> None:
    """Content is kept encoded (maturity.markup.page_with); the page around it is not."""
    Team.objects.filter(slug="payments").update(name="Paiements – Zürich ▲")
    client.force_login(member)
    response = client.get(reverse(kept, args=["payments"]))
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode("utf-8")
    assert page.count("Paiements – Zürich ▲") >= 2  # the title, around; and the content
    assert page.index("<title>") < page.index('<main id="main"') < page.rindex("Zürich")


def test_a_page_without_a_place_for_its_kept_content_is_an_error_not_a_lost_content(
    rf: RequestFactory, member: User
) -> None:
    request = rf.get("/")
    request.user = member
    with pytest.raises(ImproperlyConfigured, match=r"base\.html does not write"):
        page_with(request, "base.html", {}, kept_content("<p>Kept</p>"))


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
