"""Editing the model tree: model -> levels, categories and checks -> cells -> practices;
versions are cloned, and models move in and out as YAML files (a file of a version
that exists updates it, after a dry-run preview)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.text import slugify

from .forms import CloneForm, ConfirmUpdateForm, ModelUploadForm
from .loader import clone_model, create_inactive, export_spec, load_spec
from .modelfile import ModelFileError, ModelSpec, dump, parse
from .models import Category, Cell, Check, Level, MaturityModel, Practice

# Importing or cloning a model writes its whole tree.
TREE_WRITE_PERMISSIONS = [
    "maturity.add_maturitymodel",
    "maturity.change_maturitymodel",
    "maturity.add_level",
    "maturity.add_category",
    "maturity.add_cell",
    "maturity.add_practice",
]
# A model's checks are part of its tree too, but only files and models that have some
# need the right to add them.
CHECK_WRITE_PERMISSION = "maturity.add_check"


def titled(title: str) -> type[admin.AllValuesFieldListFilter]:
    """A filter on a field's values, under `title`: Django names it after the field alone,
    and on two related names that is "By name" twice."""

    class Filter(admin.AllValuesFieldListFilter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.title = title

    return Filter


def in_model(row: object, model: MaturityModel) -> str:
    """A choice's label with its model and version, which tell a clone's rows apart."""
    return f"{row} ({model.slug} v{model.version})"


class RowLabelledForm(forms.ModelForm):
    """Names each input of an editable list after its field and row: the list shows the
    field only as a column heading, which labels no input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{field.label} ({self.instance})"


class EditableListAdmin(admin.ModelAdmin):
    """A list whose `list_editable` inputs are labelled for screen readers."""

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm]:
        return super().get_changelist_form(request, form=RowLabelledForm, **kwargs)


class LevelInline(admin.TabularInline):
    """Levels are set when a model is created; afterwards only their texts change,
    since moving or removing one would change every score and the floor."""

    model = Level
    extra = 0
    fields = ["value", "name", "description"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _levels_set(obj) and super().has_add_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["value"] if _levels_set(obj) else []


def _levels_set(model: MaturityModel | None) -> bool:
    """Whether the model has its levels already (one query, remembered on the object)."""
    if model is None or model.pk is None:
        return False
    if not hasattr(model, "_levels_set"):
        model._levels_set = model.levels.exists()  # type: ignore[attr-defined]
    return bool(model._levels_set)  # type: ignore[attr-defined]


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["order", "slug", "name", "is_active"]
    show_change_link = True


class CheckInline(admin.TabularInline):
    """Claim-versus-outcome checks, validated as the model file is (`Check.clean`): the
    category and level are chosen among the model's own, and the threshold must be in
    range for the metric. Shown once the model exists, as they need its categories."""

    model = Check
    extra = 0
    fields = ["order", "key", "category", "level_at_least", "metric", "worse_than", "message"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        """Offer only the model's categories and levels (a query each, for every row)."""
        formset = super().get_formset(request, obj, **kwargs)
        fields = formset.form.base_fields
        model_id = obj.pk if obj is not None else None
        categories = Category.objects.filter(model_id=model_id).order_by("order", "id")
        category_field: Any = fields["category"]
        category_field.widget = getattr(category_field.widget, "widget", category_field.widget)
        category_field.queryset = categories
        # Rendered from this list in every row, instead of a query per row.
        category_field.choices = [("", "---------"), *((c.pk, c.name) for c in categories)]
        levels = (
            Level.objects.filter(model_id=model_id).order_by("value").values_list("value", "name")
        )
        level_field = fields["level_at_least"]
        fields["level_at_least"] = forms.TypedChoiceField(
            choices=[("", "---------"), *((value, f"{value}: {name}") for value, name in levels)],
            coerce=int,
            label=level_field.label,
            help_text=level_field.help_text,
        )
        return formset


@admin.register(MaturityModel)
class MaturityModelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "version", "is_active", "category_count"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LevelInline, CategoryInline, CheckInline]
    actions = ["clone_as_new_version"]

    def get_inlines(
        self, request: HttpRequest, obj: Any
    ) -> list[type[admin.options.InlineModelAdmin]]:
        """A new model has no categories for a check to name yet."""
        return [inline for inline in self.inlines if obj is not None or inline is not CheckInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MaturityModel]:
        return super().get_queryset(request).annotate(category_count=Count("categories"))

    @admin.display(description="categories", ordering="category_count")
    def category_count(self, obj: Any) -> int:
        return int(obj.category_count)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/export.yaml", view(self.export_yaml), name="maturity_maturitymodel_export"
            ),
            path("import/", view(self.import_yaml), name="maturity_maturitymodel_import"),
            *super().get_urls(),
        ]

    def export_yaml(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The model as a YAML file, in the format load_model and the import read."""
        model = get_object_or_404(MaturityModel, pk=pk)
        if not self.has_view_permission(request, model):
            raise PermissionDenied
        response = HttpResponse(
            dump(export_spec(model)), content_type="application/yaml; charset=utf-8"
        )
        filename = f"{model.slug}-v{slugify(model.version)}.yaml"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def import_yaml(self, request: HttpRequest) -> HttpResponse:
        """Upload a model file: a new model or version is created inactive; a version that
        exists gets a dry run of the changes, applied once confirmed. A bad file changes
        nothing."""
        if not request.user.has_perms(TREE_WRITE_PERMISSIONS):
            raise PermissionDenied
        if "update" in request.POST:
            return self._confirm_update(request)
        form = ModelUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            spec: ModelSpec = form.cleaned_data["file"]
            name = str(form.files["file"].name)  # type: ignore[union-attr]
            try:
                if MaturityModel.objects.filter(slug=spec.slug, version=spec.version).exists():
                    return self._update(request, name, form.text, spec, previewed=None)
                model = self._import(request, spec)
            except ModelFileError as exc:
                form.add_error("file", exc.errors)
            else:
                self.log_addition(request, model, f"Imported from {name}")
                messages.success(
                    request, f"Imported {model}. It is inactive until you activate it."
                )
                return redirect("admin:maturity_maturitymodel_change", model.pk)
        return self._import_page(request, form, form["file"].errors)

    def _import_page(
        self, request: HttpRequest, form: ModelUploadForm, errors: Sequence[object]
    ) -> HttpResponse:
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import a maturity model",
            "form": form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/maturity/maturitymodel/import.html", ctx)

    def _confirm_update(self, request: HttpRequest) -> HttpResponse:
        """Apply the update that a preview showed, if the file comes back unaltered."""
        confirm = ConfirmUpdateForm(request.POST)
        if not confirm.is_valid():
            return self._import_page(request, ModelUploadForm(), confirm["update"].errors)
        name, text, previewed = confirm.cleaned_data["update"]
        try:
            return self._update(request, name, text, parse(text), previewed)
        except ModelFileError as exc:
            return self._import_page(request, ModelUploadForm(), exc.errors)

    def _update(
        self, request: HttpRequest, name: str, text: str, spec: ModelSpec, previewed: str | None
    ) -> HttpResponse:
        """Load the file (`text`, read as `spec`) into the version that exists, as
        load_model does: for real when `previewed` (the digest of the preview that the
        user confirmed) still holds and the user may make every change, else as a dry run
        shown for confirmation."""
        with transaction.atomic():
            report = load_spec(spec)
            missing = sorted(p for p in report.permissions() if not request.user.has_perm(p))
            applied = previewed == report.digest() and not missing
            transaction.set_rollback(not applied)
        if applied:
            said = f"{report.created} added, {report.updated} changed, {report.retired} retired"
            self.log_change(request, report.model, f"Updated from {name}: {said}")
            messages.success(request, f"Updated {report.model} from {name}: {said}.")
            return redirect("admin:maturity_maturitymodel_change", report.model.pk)
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Update {report.model}",
            "report": report,
            "missing": missing,
            "stale": previewed not in (None, report.digest()),
            "confirm": ConfirmUpdateForm.of(name, text, report.digest()),
        }
        return TemplateResponse(request, "admin/maturity/maturitymodel/update.html", ctx)

    def _import(self, request: HttpRequest, spec: ModelSpec) -> MaturityModel:
        if spec.checks and not request.user.has_perm(CHECK_WRITE_PERMISSION):
            raise ModelFileError(
                [
                    "checks: the file has checks, and your account may not add checks; "
                    "ask for that right, or leave the checks section out"
                ]
            )
        return create_inactive(spec)

    def has_tree_write_permission(self, request: HttpRequest) -> bool:
        """Cloning writes a whole tree: it needs the right to add every part of it."""
        return request.user.has_perms(TREE_WRITE_PERMISSIONS)

    @admin.action(description="Clone as new version", permissions=["tree_write"])
    def clone_as_new_version(
        self, request: HttpRequest, queryset: QuerySet[MaturityModel]
    ) -> HttpResponse | None:
        """Ask for the new version, then deep-copy the model under it."""
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one model to clone.", messages.ERROR)
            return None
        model = queryset.get()
        if not request.user.has_perm(CHECK_WRITE_PERMISSION) and model.checks.exists():
            self.message_user(
                request,
                f"{model} has checks, and your account may not add checks: ask for that right.",
                messages.ERROR,
            )
            return None
        taken = set(MaturityModel.objects.filter(slug=model.slug).values_list("version", flat=True))
        form = CloneForm(
            request.POST if "version" in request.POST else None, slug=model.slug, taken=taken
        )
        if form.is_valid():
            try:
                copy = clone_model(model, form.cleaned_data["version"])
            except ModelFileError as exc:  # the version was taken meanwhile
                form.add_error("version", exc.errors)
            else:
                self.log_addition(request, copy, f"Cloned from version {model.version}")
                messages.success(request, f"Created {copy}. It is inactive until you activate it.")
                return redirect(reverse("admin:maturity_maturitymodel_change", args=[copy.pk]))
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Clone {model} as a new version",
            "form": form,
            "model": model,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/maturity/maturitymodel/clone.html", ctx)


class CellInline(admin.StackedInline):
    """A category's cells, one per level: their texts are edited here; a cell is added
    on its own page, where its level is chosen."""

    model = Cell
    extra = 0
    fields = ["level", "summary", "advice"]
    readonly_fields = ["level"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cell]:
        return (
            super()
            .get_queryset(request)
            .select_related("category", "level")
            .order_by("level__value")
        )


@admin.register(Category)
class CategoryAdmin(EditableListAdmin):
    list_display = ["name", "model", "order", "slug", "is_active"]
    list_editable = ["order"]
    list_filter = ["model", "is_active"]
    list_select_related = ["model"]
    search_fields = ["name", "slug"]
    ordering = ["model", "order"]
    inlines = [CellInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Category | None = None) -> list[str]:
        return ["model"] if obj is not None else []  # moving it would orphan its practices


class PracticeInline(admin.TabularInline):
    model = Practice
    extra = 0
    fields = ["order", "key", "text", "help", "is_active"]


@admin.register(Cell)
class CellAdmin(admin.ModelAdmin):
    list_display = ["__str__", "maturity_model", "practice_count"]
    list_filter = [
        "category__model",
        ("category__name", titled("category")),
        ("level__name", titled("level")),
    ]
    list_select_related = ["category__model", "level"]
    search_fields = ["summary", "advice", "category__name"]
    ordering = ["category__model", "category__order", "level__value"]
    inlines = [PracticeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cell]:
        return super().get_queryset(request).annotate(practice_count=Count("practices"))

    @admin.display(description="model", ordering="category__model")
    def maturity_model(self, obj: Cell) -> MaturityModel:
        return obj.category.model

    @admin.display(description="practices", ordering="practice_count")
    def practice_count(self, obj: Any) -> int:
        return int(obj.practice_count)

    def get_readonly_fields(self, request: HttpRequest, obj: Cell | None = None) -> list[str]:
        return ["category"] if obj is not None else []  # its practices belong to that model

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """Offer only levels of the cell's own model once it exists; name each choice's
        model, as a clone repeats every name."""
        form = super().get_form(request, obj, change, **kwargs)
        level_field: Any = form.base_fields["level"]
        levels = Level.objects.select_related("model")
        level_field.queryset = levels.filter(model=obj.category.model_id) if obj else levels
        level_field.label_from_instance = lambda level: in_model(level, level.model)
        if obj is None:
            category_field: Any = form.base_fields["category"]
            category_field.queryset = Category.objects.select_related("model")
            category_field.label_from_instance = lambda c: in_model(c, c.model)
        return form


@admin.register(Practice)
class PracticeAdmin(EditableListAdmin):
    list_display = ["key", "text", "category", "level", "answer_count", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = [
        "model",
        ("cell__category__name", titled("category")),
        ("cell__level__name", titled("level")),
        "is_active",
    ]
    list_select_related = ["cell__category", "cell__level"]
    search_fields = ["key", "text"]
    ordering = ["model", "cell__category__order", "cell__level__value", "order"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Practice]:
        return super().get_queryset(request).annotate(answer_count=Count("answers"))

    @admin.display(description="answers", ordering="answer_count")
    def answer_count(self, obj: Any) -> int:
        return int(obj.answer_count)

    @admin.display(description="category", ordering="cell__category__order")
    def category(self, obj: Practice) -> Category:
        return obj.cell.category

    @admin.display(description="level", ordering="cell__level__value")
    def level(self, obj: Practice) -> Level:
        return obj.cell.level

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """Offer only cells of the practice's own model once it exists; name each choice's
        model, as a clone repeats every name."""
        form = super().get_form(request, obj, change, **kwargs)
        cell_field: Any = form.base_fields["cell"]
        cells = Cell.objects.select_related("category__model", "level")
        cell_field.queryset = cells.filter(category__model=obj.model_id) if obj else cells
        cell_field.label_from_instance = lambda cell: in_model(cell, cell.category.model)
        return form
