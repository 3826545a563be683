"""Signing in and reading the signed-in user on each request.

Every signed-in request reads the user with whether they manage teams (the navigation
asks on every page). Building that query with the ORM and planning it in PostgreSQL cost
ten times more than running it (about 1 ms and 0.5 ms, against 0.1 ms), so its SQL is
compiled once per process and, on PostgreSQL, prepared once per database connection. It
still runs on every request: a deactivation, a password change or a changed permission,
group or unit shows on the very next one.

A connection can lose its prepared statement (DISCARD ALL, DEALLOCATE ALL, a pooler that
hands it another server connection): it is then prepared again and run once more. Behind
a pooler in transaction mode, where that happens on any request, set
DATABASE_PREPARED_STATEMENTS off and the compiled SQL runs as it is."""

from __future__ import annotations

import hashlib
import itertools
import re
import weakref
from functools import cache
from typing import Any

import psycopg2
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

from maturity.compiled import CompiledQuery, placeholder
from teams.access import MANAGER_FLAGS, manager_flags

# The prepared statement's name on a PostgreSQL connection, with a digest of its SQL: a
# pooled server connection may hold one prepared by another version of the code.
STATEMENT = "signed_in_user"
INVALID_STATEMENT_NAME, DUPLICATE_STATEMENT = "26000", "42P05"  # PostgreSQL's SQLSTATEs

# The PostgreSQL connections that hold the prepared statement (a new connection, say after
# the server restarted, prepares it again).
_prepared_on: weakref.WeakSet[Any] = weakref.WeakSet()

USER_ID = placeholder()  # stands for the signed-in user's id while the query is compiled

SIGNED_IN_USER = CompiledQuery(
    lambda: get_user_model()._default_manager.annotate(**manager_flags()).filter(pk=USER_ID)
)


def _numbered(sql: str) -> str:
    """Django's %s placeholders as PostgreSQL's $1, $2, ... (and %% as %)."""
    numbers = itertools.count(1)
    return re.sub(r"%[s%]", lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)


def signed_in_user(user_id: int) -> Any:
    """The user `user_id` with MANAGER_FLAGS, or None."""
    alias = router.db_for_read(get_user_model())
    sql, params = SIGNED_IN_USER.bound(alias, {USER_ID: user_id})
    connection = connections[alias]
    # SQLite keeps its own cache of prepared statements. Inside a transaction the SQL runs
    # as it is: a failed EXECUTE would abort the transaction, and a savepoint to survive
    # that would cost two more queries on every read.
    if (
        connection.vendor == "postgresql"
        and settings.DATABASE_PREPARED_STATEMENTS
        and connection.get_autocommit()
    ):
        return _read_prepared(connection, sql, params)
    return _read(alias, sql, params)


def _read(alias: str, sql: str, params: list[Any]) -> Any:
    """The user that `sql` (SIGNED_IN_USER's, or the EXECUTE of it) reads, or None. Built
    from the row as the ORM builds a model: a raw queryset's mapping of columns to fields
    cost more than the query itself, on every request."""
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    user = SIGNED_IN_USER.hydrated(alias, [row])[0]
    for flag in MANAGER_FLAGS:
        setattr(user, flag, bool(getattr(user, flag)))  # SQLite answers 0 or 1
    return user


def _read_prepared(connection: BaseDatabaseWrapper, sql: str, params: list[Any]) -> Any:
    """Read through the statement prepared on the connection, preparing it first where
    it is missing. Outside a transaction only: a failed EXECUTE then leaves nothing to
    roll back."""
    connection.ensure_connection()
    name = statement_name(sql)
    if connection.connection not in _prepared_on:
        _prepare(connection, name, sql)
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(params))})"
    try:
        return _read(connection.alias, execute, params)
    except DatabaseError as error:
        if _sqlstate(error) != INVALID_STATEMENT_NAME:
            raise
    _prepare(connection, name, sql)  # the connection lost it
    return _read(connection.alias, execute, params)


@cache
def statement_name(sql: str) -> str:
    return f"{STATEMENT}_{hashlib.sha1(sql.encode()).hexdigest()[:12]}"


def _prepare(connection: BaseDatabaseWrapper, name: str, sql: str) -> None:
    """Prepare the statement on the connection (set-up of the connection, like Django's
    own: not one of a page's queries). One of the same name, and so of the same SQL, may
    be there already, on a server connection that a pooler handed on."""
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
    except psycopg2.Error as error:  # the driver's own: this cursor is not Django's
        if _sqlstate(error) != DUPLICATE_STATEMENT:
            raise
    _prepared_on.add(connection.connection)


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE PostgreSQL answered with, whether the driver's error came wrapped in
    Django's or not."""
    return getattr(error.__cause__ or error, "pgcode", None)


class UserWithManagerFlagsBackend(ModelBackend):
    """Django's ModelBackend, reading with the user whether they manage teams."""

    def get_user(self, user_id: Any) -> Any:
        user = signed_in_user(int(user_id))
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
