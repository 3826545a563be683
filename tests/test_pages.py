"""The pages of the foundation: health check, sign-in, home."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from assessments import reports, views
from assessments.models import Assessment
from config import health
from config.security import client_ip

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
    monkeypatch.setattr(health, "connection", BrokenConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "database did not answer" in caplog.text


def test_healthz_refuses_post(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@override_settings(ALLOWED_HOSTS=["maturity.example.com"], SECURE_SSL_REDIRECT=True)
def test_healthz_answers_probes_with_any_host_over_plain_http(client: Client) -> None:
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400  # other pages check


def test_pages_carry_a_strict_content_security_policy(client: Client) -> None:
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("X-Content-Type-Options", "nosniff"),
    ],
)
def test_pages_carry_security_headers(client: Client, header: str, value: str) -> None:
    assert client.get(reverse("login"))[header] == value


def test_repeated_failed_sign_ins_lock_the_account_out(client: Client, member: User) -> None:
    for _ in range(5):
        client.post(reverse("login"), {"username": "mira", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "mira", "password": "pw"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert "_auth_user_id" not in client.session


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


def test_a_server_error_is_logged_with_its_path_and_without_answer_notes(
    client: Client,
    member: User,
    draft: Assessment,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    practice = draft.tree().practices[0]
    draft.save_answers([(practice.id, "yes", "secret note about prod")])

    def broken(assessment: Assessment) -> None:
        raise RuntimeError("report failed")

    monkeypatch.setattr(reports, "record_of", broken)
    client.raise_request_exception = False
    client.force_login(member)
    url = reverse("assessment_result", args=[draft.pk])
    response = client.get(url)
    assert response.status_code == 500
    assert f"Internal Server Error: {url}" in caplog.text
    assert "secret note about prod" not in caplog.text
    assert b"Something went wrong on our side" in response.content


def test_unknown_pages_get_a_finished_404_page(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_pages_answer_a_friendly_503_when_the_database_is_unreachable(
    client: Client, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(user: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "team_summaries", unreachable)
    client.force_login(member)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Temporarily unavailable" in response.content


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.9", "10.0.0.2"),  # a client's own header is ignored
        (True, "198.51.100.7, 203.0.113.9", "203.0.113.9"),  # the address our proxy saw
        (True, "", "10.0.0.2"),
    ],
)
def test_the_lock_out_counts_the_clients_address(
    rf: RequestFactory, behind_proxy: bool, forwarded: str, expected: str
) -> None:
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(BEHIND_TLS_PROXY=behind_proxy):
        assert client_ip(request) == expected


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_an_overlong_user_name_is_a_form_error(client: Client, url_name: str) -> None:
    response = client.post(reverse(url_name), {"username": "x" * 300, "password": "pw"})
    assert response.status_code == 200
    assert b"at most 150 characters" in response.content
