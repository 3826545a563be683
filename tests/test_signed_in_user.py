"""The signed-in user is read on every request, with whether they manage teams, in one
query compiled once per process (and prepared once per connection on PostgreSQL): what
changes in the database by any path, signals or none, shows on the very next request.
A connection that lost the prepared statement prepares it again; with
DATABASE_PREPARED_STATEMENTS off (behind a pooler in transaction mode) nothing is
prepared."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.auth import SIGNED_IN_USER, signed_in_user
from maturity.prepared import numbered, statement_name
from teams.models import Unit

DASHBOARD_LINK = b'href="/dashboard/"'
POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


@pytest.fixture
def signed_in(client: Client, member: User) -> Client:
    client.force_login(member)
    assert client.get(reverse("home")).status_code == 200
    return client


def test_a_deactivation_made_without_signals_signs_out_at_the_next_request(
    signed_in: Client, member: User
) -> None:
    User.objects.filter(pk=member.pk).update(is_active=False)
    response = signed_in.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_changed_elsewhere_signs_out_at_the_next_request(
    signed_in: Client, member: User
) -> None:
    elsewhere = User.objects.get(pk=member.pk)
    elsewhere.set_password("another secret")
    User.objects.filter(pk=member.pk).update(password=elsewhere.password)
    assert signed_in.get(reverse("home")).status_code == 302


def test_a_permission_granted_or_taken_through_a_group_shows_at_the_next_request(
    signed_in: Client, member: User
) -> None:
    assert DASHBOARD_LINK not in signed_in.get(reverse("home")).content
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_all_teams"))
    member.groups.add(group)
    assert DASHBOARD_LINK in signed_in.get(reverse("home")).content
    assert signed_in.get(reverse("dashboard")).status_code == 200
    group.permissions.clear()
    assert DASHBOARD_LINK not in signed_in.get(reverse("home")).content
    assert signed_in.get(reverse("dashboard")).status_code == 404


def test_a_permission_granted_directly_and_a_managed_unit_show_at_the_next_request(
    signed_in: Client, member: User
) -> None:
    member.user_permissions.add(Permission.objects.get(codename="view_all_teams"))
    assert DASHBOARD_LINK in signed_in.get(reverse("home")).content
    member.user_permissions.clear()
    unit = Unit.objects.create(name="Platform")
    unit.managers.add(member)
    assert DASHBOARD_LINK in signed_in.get(reverse("home")).content
    unit.delete()
    assert DASHBOARD_LINK not in signed_in.get(reverse("home")).content


@pytest.mark.django_db(transaction=True)
def test_the_user_is_one_query_per_request_on_a_new_connection_too(signed_in: Client) -> None:
    for _ in range(2):
        connection.close()  # the request runs on a new connection
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(reverse("api_tokens")).status_code == 200
        reads = [q["sql"] for q in captured.captured_queries]
        prepared = f"EXECUTE {statement_name(SIGNED_IN_USER.sql(connection.alias)[0])}"
        user_reads = [sql for sql in reads if prepared in sql or '"password"' in sql]
        assert len(user_reads) == 1, reads


def prepared_statements() -> list[str]:
    """The names of the statements prepared on the connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return [name for (name,) in cursor.fetchall()]


@pytest.fixture
def reconnect_afterwards() -> Iterator[None]:
    """The next test gets a new connection, not one whose session a test reset."""
    yield
    connection.close()


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("reset", ["DEALLOCATE ALL", "DISCARD ALL"])
@pytest.mark.usefixtures("reconnect_afterwards")
def test_a_connection_that_lost_the_statement_prepares_it_again(
    signed_in: Client, reset: str
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(reset)  # what a pooler runs when it hands the connection on
    assert signed_in.get(reverse("home")).status_code == 200
    assert statement_name(SIGNED_IN_USER.sql(connection.alias)[0]) in prepared_statements()


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reconnect_afterwards")
def test_a_statement_the_connection_holds_already_is_used(signed_in: Client) -> None:
    """A pooler may hand a new connection a server connection that holds the statement."""
    connection.close()
    connection.ensure_connection()
    sql = SIGNED_IN_USER.sql(connection.alias)[0]
    with connection.connection.cursor() as cursor:
        cursor.execute(f"PREPARE {statement_name(sql)} AS {numbered(sql)}")
    assert signed_in.get(reverse("home")).status_code == 200


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
def test_a_lost_statement_inside_a_transaction_leaves_the_transaction_working(
    signed_in: Client, member: User
) -> None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        assert signed_in.get(reverse("home")).status_code == 200
        User.objects.filter(pk=member.pk).update(first_name="Mira")
    assert User.objects.get(pk=member.pk).first_name == "Mira"


@POSTGRESQL_ONLY
@pytest.mark.django_db(transaction=True)
@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_with_prepared_statements_off_nothing_is_prepared(signed_in: Client) -> None:
    connection.close()  # the request runs on a new connection
    assert signed_in.get(reverse("home")).status_code == 200
    assert prepared_statements() == []


def test_placeholders_are_numbered_for_postgresql() -> None:
    assert numbered("a = %s AND b LIKE '50%%' AND c IN (%s, %s)") == (
        "a = $1 AND b LIKE '50%' AND c IN ($2, $3)"
    )


def test_the_user_is_read_with_every_field_as_the_orm_reads_it(member: User) -> None:
    member.last_login = timezone.now()
    member.save()
    read = signed_in_user(member.pk)
    expected = User.objects.get(pk=member.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
    assert isinstance(read.date_joined, datetime)
    assert read.granted_every_team is False and read.manages_a_unit is False  # not SQLite's 0
    assert not read._state.adding and read._state.db == "default"
    assert signed_in_user(member.pk + 1000) is None
