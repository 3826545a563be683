"""Compiled queries run as statements prepared once per PostgreSQL connection.

PostgreSQL plans a query each time it gets its SQL; for the small queries of a page,
planning costs more than running (the model tree's practices: about 2.9 ms against
0.4 ms). A statement prepared on a connection is planned once and reused, with a plan
PostgreSQL keeps while the tables' definitions and statistics allow. What it reads is read
on each run, so nothing is stale.

A connection can lose its statements (DISCARD ALL, DEALLOCATE ALL, a pooler that hands it
another server connection): a statement is then prepared again and run once more, as it
is when a changed table makes its plan's columns change. Behind a pooler in transaction
mode, where that happens on any request, set DATABASE_PREPARED_STATEMENTS off and the
SQL runs as it is. Inside a transaction it runs as it is too: a failed EXECUTE would
abort the transaction, and a savepoint to survive that would cost two more queries."""

from __future__ import annotations

import hashlib
import itertools
import re
import weakref
from collections.abc import Sequence
from functools import cache
from typing import Any

import psycopg2
from django.conf import settings
from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

# PostgreSQL's SQLSTATEs: no such statement; one of that name exists; a statement whose
# plan would change its columns (a table was altered).
INVALID_STATEMENT_NAME, DUPLICATE_STATEMENT, CHANGED_RESULT = "26000", "42P05", "0A000"

# The statements each PostgreSQL connection holds (a new connection, say after the server
# restarted, prepares them again).
_prepared_on: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def fetch(
    connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """The rows that `sql` reads with `params`: through a statement prepared on the
    connection where it can (PostgreSQL, outside a transaction), else as it is."""
    if (
        connection.vendor == "postgresql"
        and getattr(settings, "DATABASE_PREPARED_STATEMENTS", True)
        and connection.get_autocommit()
    ):
        return _fetch_prepared(connection, sql, params)
    return _run(connection, sql, params)


def _run(connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _fetch_prepared(
    connection: BaseDatabaseWrapper, sql: str, params: Sequence[Any]
) -> list[tuple[Any, ...]]:
    connection.ensure_connection()
    name = statement_name(sql)
    if name not in _prepared_on.get(connection.connection, ()):
        _prepare(connection, name, sql)
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    try:
        return _run(connection, execute, params)
    except DatabaseError as error:
        lost = _sqlstate(error)
        if lost not in (INVALID_STATEMENT_NAME, CHANGED_RESULT):
            raise
    _prepare(connection, name, sql, replace=lost == CHANGED_RESULT)
    return _run(connection, execute, params)


@cache
def statement_name(sql: str) -> str:
    """The statement's name, with a digest of its SQL: a pooled server connection may
    hold one prepared by another version of the code."""
    return f"compiled_{hashlib.sha1(sql.encode()).hexdigest()[:16]}"


def _prepare(
    connection: BaseDatabaseWrapper, name: str, sql: str, *, replace: bool = False
) -> None:
    """Prepare the statement on the connection (set-up of the connection, like Django's
    own: not one of a page's queries). One of the same name, and so of the same SQL, may
    be there already, on a server connection that a pooler handed on."""
    try:
        with connection.connection.cursor() as cursor:
            if replace:
                cursor.execute(f"DEALLOCATE {name}")
            cursor.execute(f"PREPARE {name} AS {numbered(sql)}")
    except psycopg2.Error as error:  # the driver's own: this cursor is not Django's
        if _sqlstate(error) != DUPLICATE_STATEMENT:
            raise
    _prepared_on.setdefault(connection.connection, set()).add(name)


def numbered(sql: str) -> str:
    """Django's %s placeholders as PostgreSQL's $1, $2, ... (and %% as %)."""
    numbers = itertools.count(1)
    return re.sub(r"%[s%]", lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)


def _sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE PostgreSQL answered with, whether the driver's error came wrapped in
    Django's or not."""
    return getattr(error.__cause__ or error, "pgcode", None)
