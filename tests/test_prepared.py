"""Compiled queries on PostgreSQL run as statements prepared once per connection
(maturity/prepared.py): planned once, still read on every run, and prepared again when
the connection lost them or a changed table changed what they return."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maturity.compiled import CompiledQuery, text_placeholder
from maturity.prepared import statement_name
from teams.models import Team

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statements"),
    pytest.mark.django_db(transaction=True),
]

SLUG = text_placeholder()
NAME_OF = CompiledQuery(lambda: Team.objects.filter(slug=SLUG).values_list("name"))
EVERY_NAME = CompiledQuery(lambda: Team.objects.order_by("name").values_list("name"))


@pytest.fixture(autouse=True)
def new_connection() -> Iterator[None]:
    connection.close()
    yield
    connection.close()  # the next test gets a connection with none of these statements


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return [name for (name,) in cursor.fetchall()]


def test_a_statement_is_prepared_once_and_reads_what_is_there_now() -> None:
    Team.objects.create(name="Search", slug="search")
    with CaptureQueriesContext(connection) as captured:
        assert NAME_OF.rows({SLUG: "search"}) == [("Search",)]
        Team.objects.filter(slug="search").update(name="Find")
        assert NAME_OF.rows({SLUG: "search"}) == [("Find",)]
        assert NAME_OF.rows({SLUG: "nothing"}) == []
    name = statement_name(NAME_OF.sql(connection.alias)[0])
    runs = [query["sql"] for query in captured.captured_queries if name in query["sql"]]
    assert len(runs) == 3 and all(sql.startswith("EXECUTE") for sql in runs)
    assert _prepared().count(name) == 1


def test_a_statement_without_parameters_runs_too() -> None:
    Team.objects.create(name="Search", slug="search")
    for _ in range(2):
        assert EVERY_NAME.rows({}) == [("Search",)]
    assert statement_name(EVERY_NAME.sql(connection.alias)[0]) in _prepared()


def test_a_table_changed_under_a_statement_prepares_it_again() -> None:
    Team.objects.create(name="Search", slug="search")
    assert NAME_OF.rows({SLUG: "search"}) == [("Search",)]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE teams_team ALTER COLUMN name TYPE text")
    try:
        assert NAME_OF.rows({SLUG: "search"}) == [("Search",)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE teams_team ALTER COLUMN name TYPE varchar(120)")


def test_inside_a_transaction_the_sql_runs_as_it_is() -> None:
    from django.db import transaction

    Team.objects.create(name="Search", slug="search")
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert NAME_OF.rows({SLUG: "search"}) == [("Search",)]
    assert not captured.captured_queries[-1]["sql"].startswith("EXECUTE")
