"""Every URL of the project, as every persona, with GET and POST: the expected answer
for each cell is in the table below. A URL that the table does not cover fails the test,
so a new page cannot ship without deciding who may use it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.models import Assessment
from teams.models import Membership, Team

LOGIN = "login"  # a redirect to the sign-in page
ADMIN_LOGIN = "admin-login"  # a redirect to the admin's sign-in page
# member: the lead of Payments; teammate: a plain member of Payments; manager: a global
# manager; unit_manager: a manager of the unit above Payments' unit; other_unit_manager:
# a manager of Mobile's unit.
PERSONAS = [
    "anonymous",
    "member",
    "teammate",
    "outsider",
    "manager",
    "unit_manager",
    "other_unit_manager",
    "staff",
]

# (URL name, case) -> persona -> (GET, POST). A case picks the URL's arguments.
EXPECTED: dict[tuple[str, str], dict[str, tuple[object, object]]] = {
    ("home", ""): {
        "anonymous": (LOGIN, 405),
        **dict.fromkeys(["member", "outsider", "manager", "staff"], (200, 405)),
    },
    ("team_detail", "payments"): {
        "anonymous": (LOGIN, 405),
        "member": (200, 405),
        "outsider": (404, 405),
        "manager": (200, 405),
        "staff": (404, 405),
    },
    ("team_plan", "payments"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 400),  # a POST without an action is refused, nothing changed
        "outsider": (404, 404),
        "manager": (200, 403),  # managers read the plan; only members change it
        "staff": (404, 404),
    },
    ("team_members", "payments"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 400),  # a lead's POST without an action is refused, nothing changed
        "teammate": (200, 403),  # members read the list; only leads change it
        "outsider": (404, 404),
        "manager": (200, 403),  # managers read the list
        "staff": (404, 404),
    },
    ("plan_add", "payments"): {
        "anonymous": (405, LOGIN),
        "member": (405, 400),  # an empty POST names no result and no practice
        "outsider": (405, 404),
        "manager": (405, 403),
        "staff": (405, 404),
    },
    ("assessment_new", "payments"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 409),  # a draft is under way: resume or discard it
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_result", "submitted"): {
        "anonymous": (LOGIN, 405),
        "member": (200, 405),
        "outsider": (404, 405),
        "manager": (200, 405),
        "staff": (404, 405),
    },
    ("assessment_result", "draft"): {
        "anonymous": (LOGIN, 405),
        "member": (200, 405),
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 405)),
    },
    ("assessment_answers", "submitted"): {
        "anonymous": (LOGIN, 405),
        "member": (200, 405),
        "outsider": (404, 405),
        "manager": (200, 405),
        "staff": (404, 405),
    },
    ("assessment_answers", "draft"): {
        "anonymous": (LOGIN, 405),
        "member": (200, 405),
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 405)),
    },
    ("assessment_export", "submitted"): {
        "anonymous": (LOGIN, 405),
        "member": (200, 405),
        "outsider": (404, 405),
        "manager": (200, 405),
        "staff": (404, 405),
    },
    ("assessment_export", "draft"): {
        "anonymous": (LOGIN, 405),
        **dict.fromkeys(["member", "outsider", "manager", "staff"], (404, 405)),
    },
    ("assessment_edit", "draft"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 302),  # an empty POST changes nothing and goes back to the page
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_edit", "submitted"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (302, 409),  # read-only: shown the result, a change refused
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_outcomes", "draft"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 302),  # an empty POST saves no metrics and goes on to the review
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_outcomes", "submitted"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (302, 409),
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_review", "draft"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 400),  # submitting an empty draft is refused with the gaps
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_review", "submitted"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (302, 409),
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_void", "submitted"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 200),  # a lead may; an empty POST shows the form again
        **dict.fromkeys(["teammate", "outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_void", "draft"): {
        "anonymous": (LOGIN, LOGIN),
        **dict.fromkeys(["member", "teammate", "outsider", "manager", "staff"], (404, 404)),
    },
    ("assessment_discard", "submitted"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (302, 409),
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
    ("dashboard", ""): {
        "anonymous": (LOGIN, 405),
        **dict.fromkeys(["manager", "unit_manager", "other_unit_manager"], (200, 405)),
        **dict.fromkeys(["member", "outsider", "staff"], (404, 405)),
    },
    ("dashboard_csv", ""): {
        "anonymous": (LOGIN, 405),
        **dict.fromkeys(["manager", "unit_manager", "other_unit_manager"], (200, 405)),
        **dict.fromkeys(["member", "outsider", "staff"], (404, 405)),
    },
    ("login", ""): dict.fromkeys(PERSONAS, (200, 200)),  # an empty POST is a form error
    ("logout", ""): dict.fromkeys(PERSONAS, (405, 302)),
    ("password_change", ""): {
        "anonymous": (LOGIN, LOGIN),
        **dict.fromkeys(["member", "outsider", "manager", "staff"], (200, 200)),
    },
    ("password_change_done", ""): {
        "anonymous": (LOGIN, LOGIN),
        **dict.fromkeys(["member", "outsider", "manager", "staff"], (200, 405)),
    },
    ("api_tokens", ""): {
        "anonymous": (LOGIN, LOGIN),
        # everyone signed in has their own tokens; an empty POST names no action
        **dict.fromkeys(PERSONAS[1:], (200, 400)),
    },
    # Last: a member's POST discards the draft that the rows above use.
    ("assessment_discard", "draft"): {
        "anonymous": (LOGIN, LOGIN),
        "member": (200, 302),
        **dict.fromkeys(["outsider", "manager", "staff"], (404, 404)),
    },
}
# A teammate answers as the lead does, a manager of Payments' unit as a global manager, and
# a manager of another unit as an outsider, but where a row says otherwise.
for by_persona in EXPECTED.values():
    by_persona.setdefault("teammate", by_persona["member"])
    by_persona.setdefault("unit_manager", by_persona["manager"])
    by_persona.setdefault("other_unit_manager", by_persona["outsider"])


def project_url_names() -> Iterator[str]:
    """Every named URL outside the admin (the admin is covered below) and the read API
    (tests/test_api_matrix.py has its own table, which must cover each of its URLs)."""

    def walk(patterns: list[URLPattern | URLResolver]) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name not in ("admin", "api"):
                    yield from walk(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    yield from walk(get_resolver().url_patterns)


def test_every_url_is_in_the_table() -> None:
    covered = {name for name, _ in EXPECTED}
    missing = sorted(set(project_url_names()) - covered)
    assert missing == [], f"add these URLs to EXPECTED: {missing}"


@pytest.fixture
def teammate(payments: Team, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user("tim", password="pw")
    Membership.objects.create(user=user, team=payments, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("sam", password="pw", is_staff=True)


def url_for(name: str, case: str, submitted: Assessment, draft: Assessment) -> str:
    assessments = {"submitted": submitted, "draft": draft}
    team_urls = ("assessment_new", "team_plan", "plan_add", "team_members")
    if name.startswith("team_detail") or name in team_urls:
        return reverse(name, args=[case])
    if name == "assessment_edit":
        return reverse(name, args=[assessments[case].pk, "build"])
    if case in assessments:
        return reverse(name, args=[assessments[case].pk])
    return reverse(name)


def outcome(response: object, expected: object) -> object:
    status = response.status_code  # type: ignore[attr-defined]
    if expected in (LOGIN, ADMIN_LOGIN) and status == 302:
        location = response["Location"]  # type: ignore[index]
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        if location.startswith(reverse("login")):
            return LOGIN
    return status


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_url_answers_each_persona_as_the_table_says(
    persona: str,
    submitted: Assessment,
    draft: Assessment,
    member: User,
    teammate: User,
    outsider: User,
    manager: User,
    unit_manager: User,
    other_unit_manager: User,
    staff: User,
) -> None:
    users = {
        "member": member,
        "teammate": teammate,
        "outsider": outsider,
        "manager": manager,
        "unit_manager": unit_manager,
        "other_unit_manager": other_unit_manager,
        "staff": staff,
    }
    found, wanted = {}, {}
    for (name, case), by_persona in EXPECTED.items():
        for method, expected in zip(("GET", "POST"), by_persona[persona], strict=True):
            client = Client()
            if persona in users:
                client.force_login(users[persona])
            url = url_for(name, case, submitted, draft)
            response = client.get(url) if method == "GET" else client.post(url)
            found[(name, case, method)] = outcome(response, expected)
            wanted[(name, case, method)] = expected
    assert found == wanted


@pytest.mark.parametrize("persona", ["anonymous", "member", "outsider", "manager"])
def test_the_admin_sends_everyone_but_staff_to_its_sign_in(
    persona: str, client: Client, submitted: Assessment, member: User, outsider: User, manager: User
) -> None:
    users = {"member": member, "outsider": outsider, "manager": manager}
    if persona in users:
        client.force_login(users[persona])
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    urls.append(reverse("admin:maturity_maturitymodel_import"))
    urls.append(reverse("admin:teams_team_import"))
    urls.append(reverse("admin:maturity_maturitymodel_export", args=[submitted.model_id]))
    for url in urls:
        assert outcome(client.get(url), ADMIN_LOGIN) == ADMIN_LOGIN, url
        assert outcome(client.post(url), ADMIN_LOGIN) == ADMIN_LOGIN, url


def test_staff_without_permissions_see_no_admin_data(
    client: Client, staff: User, submitted: Assessment
) -> None:
    client.force_login(staff)
    index = client.get(reverse("admin:index"))
    assert b"have permission to view or edit anything" in index.content
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 403, url
    export = reverse("admin:maturity_maturitymodel_export", args=[submitted.model_id])
    assert client.get(export).status_code == 403
    model_import = reverse("admin:maturity_maturitymodel_import")
    assert client.get(model_import).status_code == 403
    assert client.post(model_import, {"update": "anything"}).status_code == 403
