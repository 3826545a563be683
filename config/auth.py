"""Signing in and reading the signed-in user on each request.

Every signed-in request reads the user with whether they manage teams (the navigation
asks on every page). Building that query with the ORM and planning it in PostgreSQL cost
ten times more than running it (about 1 ms and 0.5 ms, against 0.1 ms), so its SQL is
compiled once per process and, on PostgreSQL, prepared once per database connection. It
still runs on every request: a deactivation, a password change or a changed permission,
group or unit shows on the very next one."""

from __future__ import annotations

import itertools
import re
import weakref
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from teams.access import MANAGER_FLAGS, manager_flags
from teams.compiled import USER_ID, CompiledQuery

STATEMENT = "signed_in_user"  # the prepared statement's name on a PostgreSQL connection

# The PostgreSQL connections that hold the prepared statement (a new connection, say after
# the server restarted, prepares it again).
_prepared_on: weakref.WeakSet[Any] = weakref.WeakSet()


SIGNED_IN_USER = CompiledQuery(
    lambda: get_user_model()._default_manager.annotate(**manager_flags()).filter(pk=USER_ID)
)


def _numbered(sql: str) -> str:
    """Django's %s placeholders as PostgreSQL's $1, $2, ... (and %% as %)."""
    numbers = itertools.count(1)
    return re.sub(r"%[s%]", lambda m: "%" if m[0] == "%%" else f"${next(numbers)}", sql)


def signed_in_user_query(user_id: int) -> tuple[str, str, list[Any]]:
    """(database alias, SQL, parameters) reading the user `user_id` with MANAGER_FLAGS."""
    alias = router.db_for_read(get_user_model())
    sql, bound = SIGNED_IN_USER.bound(alias, {USER_ID: user_id})
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return alias, sql, bound  # SQLite keeps its own cache of prepared statements
    connection.ensure_connection()
    if connection.connection not in _prepared_on:
        # Set-up of the connection, like Django's own: not one of a page's queries.
        with connection.connection.cursor() as cursor:
            cursor.execute(f"PREPARE {STATEMENT} AS {_numbered(sql)}")
        _prepared_on.add(connection.connection)
    return alias, f"EXECUTE {STATEMENT}({', '.join(['%s'] * len(bound))})", bound


class UserWithManagerFlagsBackend(ModelBackend):
    """Django's ModelBackend, reading with the user whether they manage teams."""

    def get_user(self, user_id: Any) -> Any:
        alias, sql, params = signed_in_user_query(int(user_id))
        found = get_user_model()._default_manager.db_manager(alias).raw(sql, params)
        user = next(iter(found), None)
        if user is None or not self.user_can_authenticate(user):
            return None
        for flag in MANAGER_FLAGS:  # a raw query leaves SQLite's 0 and 1 as they are
            setattr(user, flag, bool(getattr(user, flag)))
        return user
