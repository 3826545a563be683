from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: answers and results change only through the questionnaire, and only
    drafts can be deleted, so no team's history is lost."""

    list_display = ["team", "model", "created_at", "submitted_at", "created_by"]
    list_filter = ["model", "team", ("submitted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["team", "model", "created_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return obj is not None and obj.is_draft and super().has_delete_permission(request, obj)
