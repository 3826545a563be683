"""A database made by the schema before Team and Membership moved to the teams app
migrates forward with all its data, and back again (issue 10, item 1); on the way it
gains members' own answers (0011) with every team answer kept.

Each test takes the test database to one schema, fills it through the historical models
of that schema, migrates, and compares every row, read through the models of the schema
it arrived at. Migrations cannot run inside the test's transaction on every backend,
hence `transaction=True`; each test ends with the database at the latest migrations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import pytest
from django.apps import apps as current_apps
from django.apps.registry import Apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from assessments.models import Answer, Assessment, CategoryResult, MemberAnswer
from assessments.scoring import rounded
from maturity.models import Cell, MaturityModel
from teams.access import is_manager
from teams.models import DEFAULT_CADENCE_DAYS, Membership, MembershipChange, Team, Unit

Target = tuple[str, str | None]  # (app, migration); None: before its first

# The leaf migrations before Team and Membership moved, when they lived in assessments.
OLD_SCHEMA: list[Target] = [
    ("assessments", "0004_team_updated_at"),
    ("maturity", "0002_model_revision"),
    ("teams", None),
    ("planning", None),
]
OLD_TEAM_APP = "assessments"
NEW_TEAM_APP = "teams"
# Where each schema keeps the "view every team" permission of managers.
MANAGER_PERMISSION_HOME = {
    OLD_TEAM_APP: ("assessments", "assessment"),
    NEW_TEAM_APP: ("teams", "team"),
}

# The sample data: one maturity model, two teams, their people, two assessments. The
# test database may hold other rows (the bundled model): they are compared too.
MODEL = {"slug": "sample-cd", "version": "1", "name": "Sample delivery model"}
LEVELS = [(0, "Base"), (1, "Beginner"), (2, "Intermediate")]
CATEGORIES = [("build", "Build", 1), ("test", "Test", 2)]
PRACTICES = {  # (category, level value) -> key
    ("build", 1): "build.1.scripted",
    ("build", 2): "build.2.versioned-artifacts",
    ("test", 1): "test.1.unit-tests",
    ("test", 2): "test.2.contract-tests",
}
TEAMS = {"payments": "Payments", "mobile": "Mobile"}
MEMBERSHIPS = {
    ("mira", "payments", "lead"),
    ("pete", "payments", "member"),
    ("omar", "mobile", "lead"),
}
MANAGER = "maria"  # in the Managers group, member of no team
EDITOR = "ada"  # staff who may change teams in the admin; the admin log entry is hers
CREATED_AT = datetime(2026, 9, 30, 14, 0, tzinfo=timezone.utc)
SUBMITTED_AT = datetime(2026, 10, 1, 9, 30, tzinfo=timezone.utc)
SUBMITTED_ANSWERS = {  # Payments' submitted assessment: key -> (status, note)
    "build.1.scripted": ("yes", ""),
    "build.2.versioned-artifacts": ("partly", "Only for the API"),
    "test.1.unit-tests": ("yes", ""),
    "test.2.contract-tests": ("no", ""),
}
RESULTS = {"build": (1, 1.5), "test": (1, 1.25)}  # category -> (level, score)
DRAFT_ANSWERS = {"build.1.scripted": ("na", "We ship a config file, nothing to build")}
CHANGE_MESSAGE = '[{"changed": {"fields": ["Name"]}}]'

# The columns both schemas have, table by table: all of them but the two removed
# (Team.updated_at, MaturityModel.revision). None as app: the app that holds the teams.
KEPT_COLUMNS: list[tuple[str | None, str, tuple[str, ...]]] = [
    ("maturity", "MaturityModel", ("id", "name", "slug", "version", "description", "is_active")),
    ("maturity", "Level", ("id", "model_id", "value", "name", "description")),
    (
        "maturity",
        "Category",
        ("id", "model_id", "slug", "name", "description", "order", "is_active"),
    ),
    ("maturity", "Cell", ("id", "category_id", "level_id", "summary", "advice")),
    (
        "maturity",
        "Practice",
        ("id", "model_id", "cell_id", "key", "text", "help", "order", "is_active"),
    ),
    (None, "Team", ("id", "name", "slug")),
    (None, "Membership", ("id", "user_id", "team_id", "role")),
    (
        "assessments",
        "Assessment",
        (
            "id",
            "team_id",
            "model_id",
            "created_by_id",
            "created_at",
            "submitted_at",
            "notes",
            "prefilled_from_id",
        ),
    ),
    ("assessments", "Answer", ("id", "assessment_id", "practice_id", "status", "note")),
    ("assessments", "CategoryResult", ("id", "assessment_id", "category_id", "level", "score")),
    ("auth", "User", ("id", "username", "is_staff", "is_superuser", "is_active")),
    ("auth", "Group", ("id", "name")),
    ("auth", "Permission", ("id", "codename", "name")),
    (
        "admin",
        "LogEntry",
        (
            "id",
            "action_time",
            "user_id",
            "content_type_id",
            "object_id",
            "object_repr",
            "action_flag",
            "change_message",
        ),
    ),
]


@dataclass(frozen=True)
class Sample:
    """The primary keys of the sample rows the comparisons look up."""

    model_id: int
    team_ids: dict[str, int]  # slug -> pk
    submitted_id: int
    draft_id: int
    log_entry_id: int


# Migrating the test database.


def latest_migrations() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def migrate_to(targets: Sequence[Target]) -> None:
    """Migrate the database to the targets, as `manage.py migrate` does (without its
    post_migrate signal)."""
    executor = MigrationExecutor(connection)  # reads what is applied now
    executor.migrate(targets)
    ContentType.objects.clear_cache()  # content types may have changed app


def sample_at(targets: Sequence[Target]) -> tuple[Apps, Sample]:
    """The test database taken to the targets, with the sample data written through their
    historical models (Team and Membership in the teams app), and those models."""
    migrate_to(targets)
    apps = historical_apps(targets)
    return apps, create_sample_data(apps, NEW_TEAM_APP)


def historical_apps(targets: Sequence[Target]) -> Apps:
    """The models as the migrations define them at the targets; apps not among the
    targets (auth, admin, contenttypes...) at their latest."""
    executor = MigrationExecutor(connection)
    named = {app for app, _ in targets}
    nodes = [(app, name) for app, name in targets if name is not None]
    nodes += [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in named]
    return executor.loader.project_state(nodes).apps


def roll_back_blocks_a_failed_migration_left_open() -> None:
    """On SQLite a migration that fails leaves its atomic block open: the schema editor
    checks constraints on the way out, in the broken transaction, before it closes the
    block. Close it, rolling back, so the database can be migrated on."""
    while connection.atomic_blocks:
        failed = DatabaseError("a migration failed")
        connection.atomic_blocks[-1].__exit__(DatabaseError, failed, None)


@pytest.fixture
def back_to_latest_afterwards() -> Iterator[None]:
    """Whatever happens in the test, later tests find the latest schema."""
    try:
        yield
    finally:
        roll_back_blocks_a_failed_migration_left_open()
        migrate_to(latest_migrations())


# Filling a database through the models of its schema.


def create_sample_data(apps: Apps, team_app: str) -> Sample:
    """The sample data through `apps`, the historical models of one schema, whose
    Team and Membership live in `team_app`."""
    model_id, practice_ids = create_maturity_model(apps)
    team_ids = create_teams_and_people(apps, team_app)
    submitted_id, draft_id = create_assessments(apps, model_id, team_ids, practice_ids)
    grant_permissions(apps, team_app)
    log_entry_id = log_admin_change(apps, team_app, team_ids["payments"])
    return Sample(model_id, team_ids, submitted_id, draft_id, log_entry_id)


def create_maturity_model(apps: Apps) -> tuple[int, dict[str, int]]:
    """Levels, categories, a cell per category and level, practices above the floor;
    returns the model's pk and practice key -> pk."""
    model = apps.get_model("maturity", "MaturityModel").objects.create(
        **MODEL, description="After Humble & Farley."
    )
    levels = {
        value: apps.get_model("maturity", "Level").objects.create(
            model=model, value=value, name=name, description=f"{name} teams."
        )
        for value, name in LEVELS
    }
    practice_ids = {}
    for slug, name, order in CATEGORIES:
        category = apps.get_model("maturity", "Category").objects.create(
            model=model, slug=slug, name=name, order=order
        )
        for value, level in levels.items():
            cell = apps.get_model("maturity", "Cell").objects.create(
                category=category,
                level=level,
                summary=f"{name} at {level.name}.",
                advice="" if value == 0 else f"Get {name.lower()} to {level.name}.",
            )
            if (slug, value) in PRACTICES:
                key = PRACTICES[slug, value]
                practice = apps.get_model("maturity", "Practice").objects.create(
                    model=model, cell=cell, key=key, text=f"We do {key}.", order=value
                )
                practice_ids[key] = practice.pk
    return model.pk, practice_ids


def create_teams_and_people(apps: Apps, team_app: str) -> dict[str, int]:
    """Two teams with a lead and members, a manager and an editor; returns slug -> pk."""
    User = apps.get_model("auth", "User")
    team_ids = {
        slug: apps.get_model(team_app, "Team").objects.create(name=name, slug=slug).pk
        for slug, name in TEAMS.items()
    }
    for username, slug, role in sorted(MEMBERSHIPS):
        user = User.objects.create(username=username, password="!")
        apps.get_model(team_app, "Membership").objects.create(
            user=user, team_id=team_ids[slug], role=role
        )
    User.objects.create(username=MANAGER, password="!")
    User.objects.create(username=EDITOR, password="!", is_staff=True)
    return team_ids


def create_assessments(
    apps: Apps, model_id: int, team_ids: dict[str, int], practice_ids: dict[str, int]
) -> tuple[int, int]:
    """Payments' submitted assessment with its answers and results, and Mobile's draft
    with one answer; returns their pks."""
    Assessment = apps.get_model("assessments", "Assessment")
    Answer = apps.get_model("assessments", "Answer")
    User = apps.get_model("auth", "User")
    model = apps.get_model("maturity", "MaturityModel").objects.get(pk=model_id)
    # A schema with records wants one on every submitted assessment (its content
    # does not matter here: migrating back drops it).
    has_records = "record" in {field.name for field in Assessment._meta.get_fields()}
    submitted = Assessment.objects.create(
        team_id=team_ids["payments"],
        model=model,
        created_by=User.objects.get(username="mira"),
        created_at=CREATED_AT,
        submitted_at=SUBMITTED_AT,
        notes="Our first look.",
        **({"record": {"schema": 2}} if has_records else {}),
    )
    for key, (status, note) in SUBMITTED_ANSWERS.items():
        Answer.objects.create(
            assessment=submitted, practice_id=practice_ids[key], status=status, note=note
        )
    for slug, (level, score) in RESULTS.items():
        apps.get_model("assessments", "CategoryResult").objects.create(
            assessment=submitted,
            category=apps.get_model("maturity", "Category").objects.get(model=model, slug=slug),
            level=level,
            score=score,
        )
    draft = Assessment.objects.create(
        team_id=team_ids["mobile"],
        model=model,
        created_by=User.objects.get(username="omar"),
        prefilled_from=submitted,
    )
    for key, (status, note) in DRAFT_ANSWERS.items():
        Answer.objects.create(
            assessment=draft, practice_id=practice_ids[key], status=status, note=note
        )
    return submitted.pk, draft.pk


def permission(apps: Apps, app_label: str, model: str, codename: str, name: str) -> Any:
    """The permission, created if the database lacks it (as post_migrate would)."""
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model
    )
    found, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return found


def grant_permissions(apps: Apps, team_app: str) -> None:
    """The manager joins the Managers group, which may view every team, as
    assessments/0002_managers_group set it up (made here if the database lacks it);
    the editor may change teams."""
    view_all = permission(
        apps, *MANAGER_PERMISSION_HOME[team_app], "view_all_teams", "Can view every team's results"
    )
    managers, _ = apps.get_model("auth", "Group").objects.get_or_create(name="Managers")
    managers.permissions.add(view_all)
    User = apps.get_model("auth", "User")
    User.objects.get(username=MANAGER).groups.add(managers)
    change_team = permission(apps, team_app, "team", "change_team", "Can change team")
    User.objects.get(username=EDITOR).user_permissions.add(change_team)


def log_admin_change(apps: Apps, team_app: str, team_id: int) -> int:
    """The admin's history entry for the editor's change to a team; returns its pk."""
    team_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=team_app, model="team"
    )
    entry = apps.get_model("admin", "LogEntry").objects.create(
        user=apps.get_model("auth", "User").objects.get(username=EDITOR),
        content_type=team_type,
        object_id=str(team_id),
        object_repr=TEAMS["payments"],
        action_flag=CHANGE,
        change_message=CHANGE_MESSAGE,
    )
    return entry.pk


def forget_the_teams_app(apps: Apps) -> None:
    """A database made before the move has no content type (nor permission, nor log
    entry) of the teams app; the test database may, from its latest schema."""
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="teams").delete()


# Reading a database back.


def all_rows(apps: Apps, team_app: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table the sample fills, in the columns both schemas have, in
    primary key order; the many-to-many links of users and groups too."""
    rows = {}
    for app, name, columns in KEPT_COLUMNS:
        model = apps.get_model(app or team_app, name)
        rows[name] = list(model._default_manager.order_by("pk").values_list(*columns))
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    links = {
        "user groups": (User.groups.through, ("user_id", "group_id")),
        "user permissions": (User.user_permissions.through, ("user_id", "permission_id")),
        "group permissions": (Group.permissions.through, ("group_id", "permission_id")),
    }
    for label, (through, columns) in links.items():
        rows[label] = list(through._default_manager.order_by("pk").values_list(*columns))
    return rows


def content_type_key(apps: Apps, pk: int) -> tuple[str, str]:
    found = apps.get_model("contenttypes", "ContentType").objects.get(pk=pk)
    return found.app_label, found.model


def fresh_user(username: str) -> User:
    """A user object with no permission cached on it."""
    return User.objects.get(username=username)


def assert_current_models_read_the_sample(sample: Sample) -> None:
    """The sample, value by value, through the models of the latest schema."""
    teams = Team.objects.filter(slug__in=TEAMS)
    assert {team.slug: (team.pk, team.name) for team in teams} == {
        slug: (sample.team_ids[slug], name) for slug, name in TEAMS.items()
    }
    memberships = Membership.objects.filter(team__in=teams).select_related("user", "team")
    assert {(m.user.username, m.team.slug, m.role) for m in memberships} == MEMBERSHIPS
    payments = Team.objects.get(slug="payments")
    assert sorted(payments.members.values_list("username", flat=True)) == ["mira", "pete"]

    model = MaturityModel.objects.get(pk=sample.model_id)
    assert {"slug": model.slug, "version": model.version, "name": model.name} == MODEL
    assert list(model.levels.values_list("value", "name")) == LEVELS
    assert list(model.categories.values_list("slug", "name", "order")) == CATEGORIES
    assert Cell.objects.filter(level__model=model).count() == len(CATEGORIES) * len(LEVELS)
    practices = model.practices.select_related("cell__category", "cell__level")
    assert {(p.cell.category.slug, p.cell.level.value): p.key for p in practices} == PRACTICES

    submitted = Assessment.objects.select_related("team").get(pk=sample.submitted_id)
    assert submitted.team == payments
    assert (submitted.created_at, submitted.submitted_at) == (CREATED_AT, SUBMITTED_AT)
    assert submitted.created_by is not None
    assert (submitted.created_by.username, submitted.notes) == ("mira", "Our first look.")
    assert answers_by_key(submitted) == SUBMITTED_ANSWERS
    results = submitted.results.in_category_order()
    assert {r.category.slug: (r.level, r.score) for r in results} == RESULTS
    draft = Assessment.objects.select_related("team").get(pk=sample.draft_id)
    assert draft.team.slug == "mobile"
    assert draft.is_draft
    assert draft.prefilled_from_id == submitted.pk
    assert answers_by_key(draft) == DRAFT_ANSWERS
    assert not draft.results.exists()
    sample_assessments = Assessment.objects.filter(model=model)
    assert list(sample_assessments.order_by("pk").values_list("pk", flat=True)) == [
        sample.submitted_id,
        sample.draft_id,
    ]
    answers = Answer.objects.filter(assessment__in=sample_assessments)
    assert answers.count() == len(SUBMITTED_ANSWERS) + len(DRAFT_ANSWERS)
    results = CategoryResult.objects.filter(assessment__in=sample_assessments)
    assert results.count() == len(RESULTS)


def assert_earlier_submissions_got_their_record(sample: Sample) -> None:
    """The data migration wrote the record of the submitted assessment: its answers and
    notes, its frozen scores, the model's texts; the draft has none."""
    record = Assessment.objects.get(pk=sample.submitted_id).record
    assert record is not None
    assert record["schema"] == 2 and record["id"] == sample.submitted_id
    assert record["team"] == {"slug": "payments", "name": "Payments"}
    assert record["model"] == {**MODEL}
    assert record["submitted_at"] == SUBMITTED_AT.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {a["key"]: (a["status"], a["note"]) for a in record["answers"]} == SUBMITTED_ANSWERS
    shown = {slug: (level, rounded(score)) for slug, (level, score) in RESULTS.items()}
    assert {c["slug"]: (c["level"], c["score"]) for c in record["categories"]} == shown
    assert [level["name"] for level in record["levels"]] == [name for _, name in LEVELS]
    assert Assessment.objects.get(pk=sample.draft_id).record is None


def assert_answers_given_before_members_voted_stay_the_teams(sample: Sample) -> None:
    """Migration 0011 (members' own answers) keeps every team answer as the team's, with
    no votes: agreement is unknown, not made up."""
    answers = Answer.objects.filter(assessment_id__in=[sample.submitted_id, sample.draft_id])
    assert answers.count() == len(SUBMITTED_ANSWERS) + len(DRAFT_ANSWERS)
    assert all(answer.updated_at is not None for answer in answers)
    assert not MemberAnswer.objects.exists()
    results = CategoryResult.objects.filter(assessment_id=sample.submitted_id)
    assert [result.agreement for result in results] == [None] * len(RESULTS)
    record = Assessment.objects.get(pk=sample.submitted_id).record
    assert record is not None
    assert {c["agreement"] for c in record["categories"]} == {None}
    assert {a["votes"] for a in record["answers"]} == {None}


def answers_by_key(assessment: Assessment) -> dict[str, tuple[str, str]]:
    return {
        answer.practice.key: (answer.status, answer.note)
        for answer in assessment.answers.select_related("practice")
    }


def assert_teams_app_owns_teams(sample: Sample) -> None:
    """Tables, content types, admin history and permissions are the teams app's now."""
    tables = set(connection.introspection.table_names())
    assert {"teams_team", "teams_membership"} <= tables
    assert not {"assessments_team", "assessments_membership"} & tables

    entry = LogEntry.objects.select_related("content_type").get(pk=sample.log_entry_id)
    assert entry.content_type_id is not None
    assert content_type_key(current_apps, entry.content_type_id) == ("teams", "team")
    assert entry.get_edited_object() == Team.objects.get(slug="payments")
    assert entry.get_admin_url() == f"/admin/teams/team/{sample.team_ids['payments']}/change/"
    stale = ContentType.objects.filter(app_label="assessments", model__in=["team", "membership"])
    assert not stale.exists()

    managers = Group.objects.get(name="Managers")
    granted = managers.permissions.values_list("content_type__app_label", "codename")
    assert list(granted) == [("teams", "view_all_teams")]
    assert is_manager(fresh_user(MANAGER))
    assert fresh_user(MANAGER).has_perm("teams.view_all_teams")
    assert not is_manager(fresh_user("mira"))
    assert fresh_user(EDITOR).has_perm("teams.change_team")


def assert_teams_start_in_no_unit_on_the_default_cadence() -> None:
    """Teams made before units and cadences (teams 0003) keep everything and start in no
    unit, reassessing every 90 days counted from the migration when never submitted."""
    assert set(Team.objects.values_list("unit", "cadence_days")) == {(None, DEFAULT_CADENCE_DAYS)}
    assert all(team.created_at is not None for team in Team.objects.all())
    assert not Unit.objects.exists() and not MembershipChange.objects.exists()


def assert_new_rows_get_new_ids() -> None:
    """The renamed tables still number new rows after the old ones (PostgreSQL keeps
    the identity sequence with the table)."""
    newest = Team.objects.order_by("pk").last()
    assert newest is not None
    team = Team.objects.create(name="Platform", slug="platform")
    assert team.pk > newest.pk
    Membership.objects.create(user=fresh_user(MANAGER), team=team)


def assert_assessments_app_owns_teams(apps: Apps, sample: Sample) -> None:
    """As the code before the move reads the database: tables, the admin history's
    content type, and the permissions it checks."""
    tables = set(connection.introspection.table_names())
    assert {"assessments_team", "assessments_membership"} <= tables
    assert not {"teams_team", "teams_membership"} & tables

    entry = apps.get_model("admin", "LogEntry").objects.get(pk=sample.log_entry_id)
    assert content_type_key(apps, entry.content_type_id) == ("assessments", "team")
    team = apps.get_model(OLD_TEAM_APP, "Team").objects.get(pk=int(entry.object_id))
    assert team.slug == "payments"

    Permission = apps.get_model("auth", "Permission")
    # The test the code before the move made in is_manager.
    assert Permission.objects.filter(
        content_type__app_label="assessments",
        codename="view_all_teams",
        group__user__username=MANAGER,
    ).exists()
    editor_may = Permission.objects.filter(user__username=EDITOR)
    assert list(editor_may.values_list("content_type__app_label", "codename")) == [
        ("assessments", "change_team")
    ]


# The tests.


@pytest.mark.django_db(transaction=True)
def test_a_database_made_before_teams_moved_migrates_forward_with_all_its_data(
    back_to_latest_afterwards: None,
) -> None:
    migrate_to(OLD_SCHEMA)
    old = historical_apps(OLD_SCHEMA)
    forget_the_teams_app(old)
    sample = create_sample_data(old, OLD_TEAM_APP)
    before = all_rows(old, OLD_TEAM_APP)

    migrate_to(latest_migrations())

    assert all_rows(current_apps, NEW_TEAM_APP) == before
    assert_current_models_read_the_sample(sample)
    assert_teams_app_owns_teams(sample)
    assert_teams_start_in_no_unit_on_the_default_cadence()
    assert_new_rows_get_new_ids()
    assert_earlier_submissions_got_their_record(sample)
    assert_answers_given_before_members_voted_stay_the_teams(sample)


@pytest.mark.django_db(transaction=True)
def test_a_database_migrated_back_to_before_the_move_keeps_all_its_data(
    back_to_latest_afterwards: None,
) -> None:
    migrate_to(latest_migrations())
    sample = create_sample_data(historical_apps(latest_migrations()), NEW_TEAM_APP)
    before = all_rows(current_apps, NEW_TEAM_APP)

    migrate_to(OLD_SCHEMA)

    old = historical_apps(OLD_SCHEMA)
    assert all_rows(old, OLD_TEAM_APP) == before
    assert_assessments_app_owns_teams(old, sample)


@pytest.mark.django_db(transaction=True)
def test_migrating_the_assessments_app_first_then_the_rest_keeps_permissions_and_history(
    back_to_latest_afterwards: None,
) -> None:
    migrate_to(OLD_SCHEMA)
    old = historical_apps(OLD_SCHEMA)
    forget_the_teams_app(old)
    sample = create_sample_data(old, OLD_TEAM_APP)

    migrate_to([("assessments", "0006_team_moved_to_teams")])
    # `manage.py migrate assessments` ends with post_migrate, which makes the teams
    # app's content types and permissions before its tables are renamed.
    teams_app = current_apps.get_app_config("teams")
    create_contenttypes(teams_app, verbosity=0)
    create_permissions(teams_app, verbosity=0)
    migrate_to(latest_migrations())

    assert_current_models_read_the_sample(sample)
    assert_teams_app_owns_teams(sample)
