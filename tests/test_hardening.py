"""What an outside test of the running app found: forms in another charset, bad admin
filters, guessing the old password, the CSRF failure page, gunicorn's Server header."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.request import urlopen
from wsgiref.util import setup_testing_defaults

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from config.wsgi import application

if TYPE_CHECKING:  # what the test client returns
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

BASE_DIR = Path(__file__).resolve().parents[1]
GUNICORN_CONFIG = "config/gunicorn_conf.py"

pytestmark = pytest.mark.django_db


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> bool:
    return not [record for record in caplog.records if record.levelno >= logging.ERROR]


def csrf_client(url: str, user: User | None = None) -> tuple[Client, str]:
    """A client that checks CSRF as a browser meets it, and the token `url`'s form holds."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    assert client.get(url).status_code == 200
    return client, client.cookies["csrftoken"].value


# Form posts in another charset: the sign-in page and a questionnaire page.

FormPage = Callable[[User, Assessment], tuple[Client, str, str]]


def sign_in_page(member: User, draft: Assessment) -> tuple[Client, str, str]:
    client, token = csrf_client(reverse("login"))
    return client, reverse("login"), f"csrfmiddlewaretoken={token}&username=mira&password=pw"


def questionnaire_page(member: User, draft: Assessment) -> tuple[Client, str, str]:
    url = reverse("assessment_edit", args=[draft.pk, "build"])
    client, token = csrf_client(url, member)
    practice = draft.tree().category("build").practices[0]  # type: ignore[union-attr]
    return client, url, f"csrfmiddlewaretoken={token}&go=stay&p{practice.id}-status=yes"


@pytest.mark.parametrize("page", [sign_in_page, questionnaire_page])
@pytest.mark.parametrize("charset", ["utf-7", "latin-1", "us-ascii", "no-such-charset"])
def test_a_form_post_in_another_charset_gets_the_finished_400_page(
    member: User,
    draft: Assessment,
    page: FormPage,
    charset: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, url, body = page(member, draft)
    response = client.generic(
        "POST",
        url,
        body.encode(),
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert [t.name for t in response.templates][:2] == ["400.html", "base.html"]
    assert "Content-Security-Policy" in response
    assert no_errors_logged(caplog)
    assert not draft.answers.exists()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_content_type_django_cannot_read_gets_a_400_not_a_500(db: None, method: str) -> None:
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    environ |= {
        "REQUEST_METHOD": method,
        "PATH_INFO": reverse("login"),
        "SERVER_NAME": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "text/plain; a*=nope''x",  # RFC 2231, an unknown charset
    }
    statuses = []

    def start_response(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        statuses.append(status)

    body = b"".join(application(environ, start_response))
    assert statuses == ["400 Bad Request"] and b"That request could not be read" in body


@pytest.mark.parametrize("charset", ["", "; charset=UTF-8"])
def test_a_utf8_form_post_still_signs_in(member: User, charset: str) -> None:
    client, token = csrf_client(reverse("login"))
    response = client.generic(
        "POST",
        reverse("login"),
        f"csrfmiddlewaretoken={token}&username=mira&password=pw".encode(),
        content_type=f"application/x-www-form-urlencoded{charset}",
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)


# Admin change lists with filters the database or the date hierarchy cannot take.


@pytest.mark.parametrize(
    ("changelist", "query"),
    [
        ("maturity_practice", "cell__category__name=%00"),
        ("assessments_assessment", "created_at__year=99999999999"),
        ("assessments_assessment", "created_at__year=2026&created_at__month=99999999999"),
        ("planning_target", "due__year=99999999999"),
    ],
)
def test_a_bad_admin_filter_gets_the_finished_400_page(
    admin_client: Client,
    submitted: Assessment,
    changelist: str,
    query: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = admin_client.get(f"{reverse(f'admin:{changelist}_changelist')}?{query}")
    if "%00" in query and connection.vendor != "postgresql":
        assert response.status_code == 200  # SQLite takes NUL: the filter matches nothing
    else:
        assert response.status_code == 400
        assert response.templates[0].name == "400.html"
    assert no_errors_logged(caplog)


def test_an_admin_list_failing_without_filters_is_still_a_server_error(
    admin_client: Client, cd_model: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise ValueError("a bug of ours")

    monkeypatch.setattr("django.contrib.admin.views.main.ChangeList.get_results", broken)
    admin_client.raise_request_exception = False
    assert admin_client.get(reverse("admin:maturity_practice_changelist")).status_code == 500


# The password change counts wrong old passwords as sign-in does.


def change_password(client: Client, old: str, new: str = "a-new-long-passphrase") -> Response:
    form = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(reverse("password_change"), form)


def test_wrong_old_passwords_lock_the_password_change_and_sign_in(
    client: Client, member: User
) -> None:
    client.force_login(member)
    limit = settings.AXES_FAILURE_LIMIT
    statuses = [change_password(client, "wrong").status_code for _ in range(limit)]
    assert statuses == [200] * (limit - 1) + [429]
    locked = change_password(client, "pw")  # the right one, refused unchecked
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    member.refresh_from_db()
    assert member.check_password("pw")
    sign_in = Client().post(reverse("login"), {"username": "mira", "password": "pw"})
    assert sign_in.status_code == 429


def test_the_password_change_opens_again_after_the_cool_off(client: Client, member: User) -> None:
    client.force_login(member)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        change_password(client, "wrong")
    assert change_password(client, "pw").status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - settings.AXES_COOLOFF_TIME)
    assert change_password(client, "pw").status_code == 302


def test_a_right_old_password_clears_the_count(client: Client, member: User) -> None:
    client.force_login(member)
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        change_password(client, "wrong")
    assert change_password(client, "pw", new="short").status_code == 200  # new one too short
    statuses = [change_password(client, "wrong").status_code for _ in range(limit - 1)]
    assert statuses == [200] * (limit - 1)


def test_the_admins_password_change_is_the_throttled_one(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:password_change"))
    assert response["Location"] == reverse("password_change")


# The CSRF failure page.


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_failed_csrf_check_gets_a_finished_403_page(member: User, signed_in: bool) -> None:
    client = Client(enforce_csrf_checks=True)
    if signed_in:
        client.force_login(member)
    response = client.post(reverse("login"), {"username": "mira", "password": "pw"})
    assert response.status_code == 403
    assert [t.name for t in response.templates][:2] == ["403_csrf.html", "base.html"]
    page = response.content.decode()
    assert "That form has expired" in page
    assert "style=" not in page and "<style" not in page


# Gunicorn, as the Docker image starts it.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    """A gunicorn with the image's config file on a free port; its URL."""
    port = free_port()
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", GUNICORN_CONFIG]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_with_the_images_config_sends_no_server_header(gunicorn: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urlopen(f"{gunicorn}/healthz", timeout=5) as response:
                assert response.status == 200
                assert response.headers["Server"] is None
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize("launcher", ["docker/start.sh", "Dockerfile"])
def test_the_image_starts_gunicorn_with_that_config(launcher: str) -> None:
    assert f"--config {GUNICORN_CONFIG}" in (BASE_DIR / launcher).read_text()
