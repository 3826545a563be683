"""The organisation import in the admin, the unit admin and the read-only membership log."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from teams.admin import IMPORT_PERMISSIONS
from teams.models import Membership, MembershipChange, Team, Unit

from .test_import_org import HEADER, SAMPLE, counts

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:teams_team_import")


def upload(client: Client, text: str, dry_run: bool) -> object:
    data: dict[str, object] = {"file": SimpleUploadedFile("org.csv", text.encode(), "text/csv")}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(IMPORT, data)


def staff_with(django_user_model: type[User], permissions: list[str]) -> User:
    user = django_user_model.objects.create_user("sam", password="pw", is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def test_a_dry_run_shows_the_report_and_writes_nothing(admin_client: Client) -> None:
    before = counts()

    response = upload(admin_client, SAMPLE, dry_run=True)

    assert response.status_code == 200  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Would create: 3 units, 3 teams, 3 users, 4 memberships." in page
    assert "Dry run: nothing was written." in page
    assert counts() == before


def test_an_import_writes_and_reports_what_it_did(admin_client: Client) -> None:
    response = upload(admin_client, SAMPLE, dry_run=False)

    assert response["Location"] == reverse("admin:teams_team_changelist")  # type: ignore[index]
    changelist = admin_client.get(reverse("admin:teams_team_changelist")).content.decode()
    assert "Created: 3 units, 3 teams, 3 users, 4 memberships." in changelist
    assert set(Team.objects.values_list("slug", flat=True)) == {"payments", "mobile", "handbook"}
    assert Membership.objects.count() == 4


def test_a_refused_file_lists_every_bad_row(admin_client: Client) -> None:
    before = counts()
    rows = [",mobile,Mobile,,,", ",tools,Tools,alice,,boss", ",tools,Tools,bob,bob@,"]
    text = "\n".join([HEADER, *rows, ",mobile,Mobile apps,,,"])

    response = upload(admin_client, text, dry_run=False)

    page = response.content.decode()  # type: ignore[attr-defined]
    assert "The file was refused; nothing was written." in page
    assert "line 3: unknown role &#x27;boss&#x27; (use member or lead)" in page
    assert "line 4: email &#x27;bob@&#x27;: Enter a valid email address." in page
    assert (
        "line 5: team &#x27;mobile&#x27; is called &#x27;Mobile&#x27; on line 2 "
        "and &#x27;Mobile apps&#x27; here"
    ) in page
    assert counts() == before


def test_the_team_list_links_to_the_import_for_those_who_may_import(
    admin_client: Client, client: Client, django_user_model: type[User]
) -> None:
    changelist = reverse("admin:teams_team_changelist")
    assert IMPORT in admin_client.get(changelist).content.decode()
    client.force_login(staff_with(django_user_model, ["teams.view_team", "teams.add_team"]))
    assert IMPORT not in client.get(changelist).content.decode()


@pytest.mark.parametrize(
    "permissions",
    [
        [],
        ["teams.view_team", "teams.add_team", "teams.add_unit", "teams.add_membership"],
        # adding alone would let the import move teams and make its uploader a lead
        [
            "teams.view_team",
            "teams.add_team",
            "teams.add_unit",
            "teams.add_membership",
            "auth.add_user",
        ],
    ],
    ids=["none", "all but adding users", "adding without changing"],
)
def test_staff_without_every_permission_the_import_uses_gets_403(
    client: Client, django_user_model: type[User], permissions: list[str]
) -> None:
    client.force_login(staff_with(django_user_model, permissions))
    before = counts()
    assert client.get(IMPORT).status_code == 403
    assert upload(client, SAMPLE, dry_run=False).status_code == 403  # type: ignore[attr-defined]
    assert counts() == before


def test_staff_with_every_add_permission_may_import(
    client: Client, django_user_model: type[User]
) -> None:
    client.force_login(staff_with(django_user_model, IMPORT_PERMISSIONS))
    assert client.get(IMPORT).status_code == 200
    assert upload(client, SAMPLE, dry_run=False).status_code == 302  # type: ignore[attr-defined]
    assert Team.objects.count() == 3


def test_the_membership_log_is_read_only(admin_client: Client) -> None:
    upload(admin_client, SAMPLE, dry_run=False)
    change = MembershipChange.objects.first()
    assert change is not None
    assert admin_client.get(reverse("admin:teams_membershipchange_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:teams_membershipchange_add")).status_code == 403
    url = reverse("admin:teams_membershipchange_change", args=[change.pk])
    assert 'name="_save"' not in admin_client.get(url).content.decode()
    delete = reverse("admin:teams_membershipchange_delete", args=[change.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert MembershipChange.objects.filter(pk=change.pk).exists()


def test_units_are_edited_in_the_admin(admin_client: Client) -> None:
    company = Unit.objects.create(name="Company", slug="company")
    Unit.objects.create(name="Engineering", slug="engineering", parent=company)
    assert (
        "Engineering" in admin_client.get(reverse("admin:teams_unit_changelist")).content.decode()
    )
    assert admin_client.get(reverse("admin:teams_unit_add")).status_code == 200
    assert admin_client.get(reverse("admin:teams_team_add")).status_code == 200
