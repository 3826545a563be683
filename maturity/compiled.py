"""Queries that run on (nearly) every request, with their SQL compiled once per process.

For a query of a few rows, building it with the ORM costs more than running it (for the
signed-in user, about 1 ms against 0.1 ms). A CompiledQuery builds it once per database,
with placeholders where the request's values go, and binds those values on each run. The
query itself still runs every time, so what it reads is never stale.

Nothing here knows the domain: it sits in the lowest app so that every app and `config`
may use it, and each query names its own placeholders."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

# What turns a column's value from the database into the ORM's (SQLite's dates, say): the
# ORM's converters of the column and the expression they are given.
Converters = list[tuple[list[Callable[..., Any]], Any]]

# Ids no row has, each one different, and far from any other number a query may carry
# (a level, a limit).
_placeholders = itertools.count(-900_000_001, -1)


def placeholder() -> int:
    """A new number to stand for one of a request's values while a query is compiled."""
    return next(_placeholders)


class CompiledQuery:
    """The SQL of the query that `build` makes, compiled on first use per database."""

    def __init__(self, build: Callable[[], QuerySet[Any]]) -> None:
        self.build = build
        self._compiled: dict[str, tuple[str, tuple[Any, ...], Converters]] = {}

    def _compile(self, alias: str) -> tuple[str, tuple[Any, ...], Converters]:
        if alias not in self._compiled:
            compiler = self.build().query.get_compiler(alias)
            sql, params = compiler.as_sql()
            found = compiler.get_converters([column for column, _, _ in compiler.select])
            converters = [found.get(index, ([], None)) for index in range(len(compiler.select))]
            self._compiled[alias] = (sql, tuple(params), converters)
        return self._compiled[alias]

    def sql(self, alias: str) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its parameters, placeholders included."""
        sql, params, _ = self._compile(alias)
        return sql, params

    def converted(self, alias: str, row: Sequence[Any]) -> list[Any]:
        """A row of the SQL's answer as the ORM would read it: each value converted."""
        connection = connections[alias]
        values = []
        for value, (converters, expression) in zip(row, self._compile(alias)[2], strict=True):
            for convert in converters:
                value = convert(value, expression, connection)
            values.append(value)
        return values

    def bound(self, alias: str, values: Mapping[int, Any]) -> tuple[str, list[Any]]:
        """The SQL and its parameters with each placeholder replaced by its value."""
        sql, params = self.sql(alias)
        return sql, [values.get(param, param) if type(param) is int else param for param in params]
