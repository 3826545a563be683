"""The model in the Django admin: pages render, deletion is guarded, bad edits are refused."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from assessments.models import Answer, Assessment
from assessments.scoring import Status
from maturity.checks import checks_of
from maturity.loader import clone_model, export_spec
from maturity.modelfile import dump
from maturity.models import Category, Cell, Check, Level, MaturityModel, Practice
from teams.models import Team


@pytest.fixture
def staff_client(admin_user: User, client: Client) -> Client:
    client.force_login(admin_user)
    return client


@pytest.fixture
def answered_practice(cd_model: MaturityModel, admin_user: User) -> Practice:
    """A practice that a team has answered, so its history depends on it."""
    practice = Practice.objects.get(key="build.0.versioned-scripts")
    team = Team.objects.create(name="Payments", slug="payments")
    assessment = Assessment.objects.create(team=team, model=cd_model, created_by=admin_user)
    Answer.objects.create(assessment=assessment, practice=practice, status=Status.YES)
    return practice


@pytest.mark.parametrize("model_name", ["maturitymodel", "category", "cell", "practice"])
def test_changelist_renders_for_staff(
    staff_client: Client, cd_model: MaturityModel, model_name: str
) -> None:
    response = staff_client.get(reverse(f"admin:maturity_{model_name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model_name", "queryset", "queries"),
    # Every page: session, user, the object, content types for the history link.
    # Model: whether its levels are set, levels, categories, checks, and the category
    # and level choices of the checks. Category: its cells with their levels. Cell:
    # category, practices, level choices (x2). Practice: cell choices.
    [
        ("maturitymodel", MaturityModel.objects.all(), 10),
        ("category", Category.objects.filter(slug="build"), 6),
        ("cell", Cell.objects.filter(category__slug="build", level__value=1), 8),
        ("practice", Practice.objects.filter(key="build.0.versioned-scripts"), 5),
    ],
    ids=["maturitymodel", "category", "cell", "practice"],
)
def test_change_page_renders_for_staff_with_pinned_queries(
    staff_client: Client,
    cd_model: MaturityModel,
    model_name: str,
    queryset: object,
    queries: int,
    django_assert_num_queries: object,
) -> None:
    obj = queryset.first()  # type: ignore[attr-defined]
    url = reverse(f"admin:maturity_{model_name}_change", args=[obj.pk])
    with django_assert_num_queries(queries):  # type: ignore[operator]
        assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("model_name", "queries"),
    # Every page: the session and the user, then the rows with relations joined.
    # Models: count, count unfiltered, rows. Categories: models for the filter, count x2,
    # rows. Cells: models and categories for the filters, count x2, rows, level names.
    # Practices: models for the filter, count x2, rows, category names, level names.
    [("maturitymodel", 5), ("category", 6), ("cell", 8), ("practice", 8)],
)
def test_changelist_query_count_is_pinned(
    staff_client: Client,
    cd_model: MaturityModel,
    django_assert_num_queries: object,
    model_name: str,
    queries: int,
) -> None:
    url = reverse(f"admin:maturity_{model_name}_changelist")
    with django_assert_num_queries(queries):  # type: ignore[operator]
        assert staff_client.get(url).status_code == 200


def test_cell_inline_offers_only_the_levels_of_its_own_model(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    Level.objects.create(model=other, value=7, name="Elsewhere")
    category = cd_model.categories.get(slug="build")
    response = staff_client.get(reverse("admin:maturity_category_change", args=[category.pk]))
    assert "Elsewhere" not in response.content.decode()


def test_answered_practice_cannot_be_deleted(answered_practice: Practice) -> None:
    with pytest.raises(ProtectedError):
        answered_practice.delete()
    with pytest.raises(ProtectedError):
        answered_practice.model.delete()


def test_admin_delete_of_answered_practice_explains_and_suggests_retiring(
    staff_client: Client, answered_practice: Practice
) -> None:
    url = reverse("admin:maturity_practice_delete", args=[answered_practice.pk])
    page = staff_client.get(url).content.decode()
    assert "cannot be deleted" in page
    assert "retire it instead" in page
    staff_client.post(url, {"post": "yes"})
    assert Practice.objects.filter(pk=answered_practice.pk).exists()


def test_admin_delete_of_a_model_with_answers_is_refused(
    staff_client: Client, answered_practice: Practice
) -> None:
    model = answered_practice.model
    staff_client.post(
        reverse("admin:maturity_maturitymodel_delete", args=[model.pk]), {"post": "yes"}
    )
    assert Practice.objects.filter(model=model).count() > 0
    assert MaturityModel.objects.filter(pk=model.pk).exists()


def test_unused_practice_can_still_be_deleted(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    practice = Practice.objects.get(key="build.1.build-every-commit")
    url = reverse("admin:maturity_practice_delete", args=[practice.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Practice.objects.filter(pk=practice.pk).exists()


def test_practice_at_the_floor_is_refused(cd_model: MaturityModel) -> None:
    floor_cell = Cell.objects.get(category__slug="build", level__value=-1)
    practice = Practice(cell=floor_cell, key="build.x.floor", text="Anything")
    with pytest.raises(ValidationError) as caught:
        practice.full_clean()
    assert "holds no practices" in str(caught.value)


def test_admin_refuses_a_key_already_used_in_the_model(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    cell = Cell.objects.get(category__slug="testing", level__value=1)
    response = staff_client.post(
        reverse("admin:maturity_practice_add"),
        {
            "cell": cell.pk,
            "key": "build.0.versioned-scripts",
            "text": "Duplicate",
            "order": 9,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "already used in this model" in response.content.decode()
    assert Practice.objects.filter(key="build.0.versioned-scripts").count() == 1


def test_admin_adds_a_practice_under_the_cells_model(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    cell = Cell.objects.get(category__slug="testing", level__value=1)
    staff_client.post(
        reverse("admin:maturity_practice_add"),
        {"cell": cell.pk, "key": "testing.1.new", "text": "New.", "order": 9, "is_active": "on"},
    )
    assert Practice.objects.get(key="testing.1.new").model == cd_model


def test_cell_with_a_level_of_another_model_is_refused(cd_model: MaturityModel) -> None:
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    foreign_level = Level.objects.create(model=other, value=0, name="Zero")
    cell = Cell(category=cd_model.categories.first(), level=foreign_level, summary="x")
    with pytest.raises(ValidationError, match="same maturity model"):
        cell.full_clean()


def test_non_staff_user_cannot_open_the_admin(
    client: Client, django_user_model: type[User]
) -> None:
    user = django_user_model.objects.create_user("member", password="pw")
    client.force_login(user)
    response = client.get(reverse("admin:maturity_practice_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("url_name", "queries"),
    # session, user, count x2, rows; teams add the units for the filter, assessments
    # the model and team filter choices and the date hierarchy
    [("admin:teams_team_changelist", 6), ("admin:assessments_assessment_changelist", 9)],
)
def test_team_and_assessment_changelists_render_with_pinned_queries(
    staff_client: Client,
    submitted: object,
    django_assert_num_queries: object,
    url_name: str,
    queries: int,
) -> None:
    with django_assert_num_queries(queries):  # type: ignore[operator]
        assert staff_client.get(reverse(url_name)).status_code == 200


def test_assessments_cannot_be_edited_in_the_admin(
    staff_client: Client, submitted: Assessment
) -> None:
    url = reverse("admin:assessments_assessment_change", args=[submitted.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    assert b'name="submitted_at"' not in page.content
    staff_client.post(url, {"notes": "changed"})
    submitted.refresh_from_db()
    assert submitted.notes == ""


def test_a_category_cannot_move_to_another_model(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    category = cd_model.categories.get(slug="build")
    page = staff_client.get(reverse("admin:maturity_category_change", args=[category.pk]))
    assert b'name="model"' not in page.content


def test_a_cell_cannot_move_to_another_category(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    cell = Cell.objects.get(category__slug="build", level__value=1)
    page = staff_client.get(reverse("admin:maturity_cell_change", args=[cell.pk])).content.decode()
    assert 'name="category"' not in page
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    Level.objects.create(model=other, value=7, name="Elsewhere")
    assert "Elsewhere" not in page.split('name="level"')[1].split("</select>")[0]


def test_levels_of_a_model_cannot_be_renumbered_added_or_deleted(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    page = staff_client.get(reverse("admin:maturity_maturitymodel_change", args=[cd_model.pk]))
    content = page.content.decode()
    assert 'name="levels-0-name"' in content  # texts stay editable
    assert 'name="levels-0-value"' not in content
    assert 'name="levels-0-DELETE"' not in content
    assert 'id="levels-empty"' not in content  # no row to add


def test_a_practice_can_only_move_within_its_model(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    level = Level.objects.create(model=other, value=0, name="Zero")
    category = Category.objects.create(model=other, slug="x", name="Elsewhere category")
    Cell.objects.create(category=category, level=level, summary="x")
    practice = Practice.objects.get(key="build.0.versioned-scripts")
    page = staff_client.get(reverse("admin:maturity_practice_change", args=[practice.pk]))
    assert b"Elsewhere category" not in page.content


def test_advice_is_required_above_the_floor(cd_model: MaturityModel) -> None:
    cell = Cell.objects.get(category__slug="build", level__value=2)
    cell.advice = "  "
    with pytest.raises(ValidationError, match="next step"):
        cell.full_clean()
    floor = Cell.objects.get(category__slug="build", level__value=-1)
    floor.advice = ""
    floor.full_clean()


def test_assessments_can_only_be_deleted_while_draft(
    staff_client: Client, submitted: Assessment, draft: Assessment
) -> None:
    staff_client.post(
        reverse("admin:assessments_assessment_delete", args=[submitted.pk]), {"post": "yes"}
    )
    assert Assessment.objects.filter(pk=submitted.pk).exists()
    staff_client.post(
        reverse("admin:assessments_assessment_delete", args=[draft.pk]), {"post": "yes"}
    )
    assert not Assessment.objects.filter(pk=draft.pk).exists()


class FormFields(HTMLParser):
    """The values a browser would send for the first POST form of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        name = attr.get("name")
        if tag == "input" and name and attr.get("type") not in {"submit", "checkbox"}:
            self.data[name] = attr.get("value", "")
        elif tag == "input" and name and "checked" in attr:
            self.data[name] = attr.get("value", "on")
        elif tag == "textarea" and name:
            self._textarea, self.data[name] = name, ""
        elif tag == "option" and "selected" in attr and self._select:
            self.data[self._select] = attr.get("value", "")
        if tag == "select":
            self._select = name

    _select: str | None = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def form_data(page: bytes) -> dict[str, str]:
    parser = FormFields()
    parser.feed(page.decode())
    parser.data.pop("_addanother", None)
    parser.data["_save"] = "Save"
    return parser.data


def test_category_page_saves_cell_texts_edited_inline(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    category = cd_model.categories.get(slug="testing")
    url = reverse("admin:maturity_category_change", args=[category.pk])
    data = form_data(staff_client.get(url).content)
    cell_field = next(name for name, value in data.items() if name.endswith("-summary"))
    data[cell_field] = "Rewritten summary."
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Cell.objects.filter(category=category, summary="Rewritten summary.").count() == 1
    assert Cell.objects.filter(category=category).count() == 5


# The model's checks, edited inline on its page


def model_page(client: Client, model: MaturityModel) -> tuple[str, dict[str, str]]:
    url = reverse("admin:maturity_maturitymodel_change", args=[model.pk])
    return url, form_data(client.get(url).content)


def with_new_check(data: dict[str, str], **fields: str) -> dict[str, str]:
    index = int(data["checks-TOTAL_FORMS"])
    data["checks-TOTAL_FORMS"] = str(index + 1)
    data.update({f"checks-{index}-{name}": value for name, value in fields.items()})
    return data


def test_checks_are_listed_on_the_model_page_with_only_its_categories_and_levels(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    Level.objects.create(model=other, value=7, name="Elsewhere level")
    Category.objects.create(model=other, slug="x", name="Elsewhere category")
    url = reverse("admin:maturity_maturitymodel_change", args=[cd_model.pk])
    page = staff_client.get(url).content.decode()
    assert 'name="checks-0-key" value="lead-time-despite-ci"' in page
    category_select = page.split('name="checks-0-category"')[1].split("</select>")[0]
    assert "Environments and deployment" in category_select
    assert "Elsewhere" not in category_select
    level_select = page.split('name="checks-0-level_at_least"')[1].split("</select>")[0]
    assert "2: Quantitatively managed" in level_select and "Elsewhere" not in level_select


def test_the_add_page_of_a_model_has_no_checks_yet(staff_client: Client, db: None) -> None:
    page = staff_client.get(reverse("admin:maturity_maturitymodel_add")).content.decode()
    assert 'name="levels-TOTAL_FORMS"' in page
    assert "checks-TOTAL_FORMS" not in page


def test_a_check_added_on_the_model_page_is_saved(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    url, data = model_page(staff_client, cd_model)
    data = with_new_check(
        data,
        order="20",
        key="data-rework",
        category=str(cd_model.categories.get(slug="data").pk),
        level_at_least="2",
        metric="rework_rate",
        worse_than="12.5",
        message="Tested migrations, yet many fixes?",
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    check = Check.objects.get(model=cd_model, key="data-rework")
    assert (check.category.slug, check.level_at_least, check.worse_than) == ("data", 2, 12.5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"metric": "rework_rate", "worse_than": "101"}, "101 is outside 0..100"),
        ({"metric": "lead_time", "worse_than": "7"}, "7 is outside 1..6"),
        ({"metric": "lead_time", "worse_than": "3.5"}, "use a whole number"),
        ({"metric": "lead_time", "worse_than": "nan"}, "Enter a number."),
        ({"level_at_least": "5"}, "Select a valid choice. 5 is not one of the available"),
        ({"key": "deploys-rarely"}, "Please correct the duplicate data for key"),
    ],
)
def test_the_model_page_refuses_a_check_the_file_would_refuse(
    staff_client: Client, cd_model: MaturityModel, fields: dict[str, str], message: str
) -> None:
    url, data = model_page(staff_client, cd_model)
    values = {
        "order": "20",
        "key": "new-check",
        "category": str(cd_model.categories.get(slug="testing").pk),
        "level_at_least": "2",
        "metric": "change_fail_rate",
        "worse_than": "25",
        "message": "Why?",
        **fields,
    }
    response = staff_client.post(url, with_new_check(data, **values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Check.objects.filter(model=cd_model).count() == len(checks_of(cd_model.pk))
    assert not Check.objects.filter(key="new-check").exists()


def test_the_model_page_refuses_a_category_of_another_model(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    foreign = Category.objects.create(model=other, slug="testing", name="Elsewhere")
    url, data = model_page(staff_client, cd_model)
    data["checks-0-category"] = str(foreign.pk)
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Check.objects.get(model=cd_model, key="lead-time-despite-ci").category.model == cd_model


def test_editing_a_check_on_the_model_page_changes_it_in_place(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    check = Check.objects.get(model=cd_model, key="deploys-rarely")
    url, data = model_page(staff_client, cd_model)
    index = next(k for k, v in data.items() if v == "deploys-rarely").split("-")[1]
    data[f"checks-{index}-worse_than"] = "3"
    assert staff_client.post(url, data).status_code == 302
    check.refresh_from_db()
    assert check.worse_than == 3


def test_importing_or_cloning_a_model_with_checks_needs_the_right_to_add_checks(
    client: Client, cd_model: MaturityModel, django_user_model: type[User]
) -> None:
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    codenames = [
        "add_maturitymodel",
        "change_maturitymodel",
        "view_maturitymodel",
        "add_level",
        "add_category",
        "add_cell",
        "add_practice",
    ]
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(editor)
    text = dump(export_spec(cd_model)).replace("version: '2'", "version: '8'")
    upload = SimpleUploadedFile("m.yaml", text.encode(), content_type="application/yaml")
    page = client.post(reverse("admin:maturity_maturitymodel_import"), {"file": upload})
    assert "your account may not add checks" in page.content.decode()
    clone = {"action": "clone_as_new_version", "_selected_action": [cd_model.pk], "version": "9"}
    client.post(reverse("admin:maturity_maturitymodel_changelist"), clone)
    assert MaturityModel.objects.count() == 1
    editor.user_permissions.add(Permission.objects.get(codename="add_check"))
    client = Client()
    client.force_login(editor)
    assert client.post(reverse("admin:maturity_maturitymodel_changelist"), clone).status_code == 302
    upload = SimpleUploadedFile("m.yaml", text.encode(), content_type="application/yaml")
    assert (
        client.post(reverse("admin:maturity_maturitymodel_import"), {"file": upload}).status_code
        == 302
    )
    assert Check.objects.filter(model__version="9").count() == len(checks_of(cd_model.pk))
    assert Check.objects.filter(model__version="8").count() == len(checks_of(cd_model.pk))


# After a clone, every name appears once per version


def option_labels(page: str, field: str) -> list[str]:
    select = page.split(f'name="{field}"')[1].split("</select>")[0]
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select)


def test_add_pages_name_the_model_version_of_each_choice(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    clone_model(cd_model, "9")
    practice_add = staff_client.get(reverse("admin:maturity_practice_add")).content.decode()
    cells = option_labels(practice_add, "cell")
    assert "Testing / 1: Consistent (continuous-delivery v9)" in cells
    assert f"Testing / 1: Consistent (continuous-delivery v{cd_model.version})" in cells
    cell_add = staff_client.get(reverse("admin:maturity_cell_add")).content.decode()
    for field, label in [("category", "Testing"), ("level", "1: Consistent")]:
        labels = option_labels(cell_add, field)
        assert f"{label} (continuous-delivery v9)" in labels
    for labels in (cells, option_labels(cell_add, "category"), option_labels(cell_add, "level")):
        assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("model_name", ["cell", "practice"])
def test_list_filters_have_distinct_titles(
    staff_client: Client, cd_model: MaturityModel, model_name: str
) -> None:
    page = staff_client.get(reverse(f"admin:maturity_{model_name}_changelist")).content.decode()
    titles = re.findall(r'data-filter-title="([^"]*)"', page)
    assert {"category", "level"} <= set(titles)
    assert len(set(titles)) == len(titles)


def test_editable_lists_and_inlines_label_every_input(
    staff_client: Client, cd_model: MaturityModel
) -> None:
    """The column heading labels no input: each has a label naming its field and row."""
    practices = staff_client.get(reverse("admin:maturity_practice_changelist")).content.decode()
    assert 'aria-label="Order (build.0.versioned-scripts)"' in practices
    assert 'aria-label="Is active (build.0.versioned-scripts)"' in practices
    url = reverse("admin:maturity_maturitymodel_change", args=[cd_model.pk])
    page = staff_client.get(url).content.decode()
    label = re.search(
        r'<label class="visually-hidden" for="id_levels-0-name">([^<]*)</label>', page
    )
    assert label and label.group(1) == "Name (-1: Regressive)"
    assert '<label class="visually-hidden" for="id_categories-0-DELETE">Delete Build' in page
