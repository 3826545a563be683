from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from maturity.models import MaturityModel

DEFAULT_MODEL_FILE = Path(__file__).resolve().parents[1] / "maturity/data/continuous-delivery.yaml"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_command(*args: str) -> str:
    """Run a management command and return what it printed."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def cd_model(db: None) -> MaturityModel:
    """The bundled continuous-delivery model, loaded as `load_model` does."""
    run_command("load_model")
    return MaturityModel.objects.get(slug="continuous-delivery")


def pytest_report_header(config: pytest.Config) -> str:
    from django.conf import settings

    database = settings.DATABASES["default"]
    return f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"
