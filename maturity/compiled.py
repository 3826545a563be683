"""Queries that run on (nearly) every request, with their SQL compiled once per process.

For a query of a few rows, building it with the ORM costs more than running it (for the
signed-in user, about 1 ms against 0.1 ms). A CompiledQuery builds it once per database,
with placeholders where the request's values go, and binds those values on each run; on
PostgreSQL it runs as a statement prepared once per connection (maturity.prepared), so
that it is not planned again either. The query itself still runs every time, so what it
reads is never stale.

Nothing here knows the domain: it sits in the lowest app so that every app and `config`
may use it, and each query names its own placeholders."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models import QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # the ORM's own, untyped
    get_related_populators,
)

from . import prepared

# Ids no row has, each one different, and far from any other number a query may carry
# (a level, a limit); texts no row has, for a slug, say.
_placeholders = itertools.count(-900_000_001, -1)


def placeholder() -> int:
    """A new number to stand for one of a request's values while a query is compiled."""
    return next(_placeholders)


def text_placeholder() -> str:
    """A new text to stand for one of a request's values while a query is compiled."""
    return f"\x00placeholder{next(_placeholders)}"


def possible_key(model: type[models.Model], value: int) -> bool:
    """Whether `value` fits the model's primary key: the database refuses a number out of
    its column's range, where it finds nothing for any other."""
    alias = router.db_for_read(model)
    field = model._meta.pk
    assert field is not None
    low, high = connections[alias].ops.integer_field_range(field.get_internal_type())
    return (low is None or low <= value) and (high is None or value <= high)


@dataclass(frozen=True)
class Compiled:
    """A query compiled for one database: its SQL, and what the ORM would do with each
    row (each column's converters, and where the model, the models it selects with it
    and its annotations sit in the row)."""

    sql: str
    params: tuple[Any, ...]
    converters: list[tuple[int, list[Callable[..., Any]], Any]]  # the columns that have any
    model: type[models.Model]
    fields: list[str]  # the model's attribute names, in the row's order
    fields_at: slice
    related: list[Any]  # the ORM's populators of the models selected with it
    annotations: dict[str, int]


class CompiledQuery:
    """The SQL of the query that `build` makes, compiled on first use per database."""

    def __init__(self, build: Callable[[], QuerySet[Any]]) -> None:
        self.build = build
        self._compiled: dict[str, Compiled] = {}
        self._model: type[models.Model] | None = None

    def compiled(self, alias: str) -> Compiled:
        if alias not in self._compiled:
            queryset = self.build()
            compiler = queryset.query.get_compiler(alias)
            sql, params = compiler.as_sql()
            select = compiler.select
            found = compiler.get_converters([column for column, _, _ in select])
            # values() and values_list() queries build no model: no klass_info.
            klass = compiler.klass_info or {"select_fields": [], "related_klass_infos": []}
            at = klass["select_fields"]
            fields_at = slice(at[0], at[-1] + 1) if at else slice(0, 0)
            self._compiled[alias] = Compiled(
                sql,
                tuple(params),
                [(index, *found[index]) for index in sorted(found)],
                queryset.model,
                [column.target.attname for column, _, _ in select[fields_at]],
                fields_at,
                get_related_populators(klass, select, alias),
                dict(compiler.annotation_col_map or {}),
            )
        return self._compiled[alias]

    def sql(self, alias: str) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its parameters, placeholders included."""
        compiled = self.compiled(alias)
        return compiled.sql, compiled.params

    def converted(self, alias: str, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """Rows of the SQL's answer as the ORM would read them: each value converted."""
        converters = self.compiled(alias).converters
        if not converters:
            return list(rows)
        connection = connections[alias]
        found: list[Sequence[Any]] = []
        for row in rows:
            values = list(row)
            for index, functions, expression in converters:
                for convert in functions:
                    values[index] = convert(values[index], expression, connection)
            found.append(values)
        return found

    def bound(self, alias: str, values: Mapping[int | str, Any]) -> tuple[str, list[Any]]:
        """The SQL and its parameters with each placeholder replaced by its value."""
        sql, params = self.sql(alias)
        return sql, [
            values.get(param, param) if type(param) in (int, str) else param for param in params
        ]

    def alias(self) -> str:
        """The database the ORM reads the query's model from."""
        if self._model is None:
            self._model = self.build().model
        return router.db_for_read(self._model)

    def rows(self, values: Mapping[int | str, Any]) -> list[Sequence[Any]]:
        """The query's rows with `values` bound, each value as the ORM would read it."""
        alias = self.alias()
        return self.converted(alias, self._fetch(alias, values))

    def objects(self, values: Mapping[int | str, Any]) -> list[Any]:
        """The model objects the query reads with `values` bound, as the ORM builds them:
        with the models it selects with them, and its annotations as attributes."""
        alias = self.alias()
        return self.hydrated(alias, self._fetch(alias, values))

    def hydrated(self, alias: str, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The model objects of rows of the query's SQL (or of what runs it, such as the
        EXECUTE of a statement prepared from it) read from the database `alias`."""
        compiled = self.compiled(alias)
        found = []
        for values in self.converted(alias, rows):
            obj = compiled.model.from_db(alias, compiled.fields, values[compiled.fields_at])
            for related in compiled.related:
                related.populate(values, obj)
            for name, at in compiled.annotations.items():
                setattr(obj, name, values[at])
            found.append(obj)
        return found

    def _fetch(self, alias: str, values: Mapping[int | str, Any]) -> list[tuple[Any, ...]]:
        sql, params = self.bound(alias, values)
        return prepared.fetch(connections[alias], sql, params)
