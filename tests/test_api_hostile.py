"""Hostile query strings to every endpoint of the read API: unknown filters, huge page
sizes, negative numbers, NUL characters. Each gets a 400 naming what is wrong, or is
ignored; never a server error, and no NUL reaches the database (PostgreSQL refuses it)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment
from teams.models import Unit

from .test_fuzz import hostile_text

LISTS = ["units", "teams", "team_assessments", "scores"]
PARAMETERS = ["unit", "overdue", "model", "since", "page", "page_size", "format", "other"]

IGNORED = [
    {"other": "x", "unit_id": "1", "ordering": "-name", "search": "\x00"},
    {"page_size": "1000000"},
    {"page_size": "9" * 5000},
    {"page_size": "0"},
    {"page_size": "-5"},
    {"page_size": "\x00"},
    {"page_size": "1.5"},
    {"format": "xml"},
    {"format": "\x00"},
    {"unit": ""},
    {"overdue": ""},
]
REFUSED = [
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "abc"}, "page"),
    ({"page": "\x00"}, "page"),
    ({"page": "1\x00"}, "page"),
    ({"page": "9" * 5000}, "page"),
    ({"unit": "\x00"}, "unit"),
    ({"unit": "sales\x00"}, "unit"),
    ({"unit": "../../etc"}, "unit"),
    ({"unit": "a" * 10000}, "unit"),
    ({"unit": "ünït"}, "unit"),
]
REFUSED_BY = {
    "teams": [({"overdue": "maybe"}, "overdue"), ({"overdue": "\x00"}, "overdue")],
    "scores": [
        ({"model": "\x00"}, "model"),
        ({"model": "continuous-delivery\x00"}, "model"),
        ({"model": "x" * 10000}, "model"),
        ({"since": "\x00"}, "since"),
        ({"since": "2026-13-45"}, "since"),
        ({"since": "-1"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"since": "99999-01-01"}, "since"),
    ],
}

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def manager_api(
    client: Client, manager: User, submitted: Assessment, units: dict[str, Unit]
) -> Client:
    client.force_login(manager)
    return client


def url(name: str) -> str:
    return reverse(f"api:{name}", args=["payments"] if name == "team_assessments" else [])


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("query", IGNORED)
def test_unknown_and_out_of_range_parameters_are_ignored(
    manager_api: Client, name: str, query: dict[str, str]
) -> None:
    response = manager_api.get(url(name), query)
    assert response.status_code == 200
    assert response.json()["count"] >= 1


@pytest.mark.parametrize("name", LISTS)
def test_bad_values_are_a_400_naming_the_parameter(manager_api: Client, name: str) -> None:
    refused = REFUSED if name in ("teams", "scores") else REFUSED[:6]  # no unit filter
    for query, parameter in refused + REFUSED_BY.get(name, []):
        response = manager_api.get(url(name), query)
        assert response.status_code == 400, query
        body = response.json()
        assert body["detail"] == "Invalid query parameters."
        assert list(body["errors"]) == [parameter], query


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/assessments/99999999999999999999999/",
        "/api/v1/assessments/0/",
        "/api/v1/teams/no-such-team/",
        "/api/v1/teams/no-such-team/assessments/",
    ],
)
def test_a_detail_of_nothing_is_a_404_with_a_detail(manager_api: Client, path: str) -> None:
    response = manager_api.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("name", LISTS)
@FUZZ
@given(query=st.dictionaries(st.sampled_from(PARAMETERS), hostile_text, max_size=5))
def test_random_query_strings_get_an_answer(
    manager_api: Client, name: str, query: dict[str, str]
) -> None:
    response = manager_api.get(url(name), query)
    assert response.status_code in (200, 400, 404)
    assert response.status_code == 200 or "detail" in response.json()
