"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "config/settings.py"
CLEAN_ENV = ["DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS"]


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
    assert "Manifest" in settings["STORAGES"]["staticfiles"]["BACKEND"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"CONN_MAX_AGE": "a minute"}, "CONN_MAX_AGE must be a whole number"),
    ],
)
def test_malformed_values_stop_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load_settings(monkeypatch, **env)
