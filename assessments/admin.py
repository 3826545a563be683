from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .forms import VoidForm
from .models import AlreadySubmitted, AlreadyVoided, Assessment, Discarded, NotSubmitted


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Read-only: answers and results change only through the questionnaire. Only drafts
    can be deleted, and a submitted assessment is voided instead, so no team's history
    is lost."""

    list_display = ["team", "model", "created_at", "submitted_at", "voided_at", "created_by"]
    list_filter = [
        "model",
        "team",
        ("submitted_at", admin.EmptyFieldListFilter),
        ("voided_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["team", "model", "created_by"]
    date_hierarchy = "created_at"
    actions = ["void_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return obj is not None and obj.is_draft and super().has_delete_permission(request, obj)

    def has_void_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("assessments.change_assessment")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """No bulk delete: a draft is deleted from its own page, checked under a lock."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request: HttpRequest, obj: Assessment) -> None:
        """Discard the draft, re-checked under a lock: raises AlreadySubmitted (or
        Discarded) when it was submitted (or discarded) meanwhile."""
        obj.discard()

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The delete page; a draft submitted or discarded meanwhile is left alone, and
        neither a deletion nor its log entry is recorded (the view's transaction rolls
        back)."""
        try:
            return super().delete_view(request, object_id, extra_context)
        except AlreadySubmitted:
            said = "That draft was submitted meanwhile; it was not deleted."
        except Discarded:
            said = "That draft was discarded meanwhile by a member of its team."
        self.message_user(request, said, messages.ERROR)
        return redirect("admin:assessments_assessment_changelist")

    @admin.action(description="Void the selected assessments", permissions=["void"])
    def void_selected(
        self, request: HttpRequest, queryset: QuerySet[Assessment]
    ) -> HttpResponse | None:
        """Ask for the reason, then leave the assessments out of every score and list."""
        form = VoidForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            voided = 0
            for assessment in queryset:
                try:
                    assessment.void(request.user, form.cleaned_data["reason"])
                    voided += 1
                except (NotSubmitted, AlreadyVoided):
                    self.message_user(
                        request, f"{assessment} is a draft or voided already.", messages.WARNING
                    )
            self.message_user(request, f"Voided {voided} assessment(s).", messages.SUCCESS)
            return None
        ctx = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Void assessments",
            "form": form,
            "assessments": queryset,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/assessments/assessment/void.html", ctx)
