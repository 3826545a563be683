"""Every URL of the read API, as every persona, with GET and POST, signed in with the
session, and every endpoint with a token too. The API sees what the pages
show: a team's API answers 200 exactly when its page does, an assessment's exactly when
its export.json does, and the lists hold the teams whose pages the persona may open."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from api.models import AccessToken
from assessments.models import Assessment
from teams.models import Team

from .test_authorization_matrix import PERSONAS, staff, teammate  # noqa: F401 (fixtures)
from .test_dashboard import submit_at

SIGNED_IN = [persona for persona in PERSONAS if persona != "anonymous"]
ANONYMOUS = (401, 405)  # no credentials: 401 with WWW-Authenticate: Bearer; a write: 405
READ = (200, 405)
HIDDEN = (404, 405)  # a POST is refused whatever the object: it tells nothing

# (URL name in the api namespace, case) -> persona -> (GET, POST).
EXPECTED: dict[tuple[str, str], dict[str, tuple[int, int]]] = {
    ("units", ""): dict.fromkeys(SIGNED_IN, READ),
    ("teams", ""): dict.fromkeys(SIGNED_IN, READ),
    ("scores", ""): dict.fromkeys(SIGNED_IN, READ),
    ("team", "payments"): {
        **dict.fromkeys(["member", "teammate", "manager", "unit_manager"], READ),
        **dict.fromkeys(["outsider", "other_unit_manager", "staff"], HIDDEN),
    },
    ("team", "mobile"): {
        **dict.fromkeys(["outsider", "manager", "other_unit_manager"], READ),
        **dict.fromkeys(["member", "teammate", "unit_manager", "staff"], HIDDEN),
    },
    ("team", "no-such-team"): dict.fromkeys(SIGNED_IN, HIDDEN),
    ("team_assessments", "payments"): {
        **dict.fromkeys(["member", "teammate", "manager", "unit_manager"], READ),
        **dict.fromkeys(["outsider", "other_unit_manager", "staff"], HIDDEN),
    },
    ("team_assessments", "mobile"): {
        **dict.fromkeys(["outsider", "manager", "other_unit_manager"], READ),
        **dict.fromkeys(["member", "teammate", "unit_manager", "staff"], HIDDEN),
    },
    ("assessment", "submitted"): {
        **dict.fromkeys(["member", "teammate", "manager", "unit_manager"], READ),
        **dict.fromkeys(["outsider", "other_unit_manager", "staff"], HIDDEN),
    },
    ("assessment", "draft"): dict.fromkeys(SIGNED_IN, HIDDEN),  # as its export.json
    ("schema", ""): dict.fromkeys(SIGNED_IN, READ),
    ("docs", ""): dict.fromkeys(SIGNED_IN, READ),
}
for by_persona in EXPECTED.values():
    by_persona["anonymous"] = ANONYMOUS
# The docs are a page for people too: a browser without a session is sent to sign in.
EXPECTED["docs", ""]["anonymous"] = (302, 302)
EXPECTED["schema", ""]["anonymous"] = (401, 401)  # drf-spectacular's view asks first

# Each API URL beside the page that decides who may see the same object.
PAGE_OF = {
    "team": "team_detail",
    "team_assessments": "team_detail",
    "assessment": "assessment_export",
}
TEAMS = ["payments", "mobile"]


def api_url_names() -> set[str]:
    """Every named URL of the api namespace."""
    resolver = next(
        pattern
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLResolver) and pattern.namespace == "api"
    )
    return {
        pattern.name
        for pattern in resolver.url_patterns
        if isinstance(pattern, URLPattern) and pattern.name
    }


def test_every_api_url_is_in_the_table_for_every_persona() -> None:
    assert {name for name, _ in EXPECTED} == api_url_names()
    for key, by_persona in EXPECTED.items():
        assert set(by_persona) == set(PERSONAS), key


@pytest.fixture
def users(
    member: User,
    teammate: User,  # noqa: F811
    outsider: User,
    manager: User,
    unit_manager: User,
    other_unit_manager: User,
    staff: User,  # noqa: F811
) -> dict[str, User]:
    return {
        "member": member,
        "teammate": teammate,
        "outsider": outsider,
        "manager": manager,
        "unit_manager": unit_manager,
        "other_unit_manager": other_unit_manager,
        "staff": staff,
    }


@pytest.fixture
def cases(submitted: Assessment, draft: Assessment) -> dict[str, list[object]]:
    """The URL arguments of each case."""
    return {
        "": [],
        "submitted": [submitted.pk],
        "draft": [draft.pk],
        **{slug: [slug] for slug in [*TEAMS, "no-such-team"]},
    }


def signed_in(persona: str, users: dict[str, User]) -> Client:
    client = Client()
    if persona in users:
        client.force_login(users[persona])
    return client


def with_token(user: User) -> Client:
    _, plain = AccessToken.objects.issue(user, "t", None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}")


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_api_url_answers_each_persona_as_the_table_says(
    persona: str, users: dict[str, User], cases: dict[str, list[object]], mobile: Team
) -> None:
    client = signed_in(persona, users)
    found, wanted = {}, {}
    for (name, case), by_persona in EXPECTED.items():
        url = reverse(f"api:{name}", args=cases[case])
        found[name, case] = (client.get(url).status_code, client.post(url).status_code)
        wanted[name, case] = by_persona[persona]
    assert found == wanted


def test_anonymous_requests_are_asked_for_a_bearer_token(cases: dict[str, list[object]]) -> None:
    for name, case in EXPECTED:
        if name == "docs":
            continue
        response = Client().get(reverse(f"api:{name}", args=cases[case]))
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        if name != "schema":
            assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.django_db
def test_the_docs_send_a_browser_to_sign_in_and_refuse_a_bad_token() -> None:
    docs = reverse("api:docs")
    assert Client().get(docs)["Location"] == f"{reverse('login')}?next={docs}"
    refused = Client().get(docs, headers={"Authorization": "Bearer mat_nope"})
    assert refused.status_code == 401


def test_an_unknown_api_path_is_a_json_404(client: Client, member: User) -> None:
    client.force_login(member)
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_writes_are_refused_with_a_detail(client: Client, member: User) -> None:
    client.force_login(member)
    for method in (client.post, client.put, client.patch, client.delete):
        response = method(reverse("api:team", args=["payments"]))
        assert response.status_code == 405
        assert "detail" in response.json()


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_a_token_sees_what_the_session_sees(
    persona: str, users: dict[str, User], cases: dict[str, list[object]], mobile: Team
) -> None:
    session, token = signed_in(persona, users), with_token(users[persona])
    for name, case in EXPECTED:
        url = reverse(f"api:{name}", args=cases[case])
        by_session, by_token = session.get(url), token.get(url)
        assert by_token.status_code == by_session.status_code, url
        if url.startswith("/api/v1/"):
            assert by_token.json() == by_session.json(), url


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_api_answers_200_exactly_where_the_page_does(
    persona: str, users: dict[str, User], cases: dict[str, list[object]], mobile: Team
) -> None:
    client = signed_in(persona, users)
    for name, case in EXPECTED:
        if name in PAGE_OF:
            api = client.get(reverse(f"api:{name}", args=cases[case])).status_code
            shown = client.get(reverse(PAGE_OF[name], args=cases[case])).status_code
            assert api == shown, (name, case)


@pytest.mark.parametrize("persona", SIGNED_IN)
def test_the_lists_hold_the_teams_whose_page_the_user_may_open(
    persona: str, users: dict[str, User], submitted: Assessment, mobile: Team
) -> None:
    submit_at(mobile, submitted.model, users["outsider"], 1, days_ago=1)
    client = signed_in(persona, users)
    shown = {
        slug for slug in TEAMS if client.get(reverse("team_detail", args=[slug])).status_code == 200
    }
    listed = {row["slug"] for row in client.get(reverse("api:teams")).json()["results"]}
    scored = {row["team"] for row in client.get(reverse("api:scores")).json()["results"]}
    assert listed == scored == shown


def test_a_browser_post_with_a_session_is_405_not_a_csrf_403(member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    for method in (client.post, client.put, client.delete):
        response = method(reverse("api:teams"))
        assert response.status_code == 405 and "detail" in response.json()


@pytest.mark.django_db
def test_the_docs_send_a_browser_with_other_credentials_to_sign_in() -> None:
    docs = reverse("api:docs")
    response = Client().get(docs, headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response["Location"] == f"{reverse('login')}?next={docs}"
