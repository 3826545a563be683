"""The pages of the foundation: health check, sign-in, home."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from maturity import views

pytestmark = pytest.mark.django_db


class BrokenConnection:
    def cursor(self) -> None:
        raise OperationalError("could not connect to server")


def test_healthz_answers_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_answers_503_when_the_database_does_not(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(views, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "database did not answer" in caplog.text


def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


def test_home_sends_anonymous_visitors_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_page_renders(client: Client) -> None:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_sign_in_leads_to_home(client: Client, member: User) -> None:
    response = client.post(reverse("login"), {"username": "mira", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert b"Your teams" in response.content


def test_wrong_password_is_refused_with_a_message(client: Client, member: User) -> None:
    response = client.post(reverse("login"), {"username": "mira", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_sign_out_needs_a_post_and_ends_the_session(client: Client, member: User) -> None:
    client.force_login(member)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/").status_code == 200  # still signed in
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_page_is_styled_and_protected(client: Client, member: User) -> None:
    assert client.get(reverse("password_change")).status_code == 302
    client.force_login(member)
    response = client.get(reverse("password_change"))
    assert response.status_code == 200
    assert b"Change your password" in response.content
