"""Admins change the model safely: clone versions, import and export files, retire
practices; no team's history changes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from maturity.loader import export_spec
from maturity.modelfile import dump, parse
from maturity.models import Category, Cell, Level, MaturityModel, Practice
from teams.models import Team

from .conftest import DEFAULT_MODEL_FILE, DEFAULT_VERSION, answer_all, up_to


@pytest.fixture
def staff_client(admin_user: User, client: Client) -> Client:
    client.force_login(admin_user)
    return client


def clone(client: Client, model: MaturityModel, version: str) -> Any:
    return client.post(
        reverse("admin:maturity_maturitymodel_changelist"),
        {"action": "clone_as_new_version", "_selected_action": [model.pk], "version": version},
    )


def tree_rows(model: MaturityModel) -> list[tuple[object, ...]]:
    return list(
        Practice.objects.filter(model=model)
        .order_by("key")
        .values_list(
            "key", "text", "order", "is_active", "cell__level__value", "cell__category__slug"
        )
    )


def test_clone_copies_the_whole_tree_into_independent_inactive_rows(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    response = clone(staff_client, cd_model, "9")
    copy = MaturityModel.objects.get(slug=cd_model.slug, version="9")
    assert response["Location"] == reverse("admin:maturity_maturitymodel_change", args=[copy.pk])
    assert copy.is_active is False and cd_model.is_active is True
    for table in (Level, Category):
        assert (
            table.objects.filter(model=copy).count() == table.objects.filter(model=cd_model).count()
        )
    assert Cell.objects.filter(category__model=copy).count() == 30
    assert tree_rows(copy) == tree_rows(cd_model)
    assert not set(Practice.objects.filter(model=copy).values_list("pk", flat=True)) & set(
        Practice.objects.filter(model=cd_model).values_list("pk", flat=True)
    )
    Practice.objects.filter(model=copy, key="build.0.versioned-scripts").update(
        text="Changed in v2"
    )
    assert (
        Practice.objects.get(model=cd_model, key="build.0.versioned-scripts").text
        != "Changed in v2"
    )
    entry = LogEntry.objects.get(object_id=str(copy.pk))
    assert (
        entry.action_flag == ADDITION
        and f"Cloned from version {DEFAULT_VERSION}" in entry.get_change_message()
    )


def test_clone_asks_for_a_version_and_refuses_one_taken(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    ask = staff_client.post(
        reverse("admin:maturity_maturitymodel_changelist"),
        {"action": "clone_as_new_version", "_selected_action": [cd_model.pk]},
    )
    assert ask.status_code == 200 and b"New version" in ask.content
    taken = clone(staff_client, cd_model, DEFAULT_VERSION)
    assert f"already has a version {DEFAULT_VERSION}".encode() in taken.content
    assert MaturityModel.objects.count() == 1


def test_clone_needs_the_add_permission(
    client: Client, cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_maturitymodel", "view_maturitymodel"])
    )
    client.force_login(editor)
    page = client.get(reverse("admin:maturity_maturitymodel_changelist")).content.decode()
    assert "clone_as_new_version" not in page
    clone(client, cd_model, "2")
    assert MaturityModel.objects.count() == 1


def test_answers_carry_over_by_key_and_new_practices_are_highlighted(
    client: Client, staff_client: Client, cd_model: MaturityModel, payments: Team, member: User
) -> None:
    old = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(old, up_to(1))
    old.submit()
    clone(staff_client, cd_model, "9")
    v2 = MaturityModel.objects.get(version="9")
    MaturityModel.objects.filter(pk=v2.pk).update(is_active=True)
    cell = Cell.objects.get(category__model=v2, category__slug="build", level__value=0)
    added = Practice.objects.create(
        cell=cell, key="build.0.brand-new", text="A brand new practice."
    )
    client.force_login(member)
    client.post(reverse("assessment_new", args=["payments"]), {"model": v2.pk, "prefill": "on"})
    new = Assessment.objects.drafts().get()
    carried = dict(new.answers.values_list("practice__key", "status"))
    assert carried == dict(old.answers.values_list("practice__key", "status"))
    assert new.answers.filter(practice__model=v2).count() == len(carried)
    assert "build.0.brand-new" not in carried
    page = client.get(reverse("assessment_edit", args=[new.pk, "build"])).content.decode()
    assert page.count("New in this version") == 1
    assert page.index("New in this version") < page.index(added.text)
    # The keys the old assessment answered are kept (with a shared cache): an old practice
    # given the added one's key shows at once, the added one answered, its own key new.
    renamed = Practice.objects.filter(model=cd_model, key__startswith="build.").first()
    assert renamed is not None
    now_new = Practice.objects.get(model=v2, key=renamed.key)
    renamed.key = added.key
    renamed.save()
    page = client.get(reverse("assessment_edit", args=[new.pk, "build"])).content.decode()
    assert page.count("New in this version") == 1
    assert f'practice-new" data-practice="{now_new.pk}"' in page


def test_download_yaml_is_the_export_format(staff_client: Client, cd_model: MaturityModel) -> None:
    response = staff_client.get(reverse("admin:maturity_maturitymodel_export", args=[cd_model.pk]))
    expected = f'attachment; filename="continuous-delivery-v{DEFAULT_VERSION}.yaml"'
    assert response["Content-Disposition"] == expected
    assert parse(response.content.decode()) == parse(DEFAULT_MODEL_FILE.read_text())
    page = staff_client.get(reverse("admin:maturity_maturitymodel_change", args=[cd_model.pk]))
    assert b"Download YAML" in page.content and b"History" in page.content


def upload(client: Client, content: bytes, name: str = "model.yaml") -> Any:
    return client.post(
        reverse("admin:maturity_maturitymodel_import"),
        {"file": SimpleUploadedFile(name, content, content_type="application/yaml")},
    )


def test_export_then_import_as_a_new_version_round_trips(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    exported = staff_client.get(reverse("admin:maturity_maturitymodel_export", args=[cd_model.pk]))
    text = exported.content.decode().replace(
        f"version: '{DEFAULT_VERSION}'", "version: '2026.2'", 1
    )
    response = upload(staff_client, text.encode())
    imported = MaturityModel.objects.get(version="2026.2")
    assert response["Location"] == reverse(
        "admin:maturity_maturitymodel_change", args=[imported.pk]
    )
    assert imported.is_active is False
    assert export_spec(imported) == parse(text)
    assert (
        "Imported from model.yaml"
        in LogEntry.objects.get(object_id=str(imported.pk)).get_change_message()
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"slug: [unclosed", b"not valid YAML"),
        (b'slug: x\nversion: "1"\nname: X\nlevels: []\n', b"missing required field"),
        (
            DEFAULT_MODEL_FILE.read_bytes().replace(
                b"build.0.scheduled-build", b"build.0.versioned-scripts"
            ),
            b"duplicate key",
        ),
        (b"\xff\xfe\x00bad", b"not UTF-8 text"),
        (b"#" * (1024 * 1024 + 1), b"larger than 1 MB"),
    ],
    # A file of a version that exists is not refused: it offers an update with a preview
    # (tests/test_admin_import_update.py).
    ids=["bad-yaml", "missing-field", "duplicate-key", "not-utf8", "too-large"],
)
def test_a_bad_upload_is_refused_whole_and_writes_nothing(
    staff_client: Client, cd_model: MaturityModel, content: bytes, message: bytes
) -> None:
    before = (MaturityModel.objects.count(), Practice.objects.count(), LogEntry.objects.count())
    response = upload(staff_client, content)
    assert response.status_code == 200
    assert b"The file was refused; nothing was written." in response.content
    assert message in response.content
    assert (
        MaturityModel.objects.count(),
        Practice.objects.count(),
        LogEntry.objects.count(),
    ) == before


def test_import_and_download_need_the_right_permissions(
    client: Client, cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    viewer = django_user_model.objects.create_user("vi", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_maturitymodel"))
    client.force_login(viewer)
    assert (
        client.get(reverse("admin:maturity_maturitymodel_export", args=[cd_model.pk])).status_code
        == 200
    )
    assert client.get(reverse("admin:maturity_maturitymodel_import")).status_code == 403
    assert (
        upload(client, dump(export_spec(cd_model)).replace("'1'", "'9'").encode()).status_code
        == 403
    )
    assert MaturityModel.objects.count() == 1
    nobody = django_user_model.objects.create_user("no", password="pw", is_staff=True)
    client.force_login(nobody)
    assert (
        client.get(reverse("admin:maturity_maturitymodel_export", args=[cd_model.pk])).status_code
        == 403
    )
    client.logout()
    anonymous = client.get(reverse("admin:maturity_maturitymodel_export", args=[cd_model.pk]))
    assert anonymous.status_code == 302


def result_numbers(client: Client, assessment: Assessment) -> tuple[object, ...]:
    data = json.loads(client.get(reverse("assessment_export", args=[assessment.pk])).content)
    page = client.get(reverse("assessment_result", args=[assessment.pk])).content.decode()
    scores = page.split("<tbody>")[1].split("</tbody>")[0]
    numbers = [(c["slug"], c["level"], c["score"]) for c in data["categories"]]
    return (
        data["overall"],
        numbers,
        scores.count("fw-semibold"),
        [s for s in scores.split() if s[:1].isdigit()],
    )


@pytest.mark.parametrize(
    "edit",
    ["texts", "retire-practice", "retire-category", "new-practice", "move-practice", "level-name"],
)
def test_submitted_results_never_change_when_the_model_is_edited(
    client: Client, member: User, cd_model: MaturityModel, payments: Team, edit: str
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(
        assessment, lambda p: "yes" if p.level <= 1 or p.key.startswith("build.2.") else "no"
    )
    assessment.submit()
    client.force_login(member)
    before = result_numbers(client, assessment)
    practices = Practice.objects.filter(model=cd_model)
    if edit == "texts":
        practices.update(text="Reworded")
        Cell.objects.update(advice="New advice")
    elif edit == "retire-practice":
        practices.filter(key__startswith="testing.1.").update(is_active=False)
    elif edit == "retire-category":
        Category.objects.filter(slug="data").update(is_active=False)
    elif edit == "new-practice":
        cell = Cell.objects.get(category__slug="release", level__value=0)
        Practice.objects.create(cell=cell, key="release.0.new", text="New")
    elif edit == "move-practice":
        target = Cell.objects.get(category__slug="build", level__value=3)
        practices.filter(key__startswith="build.2.").update(cell=target)
    else:
        Level.objects.filter(model=cd_model, value=1).update(name="Renamed level")
    assert result_numbers(client, assessment) == before
    stored = dict(assessment.answers.values_list("practice__key", "status"))
    assert len(stored) == practices.exclude(key="release.0.new").count()


def test_retired_practices_leave_new_questionnaires_and_scoring(
    client: Client, member: User, draft: Assessment, cd_model: MaturityModel
) -> None:
    answer_all(draft, lambda p: "no" if p.key == "build.0.versioned-scripts" else "yes")
    Practice.objects.filter(key="build.0.versioned-scripts").update(is_active=False)
    client.force_login(member)
    page = client.get(reverse("assessment_edit", args=[draft.pk, "build"])).content.decode()
    assert "version control together with" not in page
    results = {result.slug: result for result in draft.submit()}
    assert results["build"].score == 3.0


def test_an_admin_edit_shows_on_an_open_questionnaire(
    member: User, draft: Assessment, staff_client: Client
) -> None:
    client = Client()
    client.force_login(member)
    url = reverse("assessment_edit", args=[draft.pk, "build"])
    assert b"Reworded in the admin" not in client.get(url).content
    practice = Practice.objects.get(key="build.0.versioned-scripts")
    data = {
        "cell": practice.cell_id,
        "key": practice.key,
        "text": "Reworded in the admin",
        "order": 1,
        "is_active": "on",
    }
    change = reverse("admin:maturity_practice_change", args=[practice.pk])
    assert staff_client.post(change, data).status_code == 302
    assert b"Reworded in the admin" in client.get(url).content


def test_import_needs_the_right_to_add_every_part_of_a_model(
    client: Client, cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    models_only = ["add_maturitymodel", "change_maturitymodel", "view_maturitymodel"]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=models_only))
    client.force_login(editor)
    assert client.get(reverse("admin:maturity_maturitymodel_import")).status_code == 403
    parts = ["add_level", "add_category", "add_cell", "add_practice"]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=parts))
    client = Client()
    client.force_login(editor)
    assert client.get(reverse("admin:maturity_maturitymodel_import")).status_code == 200
