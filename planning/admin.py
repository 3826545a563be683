"""Targets and plan items in the admin: read-mostly. Teams set them on their plan page;
staff look, filter and, where something must go, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PlanItem, Target


class ReadMostly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CategoryFilter(admin.AllValuesFieldListFilter):
    """By category slug; items without one under "(none)" rather than a link with no text."""

    def choices(self, changelist: Any) -> Iterator[Any]:
        for choice in super().choices(changelist):
            choice["display"] = choice["display"] or "(none)"
            yield choice


@admin.register(Target)
class TargetAdmin(ReadMostly):
    list_display = ["team", "category", "level", "due"]
    list_filter = ["category", "level", "due", "team"]
    list_select_related = ["team"]
    search_fields = ["team__name", "team__slug", "category"]
    date_hierarchy = "due"


@admin.register(PlanItem)
class PlanItemAdmin(ReadMostly):
    list_display = ["title", "team", "category", "status", "owner", "due", "created_at"]
    list_filter = [
        "status",
        ("category", CategoryFilter),
        ("due", admin.EmptyFieldListFilter),
        "team",
    ]
    list_select_related = ["team", "owner"]
    search_fields = ["title", "practice_key", "team__name", "team__slug"]
    date_hierarchy = "created_at"
    raw_id_fields = ["from_assessment"]
