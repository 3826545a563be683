"""The OpenAPI schema of the read API: valid by drf-spectacular's own check, with no
warning, every operation described with an example, made once per process and served as
drf-spectacular would make it for each request; and the docs page, which loads Swagger UI
from this site's static files with no inline script (the CSP forbids them)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.test import APIRequestFactory, force_authenticate

from api.views import site_schema

from .conftest import run_command


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def test_the_schema_validates(schema: dict[str, Any]) -> None:
    validate_schema(schema)


def test_generating_the_schema_raises_no_warning(tmp_path: Path) -> None:
    run_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "api.yaml"))


def test_the_schema_has_every_endpoint_read_only(schema: dict[str, Any]) -> None:
    assert sorted(schema["paths"]) == [
        "/api/v1/assessments/{id}/",
        "/api/v1/scores/",
        "/api/v1/teams/",
        "/api/v1/teams/{slug}/",
        "/api/v1/teams/{slug}/assessments/",
        "/api/v1/units/",
    ]
    assert {name.split()[0] for name, _ in operations(schema)} == {"GET"}


def test_every_operation_has_a_description_and_an_example(schema: dict[str, Any]) -> None:
    for name, operation in operations(schema):
        assert operation.get("description"), name
        content = operation["responses"]["200"]["content"]["application/json"]
        assert content.get("examples"), name
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (name, parameter["name"])


def test_the_schema_is_served_to_signed_in_users(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/scores/" in response.json()["paths"]


@pytest.fixture
def generations(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """One item for each time a schema is generated, from a cold start of the process."""
    made: list[None] = []
    generate = SchemaGenerator.get_schema

    def counted(self: SchemaGenerator, *args: Any, **kwargs: Any) -> Any:
        made.append(None)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    site_schema.cache_clear()
    return made


@pytest.mark.parametrize("persona", ["member", "manager", "outsider"])
@pytest.mark.parametrize("accept", ["application/vnd.oai.openapi", "application/json"])
def test_the_schema_served_is_what_drf_spectacular_makes_for_the_request(
    client: Client, request: pytest.FixtureRequest, persona: str, accept: str
) -> None:
    user = request.getfixturevalue(persona)
    client.force_login(user)
    served = client.get(reverse("api:schema"), HTTP_ACCEPT=accept)
    fresh = APIRequestFactory().get(reverse("api:schema"), HTTP_ACCEPT=accept)
    force_authenticate(fresh, user=user)
    made = SpectacularAPIView.as_view()(fresh).render()
    assert served.status_code == made.status_code == 200
    assert served.content == made.content
    for header in ("Content-Type", "Content-Disposition"):
        assert served[header] == made[header]


def test_the_schema_is_made_once_per_process(
    client: Client, member: User, manager: User, generations: list[None]
) -> None:
    for user in (member, manager, member):
        client.force_login(user)
        for wanted in ("yaml", "json"):
            assert client.get(reverse("api:schema"), {"format": wanted}).status_code == 200
    assert len(generations) == 1


def test_a_schema_for_a_version_or_language_asked_is_made_afresh_not_kept(
    client: Client, member: User, generations: list[None]
) -> None:
    client.force_login(member)
    for asked in ({"version": "x"}, {"version": "y"}, {"lang": "de"}, {"lang": "de"}):
        assert client.get(reverse("api:schema"), asked).status_code == 200
    assert len(generations) == 4
    assert "version: 1 (y)" in client.get(reverse("api:schema"), {"version": "y"}).content.decode()


def test_the_schema_is_for_signed_in_users_only(client: Client) -> None:
    assert client.get(reverse("api:schema")).status_code == 401


def test_the_docs_page_has_no_inline_script_and_no_cdn(client: Client, member: User) -> None:
    client.force_login(member)
    page = client.get(reverse("api:docs")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.DOTALL)
    assert scripts and all(
        'src="' in attributes and not body.strip() for attributes, body in scripts
    )
    assert "://" not in page
    assert "<style" not in page and "style=" not in page  # the CSP allows no inline style
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        if asset.startswith(reverse("api:docs")) or not asset.startswith(static("")):
            continue  # the page's own start-up script; links back to the app
        assert finders.find(asset.removeprefix(static(""))), asset


def test_the_docs_start_up_script_is_a_script_file(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get(reverse("api:docs"), {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in response.content.decode()
