"""The organisation file (CSV): read it, check it against itself and the organisation, and
apply it.

`import_org` either refuses a file (`OrgFileError`, with every bad row named by its line,
the header being line 1) or applies it in one transaction and returns a `Report`. It only
adds and updates: no unit, team, user or membership is ever removed, and existing users
are never changed. `read_rows` and `plan` are plain functions over `Row`s and an
`Organisation` snapshot; only `load_organisation` and `apply` touch the database.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify

from maturity import generation

from .models import Membership, MembershipChange, Team, Unit

COLUMNS = ("unit_path", "team_slug", "team_name", "username", "email", "role")
UNIT_PATH_SEPARATOR = "/"
CHUNK_SIZE = 500  # values per `__in` query, far below SQLite's limit on variables
ROLES = Membership.Role.values

T = TypeVar("T")


class OrgFileError(Exception):
    """The file is refused; `errors` says why, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Row:
    """One well-formed line of the file, its cells stripped."""

    line: int
    unit_path: tuple[str, ...]  # empty: the team keeps its unit (a new one has none)
    team_slug: str
    team_name: str
    username: str  # empty on a row that only names a team
    email: str
    role: str  # member or lead when there is a username

    @property
    def unit_keys(self) -> tuple[str, ...]:
        """The path's units as they are matched: by name, whatever the case."""
        return tuple(name.lower() for name in self.unit_path)


@dataclass(frozen=True)
class ExistingUnit:
    id: int
    name: str
    slug: str
    parent_id: int | None


@dataclass(frozen=True)
class ExistingTeam:
    id: int
    name: str
    unit_key: str | None


@dataclass(frozen=True)
class ExistingMembership:
    id: int
    role: str


@dataclass(frozen=True)
class Organisation:
    """What the database holds that the file may name."""

    units: dict[str, ExistingUnit]  # every unit, by lower-case name
    teams: dict[str, ExistingTeam]  # the file's teams that exist, by slug
    users: dict[str, int]  # the file's users that exist: username -> id
    inactive: set[str]  # the file's users that exist and are deactivated
    email_owners: dict[str, set[str]]  # the file's e-mails (lower case) -> usernames
    # Every membership of the file's existing teams, by (team slug, username).
    memberships: dict[tuple[str, str], ExistingMembership]


@dataclass(frozen=True)
class NewUnit:
    key: str
    name: str
    slug: str
    parent_key: str | None


@dataclass(frozen=True)
class NewTeam:
    slug: str
    name: str
    unit_key: str | None


@dataclass(frozen=True)
class Report:
    """What an import did, or would do on a dry run."""

    dry_run: bool
    units_created: int = 0
    teams_created: int = 0
    users_created: int = 0
    memberships_created: int = 0
    units_moved: int = 0
    teams_moved: int = 0
    roles_changed: int = 0

    @property
    def changes(self) -> int:
        return sum(
            (
                self.units_created,
                self.teams_created,
                self.users_created,
                self.memberships_created,
                self.units_moved,
                self.teams_moved,
                self.roles_changed,
            )
        )

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        if not self.changes:
            lines = ["Nothing to change: the organisation already matches the file."]
        else:
            create, move, change = (
                ("Would create", "Would move", "Would change")
                if self.dry_run
                else ("Created", "Moved", "Changed")
            )
            lines = [
                f"{create}: {_count(self.units_created, 'unit')}, "
                f"{_count(self.teams_created, 'team')}, {_count(self.users_created, 'user')}, "
                f"{_count(self.memberships_created, 'membership')}.",
                f"{move}: {_count(self.units_moved, 'unit')}, {_count(self.teams_moved, 'team')}.",
                f"{change}: {_count(self.roles_changed, 'role')}.",
            ]
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


@dataclass
class Plan:
    """The changes that make the organisation match the file, and the file's problems."""

    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    new_units: list[NewUnit] = field(default_factory=list)
    unit_moves: dict[str, str] = field(default_factory=dict)  # unit key -> parent key
    new_teams: list[NewTeam] = field(default_factory=list)
    team_moves: dict[str, str] = field(default_factory=dict)  # team slug -> unit key
    new_users: dict[str, str] = field(default_factory=dict)  # username -> e-mail
    # (team slug, username) -> role
    new_memberships: dict[tuple[str, str], str] = field(default_factory=dict)
    role_changes: dict[tuple[str, str], str] = field(default_factory=dict)

    def report(self, dry_run: bool) -> Report:
        return Report(
            dry_run=dry_run,
            units_created=len(self.new_units),
            teams_created=len(self.new_teams),
            users_created=len(self.new_users),
            memberships_created=len(self.new_memberships),
            units_moved=len(self.unit_moves),
            teams_moved=len(self.team_moves),
            roles_changed=len(self.role_changes),
        )


def import_org(text: str, *, dry_run: bool) -> Report:
    """Check the whole file, then apply it unless it is a dry run (a few queries to read,
    bulk writes in one transaction)."""
    rows, problems = read_rows(text)
    try:
        with transaction.atomic():
            organisation = load_organisation(rows)
            changes = plan(rows, organisation)
            problems += changes.problems
            if problems:
                raise OrgFileError(
                    [f"line {line}: {message}" for line, message in sorted(problems)]
                )
            report = changes.report(dry_run)
            if not dry_run and report.changes:
                apply(changes, organisation)
                generation.advance()
    except IntegrityError as exc:
        message = f"The organisation changed during the import ({exc}); nothing was written."
        raise OrgFileError([f"{message} Run the import again."]) from exc
    return report


def decode(data: bytes) -> str:
    """The file's text; a byte order mark is left for `read_rows` to skip."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OrgFileError(
            [f"The file is not UTF-8 text (byte {exc.start} is not); save it as CSV UTF-8."]
        ) from None


def read_rows(text: str) -> tuple[list[Row], list[tuple[int, str]]]:
    """The well-formed rows, and a (line, message) for each problem of the others. A bad
    header is the only problem then: no row can be read without it."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    try:
        header = [name.strip() for name in next(reader, [])]
        if header_problems := _header_problems(header):
            return [], [(1, problem) for problem in header_problems]
        end_of_previous = reader.line_num
        for cells in reader:
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append((line, f"{len(cells)} cells, the header has {len(header)}"))
                continue
            row, row_problems = _read_row(line, dict(zip(header, cells, strict=True)))
            problems += [(line, problem) for problem in row_problems]
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        problems.append((reader.line_num, f"not readable as CSV ({exc})"))
    return rows, problems


def _header_problems(header: list[str]) -> list[str]:
    expected = ",".join(COLUMNS)
    if not header:
        return [f"the file is empty; its first line must be the header {expected}"]
    missing = [name for name in COLUMNS if name not in header]
    unknown = [name for name in header if name not in COLUMNS]
    repeated = sorted({name for name in header if header.count(name) > 1})
    return [
        f"the header {label}: {', '.join(names)} (it must be {expected})"
        for label, names in (
            ("misses columns", missing),
            ("has unknown columns", unknown),
            ("repeats columns", repeated),
        )
        if names
    ]


def _read_row(line: int, cells: dict[str, str]) -> tuple[Row | None, list[str]]:
    """The row, or None with what is wrong with it."""
    path, slug, name, username, email, role = (cells[column].strip() for column in COLUMNS)
    unit_path = tuple(part.strip() for part in path.split(UNIT_PATH_SEPARATOR)) if path else ()
    problems = []
    if "" in unit_path:
        problems.append(
            f"unit_path {path!r} has an empty unit name (write it like Engineering/Payments)"
        )
    for unit_name in unit_path:
        problems += _invalid("unit_path", Unit, "name", unit_name)
    problems += _invalid("team_slug", Team, "slug", slug) if slug else ["team_slug is empty"]
    problems += _invalid("team_name", Team, "name", name) if name else ["team_name is empty"]
    if username:
        problems += _invalid("username", User, "username", username)
        problems += _invalid("email", User, "email", email) if email else []
        role = role.lower() or Membership.Role.MEMBER
        if role not in ROLES:
            problems.append(f"unknown role {role!r} (use {' or '.join(ROLES)})")
    elif email or role:
        problems.append("email and role need a username")
    if problems:
        return None, problems
    return Row(line, unit_path, slug, name, username, email, role), []


def _invalid(column: str, model: type[models.Model], name: str, value: str) -> list[str]:
    """What the model field's validators say of the value, as problems of the column."""
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)
    try:
        model_field.run_validators(value)
    except ValidationError as exc:
        return [f"{column} {value!r}: {message}" for message in exc.messages]
    return []


def load_organisation(rows: list[Row]) -> Organisation:
    """What the database holds of the file's units, teams, users and e-mails (every unit:
    one query; then a query per kind and per chunk of the file's slugs, usernames and
    e-mails)."""
    units = {
        name.lower(): ExistingUnit(id, name, slug, parent_id)
        for id, name, slug, parent_id in Unit.objects.values_list("id", "name", "slug", "parent_id")
    }
    teams = {
        slug: ExistingTeam(id, name, unit_name.lower() if unit_name else None)
        for chunk in _chunks({row.team_slug for row in rows})
        # Locked until the import's transaction ends, as the members page locks a team
        # to change its members: the leads checked here are still the leads when written.
        for id, slug, name, unit_name in Team.objects.filter(slug__in=chunk)
        .select_for_update(of=("self",))
        .values_list("id", "slug", "name", "unit__name")
    }
    found = [
        user
        for chunk in _chunks({row.username for row in rows if row.username})
        for user in User.objects.filter(username__in=chunk).values_list(
            "id", "username", "is_active"
        )
    ]
    users = {username: id for id, username, _ in found}
    inactive = {username for _, username, active in found if not active}
    email_owners: dict[str, set[str]] = {}
    for chunk in _chunks({row.email.lower() for row in rows if row.email}):
        for email, username in (
            User.objects.annotate(lower_email=Lower("email"))
            .filter(lower_email__in=chunk)
            .values_list("lower_email", "username")
        ):
            email_owners.setdefault(email, set()).add(username)
    memberships = {
        (slug, username): ExistingMembership(id, role)
        for chunk in _chunks([team.id for team in teams.values()])
        for id, slug, username, role in Membership.objects.filter(team_id__in=chunk).values_list(
            "id", "team__slug", "user__username", "role"
        )
    }
    return Organisation(units, teams, users, inactive, email_owners, memberships)


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    values = list(values)
    for start in range(0, len(values), CHUNK_SIZE):
        yield values[start : start + CHUNK_SIZE]


def plan(rows: list[Row], organisation: Organisation) -> Plan:
    """What the file changes in the organisation, and every way it contradicts itself or
    the organisation."""
    result = Plan()
    _plan_units(rows, organisation, result)
    _plan_teams(rows, organisation, result)
    _plan_users(rows, organisation, result)
    _plan_memberships(rows, organisation, result)
    return result


def _plan_units(rows: list[Row], organisation: Organisation, result: Plan) -> None:
    """Each path places each unit under the one before it. A unit the file places under
    two parents, or parents that would make a loop, are problems."""
    names = {key: unit.name for key, unit in organisation.units.items()}
    key_of_id = {unit.id: key for key, unit in organisation.units.items()}
    parent_now = {
        key: key_of_id[unit.parent_id]
        for key, unit in organisation.units.items()
        if unit.parent_id is not None
    }
    placed: dict[str, tuple[str, int]] = {}  # unit key -> (parent key, first line saying so)
    for row in rows:
        for name, key in zip(row.unit_path, row.unit_keys, strict=True):
            names.setdefault(key, name)
        for parent, child in pairwise(row.unit_keys):
            earlier_parent, earlier_line = placed.setdefault(child, (parent, row.line))
            if earlier_parent != parent:
                result.problems.append(
                    (
                        row.line,
                        f"unit {names[child]!r} is under {names[parent]!r} here and under "
                        f"{names[earlier_parent]!r} on line {earlier_line}",
                    )
                )
    parent_after = {**parent_now, **{key: parent for key, (parent, _) in placed.items()}}
    for loop in _loops(parent_after):
        placed_by_file = [key for key in loop if key in placed]
        if not placed_by_file:
            continue  # the organisation's own loop, not the file's
        lines = sorted({placed[key][1] for key in placed_by_file})
        chain = " > ".join(names[key] for key in [*reversed(loop), loop[-1]])
        where = f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}"
        if len(placed_by_file) < len(loop):
            where += " with the organisation's units"
        result.problems.append((lines[-1], f"the units would form a loop: {chain} ({where})"))
    taken = {unit.slug for unit in organisation.units.values()}
    result.new_units = [
        NewUnit(key, name, _unique_slug(name, taken), parent_after.get(key))
        for key, name in names.items()
        if key not in organisation.units
    ]
    result.unit_moves = {
        key: parent
        for key, (parent, _) in placed.items()
        if key in organisation.units and parent_now.get(key) != parent
    }


def _loops(parent_of: dict[str, str]) -> list[list[str]]:
    """Each loop in a parent relation once, from a unit up to the last before it again."""
    loops: list[list[str]] = []
    done: set[str] = set()
    for start in parent_of:
        path: list[str] = []
        key: str | None = start
        while key is not None and key not in done and key not in path:
            path.append(key)
            key = parent_of.get(key)
        if key is not None and key in path:
            loops.append(path[path.index(key) :])
        done.update(path)
    return loops


def _unique_slug(name: str, taken: set[str]) -> str:
    """slugify(name), or "unit", made unique with -2, -3...; the slug is then taken."""
    max_length = Unit.slug.field.max_length
    assert max_length is not None
    base = slugify(name) or "unit"
    slug, number = base[:max_length], 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = base[: max_length - len(suffix)] + suffix, number + 1
    taken.add(slug)
    return slug


def _plan_teams(rows: list[Row], organisation: Organisation, result: Plan) -> None:
    """Teams are matched by slug; each keeps one name and sits in its path's last unit."""
    first: dict[str, Row] = {}  # team slug -> its first row
    for row in rows:
        slug, seen = row.team_slug, first.setdefault(row.team_slug, row)
        existing = organisation.teams.get(slug)
        if existing is not None and existing.name != row.team_name:
            result.problems.append(
                (
                    row.line,
                    f"team {slug!r} is called {existing.name!r} in the organisation, "
                    f"not {row.team_name!r}",
                )
            )
        elif seen.team_name != row.team_name:
            result.problems.append(
                (
                    row.line,
                    f"team {slug!r} is called {seen.team_name!r} on line {seen.line} "
                    f"and {row.team_name!r} here",
                )
            )
        if seen.unit_keys != row.unit_keys:
            result.problems.append(
                (
                    row.line,
                    f"team {slug!r} is in {_path(seen)} on line {seen.line} "
                    f"and in {_path(row)} here",
                )
            )
    for slug, row in first.items():
        unit_key = row.unit_keys[-1] if row.unit_keys else None
        existing = organisation.teams.get(slug)
        if existing is None:
            result.new_teams.append(NewTeam(slug, row.team_name, unit_key))
        elif unit_key is not None and unit_key != existing.unit_key:
            result.team_moves[slug] = unit_key


def _path(row: Row) -> str:
    return repr(UNIT_PATH_SEPARATOR.join(row.unit_path)) if row.unit_path else "no unit"


def _plan_users(rows: list[Row], organisation: Organisation, result: Plan) -> None:
    """Users are matched by username; an e-mail names one user, in the file and in the
    organisation, so that members can be found by it."""
    email_of: dict[str, tuple[str, int]] = {}  # username -> (e-mail, first line giving it)
    owner_of: dict[str, tuple[str, int]] = {}  # lower-case e-mail -> (username, line)
    for row in (row for row in rows if row.email):
        email, line = email_of.setdefault(row.username, (row.email, row.line))
        if email.lower() != row.email.lower():
            result.problems.append(
                (
                    row.line,
                    f"user {row.username!r} has the e-mail {email} on line {line} "
                    f"and {row.email} here",
                )
            )
            continue
        others = organisation.email_owners.get(row.email.lower(), set()) - {row.username}
        if others:
            result.problems.append(
                (row.line, f"the e-mail {row.email} belongs to {', '.join(sorted(others))}")
            )
        owner, line = owner_of.setdefault(row.email.lower(), (row.username, row.line))
        if owner != row.username:
            result.problems.append(
                (row.line, f"the e-mail {row.email} is given to {owner!r} on line {line}")
            )
    for row in rows:
        if row.username in organisation.inactive:
            result.problems.append(
                (row.line, f"user {row.username!r} is deactivated: reactivate them first")
            )
        if row.username and row.username not in organisation.users:
            result.new_users.setdefault(row.username, email_of.get(row.username, ("", 0))[0])


def _plan_memberships(rows: list[Row], organisation: Organisation, result: Plan) -> None:
    """Each user has one role in a team. A team that has a lead keeps one."""
    role_of: dict[tuple[str, str], tuple[str, int]] = {}  # -> (role, first line giving it)
    for row in (row for row in rows if row.username):
        role, line = role_of.setdefault((row.team_slug, row.username), (row.role, row.line))
        if role != row.role:
            result.problems.append(
                (
                    row.line,
                    f"{row.username!r} is a {role} of team {row.team_slug!r} on line {line} "
                    f"and a {row.role} here",
                )
            )
    for key, (role, _) in role_of.items():
        existing = organisation.memberships.get(key)
        if existing is None:
            result.new_memberships[key] = role
        elif existing.role != role:
            result.role_changes[key] = role
    roles_after = {
        **{key: membership.role for key, membership in organisation.memberships.items()},
        **result.new_memberships,
        **result.role_changes,
    }
    led_after = {slug for (slug, _), role in roles_after.items() if role == Membership.Role.LEAD}
    for (slug, username), role in result.role_changes.items():
        if role != Membership.Role.LEAD and slug not in led_after:
            result.problems.append(
                (
                    role_of[(slug, username)][1],
                    f"this makes {username!r} a {role}, and team {slug!r} would have no lead",
                )
            )


def apply(changes: Plan, organisation: Organisation) -> None:
    """Write the plan with bulk queries: a few per kind of row, whatever the file's size."""
    unit_ids = {key: unit.id for key, unit in organisation.units.items()}
    created_units = Unit.objects.bulk_create(
        Unit(name=unit.name, slug=unit.slug) for unit in changes.new_units
    )
    unit_ids.update(
        (unit.key, row.pk) for unit, row in zip(changes.new_units, created_units, strict=True)
    )
    parents = {
        **{unit.key: unit.parent_key for unit in changes.new_units if unit.parent_key},
        **changes.unit_moves,
    }
    Unit.objects.bulk_update(
        [Unit(pk=unit_ids[key], parent_id=unit_ids[parent]) for key, parent in parents.items()],
        ["parent"],
    )

    team_ids = {slug: team.id for slug, team in organisation.teams.items()}
    created_teams = Team.objects.bulk_create(
        Team(
            slug=team.slug,
            name=team.name,
            unit_id=unit_ids[team.unit_key] if team.unit_key else None,
        )
        for team in changes.new_teams
    )
    team_ids.update((team.slug, team.pk) for team in created_teams)
    Team.objects.bulk_update(
        [
            Team(pk=team_ids[slug], unit_id=unit_ids[key])
            for slug, key in changes.team_moves.items()
        ],
        ["unit"],
    )

    new_users = [
        User(username=username, email=email) for username, email in changes.new_users.items()
    ]
    for user in new_users:
        user.set_unusable_password()  # they sign in through SSO, or set one by a reset
    user_ids = {
        **organisation.users,
        **{user.username: user.pk for user in User.objects.bulk_create(new_users)},
    }

    Membership.objects.bulk_create(
        Membership(team_id=team_ids[slug], user_id=user_ids[username], role=role)
        for (slug, username), role in changes.new_memberships.items()
    )
    Membership.objects.bulk_update(
        [
            Membership(pk=organisation.memberships[key].id, role=role)
            for key, role in changes.role_changes.items()
        ],
        ["role"],
    )
    MembershipChange.objects.bulk_create(
        _logged(
            team_ids[slug],
            user_ids[username],
            username,
            role,
            previous=organisation.memberships.get((slug, username)),
        )
        for (slug, username), role in {**changes.new_memberships, **changes.role_changes}.items()
    )


def _logged(
    team_id: int, user_id: int, username: str, role: str, previous: ExistingMembership | None
) -> MembershipChange:
    """The log's entry for a membership the import added, or whose role it changed."""
    return MembershipChange(
        team_id=team_id,
        user_id=user_id,
        user_name=username,
        action=MembershipChange.Action.ADDED
        if previous is None
        else MembershipChange.Action.ROLE_CHANGED,
        role=role,
        previous_role=previous.role if previous else "",
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
