"""Access tokens in the admin: staff with the model's permissions see every user's tokens
and revoke them by deleting. Nobody adds or edits a token here: the owner makes it on
their account page, and its digest is never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import AccessToken


class ExpiredFilter(admin.SimpleListFilter):
    title = "expired"
    parameter_name = "expired"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        expired = Q(expires_at__lte=timezone.now())
        if self.value() == "yes":
            return queryset.filter(expired)
        if self.value() == "no":
            return queryset.exclude(expired)
        return queryset


class UsedFilter(admin.SimpleListFilter):
    title = "used"
    parameter_name = "used"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Used"), ("no", "Never used")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(last_used_at__isnull=self.value() == "no")
        return queryset


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "shown", "created_at", "expires_at", "last_used_at"]
    list_display_links = ["name"]
    list_select_related = ["user"]
    list_filter = [ExpiredFilter, UsedFilter]
    search_fields = ["user__username", "name", "shown"]
    # Never the digest: it tells a person nothing, and the plain token exists nowhere.
    fields = readonly_fields = ("user", "name", "shown", "created_at", "expires_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # its owner makes a token, and sees it once

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a token is revoked (deleted), never edited
