"""Editing the model tree: model -> levels and categories -> cells -> practices."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Category, Cell, Level, MaturityModel, Practice


class LevelInline(admin.TabularInline):
    """Levels are set when a model is created; afterwards only their texts change,
    since moving or removing one would change every score and the floor."""

    model = Level
    extra = 0
    fields = ["value", "name", "description"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.levels.exists()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["value"] if obj is not None and obj.levels.exists() else []


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 0
    fields = ["order", "slug", "name", "is_active"]
    show_change_link = True


@admin.register(MaturityModel)
class MaturityModelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "version", "is_active", "category_count"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LevelInline, CategoryInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[MaturityModel]:
        return super().get_queryset(request).annotate(category_count=Count("categories"))

    @admin.display(description="categories", ordering="category_count")
    def category_count(self, obj: Any) -> int:
        return int(obj.category_count)


class CellInline(admin.StackedInline):
    model = Cell
    extra = 0
    fields = ["level", "summary", "advice"]
    show_change_link = True

    def get_formset(self, request: HttpRequest, obj: Category | None = None, **kwargs: Any) -> Any:
        """Offer only the levels of the category's own model."""
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            level_field: Any = formset.form.base_fields["level"]
            level_field.queryset = Level.objects.filter(model=obj.model_id)
        return formset


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
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
    list_filter = ["category__model", "category", "level__name"]
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
        """Offer only levels of the cell's own model once it exists."""
        form = super().get_form(request, obj, change, **kwargs)
        level_field: Any = form.base_fields["level"]
        levels = Level.objects.select_related("model")
        level_field.queryset = levels.filter(model=obj.category.model_id) if obj else levels
        if obj is None:
            category_field: Any = form.base_fields["category"]
            category_field.queryset = Category.objects.select_related("model")
        return form


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["key", "text", "category", "level", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["model", "cell__category__name", "cell__level__name", "is_active"]
    list_select_related = ["cell__category", "cell__level"]
    search_fields = ["key", "text"]
    ordering = ["model", "cell__category__order", "cell__level__value", "order"]

    @admin.display(description="category", ordering="cell__category__order")
    def category(self, obj: Practice) -> Category:
        return obj.cell.category

    @admin.display(description="level", ordering="cell__level__value")
    def level(self, obj: Practice) -> Level:
        return obj.cell.level

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """Offer only cells of the practice's own model once it exists."""
        form = super().get_form(request, obj, change, **kwargs)
        cell_field: Any = form.base_fields["cell"]
        cells = Cell.objects.select_related("category__model", "level")
        cell_field.queryset = cells.filter(category__model=obj.model_id) if obj else cells
        return form
