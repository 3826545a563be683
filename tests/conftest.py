from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import settings as hypothesis_settings

from assessments.models import Assessment
from maturity.models import MaturityModel
from maturity.tree import PracticeNode, load_tree
from teams.models import Membership, Team

DEFAULT_MODEL_FILE = Path(__file__).resolve().parents[1] / "maturity/data/continuous-delivery.yaml"


# In CI, property-based tests draw the same examples every run: a failure there is
# reproducible, never a flake. Locally they explore, and remember what failed.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: ids are reused between tests."""
    cache.clear()


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


# Personas: a member of Payments, a member of another team, a manager, an admin.
@pytest.fixture
def payments(db: None) -> Team:
    return Team.objects.create(name="Payments", slug="payments")


@pytest.fixture
def mobile(db: None) -> Team:
    return Team.objects.create(name="Mobile", slug="mobile")


@pytest.fixture
def member(payments: Team, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("mira", password="pw")
    Membership.objects.create(user=user, team=payments, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def outsider(mobile: Team, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("omar", password="pw")
    Membership.objects.create(user=user, team=mobile)
    return user


@pytest.fixture
def manager(db: None, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("maria", password="pw")
    user.groups.add(Group.objects.get(name="Managers"))
    return user


def answer_all(assessment: Assessment, status_for: Callable[[PracticeNode], str]) -> None:
    """Answer every active practice of the assessment's model."""
    tree = load_tree(assessment.model_id)
    assessment.save_answers(
        [(p.id, status_for(p), "") for p in tree.practices], [p.id for p in tree.practices]
    )


def up_to(level: int) -> Callable[[PracticeNode], str]:
    """Yes for every practice up to `level`, no above it."""
    return lambda practice: "yes" if practice.level <= level else "no"


@pytest.fixture
def submitted(cd_model: MaturityModel, payments: Team, member: User) -> Assessment:
    """Payments' submitted assessment: level 1 everywhere."""
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, up_to(1))
    assessment.submit()
    return assessment


@pytest.fixture
def draft(cd_model: MaturityModel, payments: Team, member: User) -> Assessment:
    return Assessment.start(payments, cd_model, member, prefill_from=None)
