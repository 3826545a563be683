"""Sent reminders in the admin: a log to read, never to edit."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "recipient", "kind", "description"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    search_fields = ["recipient__username", "recipient__email"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
