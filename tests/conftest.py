from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings
from pytest_django import DjangoDbBlocker
from pytest_django.plugin import validate_django_db

from assessments.models import Assessment
from maturity import generation
from maturity.management.commands.load_model import BUNDLED_MODEL_FILES
from maturity.modelfile import parse
from maturity.models import MaturityModel
from maturity.tree import PracticeNode, load_tree
from teams.models import Membership, Team, Unit

# The default model's newest version: what new assessments start on.
DEFAULT_MODEL_FILE = BUNDLED_MODEL_FILES[-1]
DEFAULT_VERSION = parse(DEFAULT_MODEL_FILE.read_text(encoding="utf-8")).version
# The model tree's two queries (levels; practices with their cells and categories), which
# a shared cache keeps under the data generation after the first (maturity/tree.py).
TREE_QUERIES = 0 if generation.is_shared() else 2
# The assessment as its pages read it, which a shared cache keeps under the data
# generation after the first (assessments/access.py).
ASSESSMENT_QUERIES = 0 if generation.is_shared() else 1


# Property-based tests check results, not time: no deadline, which a busy machine trips.
# In CI they draw the same examples every run: a failure there is reproducible, never a
# flake. Locally they explore, and remember what failed.
hypothesis_settings.register_profile("local", deadline=None)
hypothesis_settings.register_profile("ci", deadline=None, derandomize=True, database=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "local")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # A file, not SQLite's shared in-memory database: the live server answers the
        # browser tests' requests in threads, and the page's script saves several answers
        # at once. In memory a write meets "database table is locked" at once; a file
        # waits for the other write, as the app's own SQLite file does.
        folder = Path(tempfile.mkdtemp(prefix="maturity-tests-"))
        database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    # Pinned query counts include reading the session: keep it a query with a shared
    # cache too (cached_db sessions are exercised by tests/test_two_processes.py).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: ids are reused between tests. Django's
    per-process cache of content types too, so a query count does not depend on
    which tests ran before."""
    for each in caches.all():
        each.clear()
    ContentType.objects.clear_cache()


def run_command(*args: str) -> str:
    """Run a management command and return what it printed."""
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


# The database every test starts from: migrated, with the bundled model loaded once per
# session. A test runs in a transaction that is rolled back, so what it changes goes away;
# a transactional test (transaction=True, transactional_db, live_server) instead empties
# every table when it ends, and the snapshot is put back before the next test.
SESSION_DATA = pytest.StashKey[tuple[DjangoDbBlocker, str]]()


@pytest.fixture(scope="session")
def django_db_setup(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, request: pytest.FixtureRequest
) -> Iterator[None]:
    """pytest-django's test database, plus the bundled model, loaded once for the session."""
    with django_db_blocker.unblock():
        run_command("load_model", str(DEFAULT_MODEL_FILE))
        snapshot = connection.creation.serialize_db_to_string()
    request.config.stash[SESSION_DATA] = (django_db_blocker, snapshot)
    yield
    with django_db_blocker.unblock():
        end_other_sessions()


def end_other_sessions() -> None:
    """Before the test database is dropped: a thread of the browser tests (the live
    server's, or the one Playwright's event loop runs Django in) may still hold a
    connection of its own, and PostgreSQL refuses to drop a database in use."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def flushes_the_database(item: pytest.Item) -> bool:
    """Whether pytest-django runs `item` as a TransactionTestCase, which flushes at its end."""
    marker = item.get_closest_marker("django_db")
    transaction, reset_sequences, *_ = validate_django_db(marker) if marker else (False, False)
    names = getattr(item, "fixturenames", ())
    return bool(
        transaction
        or reset_sequences
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names)
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    try:
        return (yield)
    finally:
        if nextitem is not None and flushes_the_database(item):
            restore_session_data(item.config)


def restore_session_data(config: pytest.Config) -> None:
    """Put back the session's database after a transactional test flushed it."""
    if SESSION_DATA not in config.stash:
        return  # no test has used the database yet
    blocker, snapshot = config.stash[SESSION_DATA]
    with blocker.unblock():
        if MaturityModel.objects.filter(slug="continuous-delivery").exists():
            return  # not flushed: the test was skipped before it reached the database
        # The flush re-created content types and permissions with new ids: start empty.
        call_command(
            "flush",
            interactive=False,
            verbosity=0,
            reset_sequences=False,  # restored rows keep their ids: new ones come after
            inhibit_post_migrate=True,
        )
        connection.creation.deserialize_db_from_string(snapshot)
        # As the flush before it: leave no connection open. While Playwright's event loop
        # runs, this is a connection of its own, which would keep the test database from
        # being dropped at the end on PostgreSQL.
        connection.close()
    ContentType.objects.clear_cache()  # it may hold the ids the flush gave out


@pytest.fixture
def cd_model(db: None) -> MaturityModel:
    """The bundled continuous-delivery model, as `load_model` loads it (once per session)."""
    return MaturityModel.objects.get(slug="continuous-delivery")


@pytest.fixture
def no_model(db: None) -> None:
    """The database as `migrate` leaves it: the session's model deleted in this test only."""
    MaturityModel.objects.all().delete()


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


@pytest.fixture
def units(payments: Team, mobile: Team) -> dict[str, Unit]:
    """Engineering > Payments platform (Payments' unit); Sales (Mobile's unit)."""
    engineering = Unit.objects.create(name="Engineering", slug="engineering")
    platform = Unit.objects.create(
        name="Payments platform", slug="payments-platform", parent=engineering
    )
    sales = Unit.objects.create(name="Sales", slug="sales")
    Team.objects.filter(pk=payments.pk).update(unit=platform)
    Team.objects.filter(pk=mobile.pk).update(unit=sales)
    return {"engineering": engineering, "platform": platform, "sales": sales}


@pytest.fixture
def unit_manager(units: dict[str, Unit], django_user_model: type[User]) -> User:
    """A manager of Engineering: sees Payments, whose unit is below it."""
    user = django_user_model.objects.create_user("uma", password="pw")
    units["engineering"].managers.add(user)
    return user


@pytest.fixture
def other_unit_manager(units: dict[str, Unit], django_user_model: type[User]) -> User:
    """A manager of Sales: sees Mobile, not Payments."""
    user = django_user_model.objects.create_user("otto", password="pw")
    units["sales"].managers.add(user)
    return user


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="(\w+)"')


def tokens_of_two_views(client: Client, url: str) -> list[list[str]]:
    """The CSRF tokens of two views of a page, in page order (the menu's sign-out form
    first): every mark of kept content replaced (maturity.markup), and no token of one
    view in the other, so none was kept with the content."""
    pages = [client.get(url).content.decode() for _ in range(2)]
    assert all("csrf-token" not in page for page in pages)
    found = [CSRF_TOKEN.findall(page) for page in pages]
    assert not set(found[0]) & set(found[1]), "a token repeated: kept with the content"
    return found


def answer_all(assessment: Assessment, status_for: Callable[[PracticeNode], str]) -> None:
    """Answer every active practice of the assessment's model."""
    tree = load_tree(assessment.model_id)
    assessment.save_answers([(p.id, status_for(p), "") for p in tree.practices])


def mark_latest(assessments: Iterable[Assessment]) -> None:
    """Mark each team's latest of each model among submitted `assessments` written in bulk
    (of teams with nothing else submitted), as Assessment.mark_latest marks a submission."""
    latest: dict[tuple[int, int], tuple[datetime, int]] = {}
    for assessment in assessments:
        assert assessment.submitted_at is not None
        this = (assessment.submitted_at, assessment.pk)
        key = (assessment.team_id, assessment.model_id)
        latest[key] = max(latest.get(key, this), this)
    Assessment.objects.filter(pk__in=[pk for _, pk in latest.values()]).update(is_latest=True)


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
