"""The navigation that every page renders: its links worked out once per process, still
right wherever the site is mounted."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse, set_script_prefix


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
