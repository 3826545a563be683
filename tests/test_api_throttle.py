"""The read API's rates: per token and per user (whatever the token or session), from
the environment; a request past either gets 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from rest_framework.throttling import UserRateThrottle

from api.models import AccessToken
from api.throttles import TokenRateThrottle
from tests.test_settings import load_settings

API = "/api/v1/teams/"

TOKEN_RATE = 3
USER_RATE = 5


@pytest.fixture(autouse=True)
def low_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """DRF's throttles read the rates when their class is defined: set them there."""
    rates = {"token": f"{TOKEN_RATE}/minute", "user": f"{USER_RATE}/minute"}
    for throttle in (TokenRateThrottle, UserRateThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


def bearer(user: User) -> Client:
    _, plain = AccessToken.objects.issue(user, "CI", None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}")


def statuses(client: Client, requests: int) -> list[int]:
    return [client.get(API).status_code for _ in range(requests)]


def test_a_token_past_its_rate_gets_429_with_retry_after(member: User) -> None:
    client = bearer(member)
    assert statuses(client, TOKEN_RATE) == [200] * TOKEN_RATE
    refused = client.get(API)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"]


def test_two_tokens_of_one_user_share_the_users_rate(member: User) -> None:
    first, second = bearer(member), bearer(member)
    assert statuses(first, TOKEN_RATE) == [200] * TOKEN_RATE
    assert statuses(second, USER_RATE - TOKEN_RATE + 1) == [200, 200, 429]
    assert "Retry-After" in second.get(API)


def test_requests_a_token_was_refused_do_not_use_up_its_owners_rate(member: User) -> None:
    runaway = bearer(member)
    assert statuses(runaway, TOKEN_RATE + 3)[TOKEN_RATE:] == [429] * 3
    session = Client()
    session.force_login(member)
    # the user's rate counts only the requests answered: TOKEN_RATE of USER_RATE
    assert statuses(session, USER_RATE - TOKEN_RATE + 1) == [200, 200, 429]


def test_a_rate_that_cannot_be_read_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    for rate in ("600", "600 per minute", "fast"):
        with pytest.raises(ImproperlyConfigured, match="API_TOKEN_RATE"):
            load_settings(monkeypatch, API_TOKEN_RATE=rate)


def test_another_user_is_unaffected(member: User, outsider: User) -> None:
    assert statuses(bearer(member), TOKEN_RATE + 1)[-1] == 429
    assert bearer(outsider).get(API).status_code == 200


def test_a_session_user_is_limited_per_user(member: User) -> None:
    client = Client()
    client.force_login(member)
    assert statuses(client, USER_RATE + 1) == [200] * USER_RATE + [429]
    assert "Retry-After" in client.get(API)


def test_the_rates_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(monkeypatch, API_TOKEN_RATE="10/second", API_USER_RATE="50/hour")
    rates = settings["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates == {"token": "10/second", "user": "50/hour"}


def test_the_default_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_TOKEN_RATE", raising=False)
    monkeypatch.delenv("API_USER_RATE", raising=False)
    rates = load_settings(monkeypatch)["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates == {"token": "600/minute", "user": "1200/minute"}
