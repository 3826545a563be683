"""Uploading a file of a version that exists: a dry-run preview, then the update on
confirmation, applied as load_model would apply it."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from maturity.admin import TREE_WRITE_PERMISSIONS
from maturity.forms import UPDATE_MAX_AGE
from maturity.loader import export_spec
from maturity.modelfile import ModelSpec, PracticeSpec, dump
from maturity.models import Check, MaturityModel, Practice

IMPORT = reverse("admin:maturity_maturitymodel_import")


@pytest.fixture
def staff_client(admin_user: User, client: Client) -> Client:
    client.force_login(admin_user)
    return client


def edited(spec: ModelSpec) -> ModelSpec:
    """The model with build.0.versioned-scripts reworded, build.0.scheduled-build left out,
    a practice added to the same cell, and the first check left out."""
    build = spec.categories[0]
    floor, cell, *above = build.cells
    first, _left_out, *rest = cell.practices
    new = PracticeSpec("build.0.brand-new", "A brand new practice.")
    cell = replace(cell, practices=(replace(first, text="Reworded."), *rest, new))
    build = replace(build, cells=(floor, cell, *above))
    return replace(spec, categories=(build, *spec.categories[1:]), checks=spec.checks[1:])


def upload(client: Client, spec: ModelSpec) -> Any:
    content = dump(spec).encode()
    return client.post(IMPORT, {"file": SimpleUploadedFile("model.yaml", content)})


def confirmation(page: Any) -> str:
    """The signed value that the preview's "Apply these changes" button sends back."""
    found = re.search(r'name="update" value="([^"]+)"', page.content.decode())
    assert found, page.content.decode()
    return found.group(1)


def snapshot(model: MaturityModel) -> tuple[object, ...]:
    return (
        list(Practice.objects.filter(model=model).values_list("key", "text", "is_active")),
        list(Check.objects.filter(model=model).values_list("key", flat=True)),
        LogEntry.objects.count(),
    )


def test_uploading_an_existing_version_shows_its_changes_and_writes_nothing(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    spec = export_spec(cd_model)
    before = snapshot(cd_model)
    page = upload(staff_client, edited(spec))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Nothing has been written yet" in content
    assert "<h2>Added (1)</h2>" in content and "practice build.0.brand-new" in content
    assert "practice build.0.versioned-scripts: text" in content
    assert "practice build.0.scheduled-build" in content.split("<h2>Retired (1)</h2>")[1]
    assert f"check {spec.checks[0].key}" in content.split("<h2>Removed (1)</h2>")[1]
    assert "Apply these changes" in content
    assert snapshot(cd_model) == before


def test_confirming_the_preview_applies_it_as_load_model_would(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    spec = edited(export_spec(cd_model))
    preview = upload(staff_client, spec)
    response = staff_client.post(IMPORT, {"update": confirmation(preview)})
    change_page = reverse("admin:maturity_maturitymodel_change", args=[cd_model.pk])
    assert response.status_code == 302 and response["Location"] == change_page
    practices = Practice.objects.filter(model=cd_model)
    assert practices.get(key="build.0.versioned-scripts").text == "Reworded."
    assert practices.get(key="build.0.brand-new").is_active
    assert not practices.get(key="build.0.scheduled-build").is_active
    checks = Check.objects.filter(model=cd_model).values_list("key", flat=True)
    assert list(checks) == [check.key for check in spec.checks]
    entry = LogEntry.objects.get(object_id=str(cd_model.pk))
    assert entry.action_flag == CHANGE
    # Changed: the reworded practice, and the two practices and eight checks that move up.
    assert entry.get_change_message() == "Updated from model.yaml: 1 added, 11 changed, 2 retired"
    cd_model.refresh_from_db()
    assert cd_model.is_active, "an update leaves the model as active as it was"


def test_a_file_that_matches_the_model_has_nothing_to_apply(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    page = upload(staff_client, export_spec(cd_model)).content.decode()
    assert "there is nothing to change" in page
    assert "Apply these changes" not in page


def test_an_altered_confirmation_is_refused_and_writes_nothing(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    before = snapshot(cd_model)
    signed = confirmation(upload(staff_client, edited(export_spec(cd_model))))
    page = staff_client.post(IMPORT, {"update": signed.replace(":", "x:", 1)})
    assert page.status_code == 200
    assert b"This preview has expired or was altered: upload the file again." in page.content
    assert snapshot(cd_model) == before


def test_a_preview_confirmed_too_late_is_refused_and_writes_nothing(
    staff_client: Client, cd_model: MaturityModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(cd_model)
    signed = confirmation(upload(staff_client, edited(export_spec(cd_model))))
    later = time.time() + UPDATE_MAX_AGE + 1
    monkeypatch.setattr(time, "time", lambda: later)
    page = staff_client.post(IMPORT, {"update": signed})
    assert b"This preview has expired or was altered: upload the file again." in page.content
    assert snapshot(cd_model) == before


def test_a_preview_that_no_longer_holds_is_shown_again_instead_of_applied(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    signed = confirmation(upload(staff_client, edited(export_spec(cd_model))))
    Practice.objects.filter(key="build.0.rebuild-any-version").update(text="Edited meanwhile.")
    before = snapshot(cd_model)
    page = staff_client.post(IMPORT, {"update": signed})
    content = page.content.decode()
    assert "The model changed after your preview, so nothing was written" in content
    assert "practice build.0.rebuild-any-version: text" in content
    assert snapshot(cd_model) == before
    assert staff_client.post(IMPORT, {"update": confirmation(page)}).status_code == 302


def test_a_colleagues_edit_of_a_text_the_file_changes_too_is_not_overwritten(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    signed = confirmation(upload(staff_client, edited(export_spec(cd_model))))
    # the file rewords this practice: the preview said so, then a colleague reworded it
    Practice.objects.filter(key="build.0.versioned-scripts").update(text="A colleague's text.")
    page = staff_client.post(IMPORT, {"update": signed})
    assert "The model changed after your preview, so nothing was written" in page.content.decode()
    assert Practice.objects.get(key="build.0.versioned-scripts").text == "A colleague's text."


def test_an_update_needs_the_right_to_make_each_change(
    client: Client, admin_user: User, cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    codenames = [name.split(".")[1] for name in TREE_WRITE_PERMISSIONS]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(editor)
    before = snapshot(cd_model)
    page = upload(client, edited(export_spec(cd_model))).content.decode()
    assert "Ask for these rights" in page
    missing = ["change_check", "change_practice", "delete_check"]
    assert ", ".join(f"<code>maturity.{name}</code>" for name in missing) in page
    assert "Apply these changes" not in page
    # A confirmation made for someone who may, sent by someone who may not
    admin_client = Client()
    admin_client.force_login(admin_user)
    signed = confirmation(upload(admin_client, edited(export_spec(cd_model))))
    assert client.post(IMPORT, {"update": signed}).status_code == 200
    assert snapshot(cd_model) == before


def test_a_file_the_loader_refuses_is_refused_whole(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    spec = export_spec(cd_model)
    top = spec.levels[-1].value
    without_top = replace(
        spec,
        levels=spec.levels[:-1],
        categories=tuple(
            replace(category, cells=tuple(c for c in category.cells if c.level != top))
            for category in spec.categories
        ),
        checks=tuple(check for check in spec.checks if check.level_at_least != top),
    )
    before = snapshot(cd_model)
    page = upload(staff_client, without_top)
    assert b"The file was refused; nothing was written." in page.content
    assert b"levels cannot be removed" in page.content
    assert snapshot(cd_model) == before
