"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "config/settings.py"
CLEAN_ENV = [
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CACHE_URL",
]


def load_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """Evaluate settings.py afresh with exactly these variables set."""
    for name in CLEAN_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_defaults_suit_local_development(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(monkeypatch)
    assert settings["DEBUG"] is True
    assert settings["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert str(settings["DATABASES"]["default"]["NAME"]).endswith("db.sqlite3")
    assert settings["USE_TZ"] is True
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert "SESSION_ENGINE" not in settings  # Django's default: database sessions


def test_an_empty_cache_url_means_local_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(monkeypatch, CACHE_URL="")
    assert settings["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/1", "rediss://:secret@cache.internal:6380/0"]
)
def test_a_redis_url_shares_the_cache_and_sessions(
    monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    settings = load_settings(monkeypatch, CACHE_URL=url)
    assert settings["CACHES"]["default"] == {
        "BACKEND": "config.cache.RedisCache",
        "LOCATION": url,
    }
    assert settings["SESSION_ENGINE"] == "config.sessions"


def test_a_refused_cache_url_does_not_show_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        load_settings(monkeypatch, CACHE_URL="memcached://user:hunter2@cache:11211")
    assert "hunter2" not in str(refused.value)


def test_a_database_other_than_sqlite_or_postgresql_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ImproperlyConfigured, match="SQLite or PostgreSQL"):
        load_settings(monkeypatch, DATABASE_URL="mysql://app:pw@db:3306/maturity")


def test_secret_key_is_required_when_debug_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        load_settings(monkeypatch, DEBUG="0")


def test_production_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(
        monkeypatch,
        DEBUG="false",
        SECRET_KEY="s" * 60,
        DATABASE_URL="postgres://app:pw@db.internal:5432/maturity",
        ALLOWED_HOSTS="maturity.example.com, www.maturity.example.com",
        CSRF_TRUSTED_ORIGINS="https://maturity.example.com",
    )
    database = settings["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal", "maturity")
    assert database["CONN_HEALTH_CHECKS"] is True
    assert settings["ALLOWED_HOSTS"] == ["maturity.example.com", "www.maturity.example.com"]
    assert settings["CSRF_TRUSTED_ORIGINS"] == ["https://maturity.example.com"]
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == "config.storage.StaticFilesStorage"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"CONN_MAX_AGE": "a minute"}, "CONN_MAX_AGE must be a whole number"),
        ({"CACHE_URL": "memcached://127.0.0.1:11211"}, "got scheme 'memcached'"),
        ({"CACHE_URL": "127.0.0.1:6379"}, "CACHE_URL must be empty .* or a redis://"),
        ({"CACHE_URL": "redis:///1"}, "CACHE_URL must name the Redis host"),
    ],
)
def test_malformed_values_stop_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)


@pytest.mark.skipif(
    not os.environ.get("CACHE_URL"),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_the_shared_cache_keeps_one_redis_client_per_pool() -> None:
    from django.core.cache import cache

    clients = {id(cache._cache.get_client(key)) for key in ("a", "b", "c")}  # type: ignore[attr-defined]
    assert len(clients) == 1
    cache.set("greeting", {"hello": "world"}, 30)
    assert cache.get("greeting") == {"hello": "world"}
