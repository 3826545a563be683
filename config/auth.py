"""Signing in and reading the signed-in user on each request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from teams.access import manager_flags


class UserWithManagerFlagsBackend(ModelBackend):
    """Django's ModelBackend, reading with the user whether they manage teams (the
    navigation asks on every page) in the same query: fresh on every request, so a
    changed permission, group or unit shows at once, without a query of its own."""

    def get_user(self, user_id: Any) -> Any:
        found = get_user_model()._default_manager.annotate(**manager_flags()).filter(pk=user_id)
        user = found.first()
        return user if user is not None and self.user_can_authenticate(user) else None
