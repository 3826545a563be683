"""Signing in and reading the signed-in user on each request.

Every signed-in request reads the user with whether they manage teams (the navigation
asks on every page). Building that query with the ORM and planning it in PostgreSQL cost
ten times more than running it (about 1 ms and 0.5 ms, against 0.1 ms), so its SQL is
compiled once per process and, on PostgreSQL, prepared once per database connection
(maturity.compiled, maturity.prepared). It still runs on every request: a deactivation,
a password change or a changed permission, group or unit shows on the very next one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from maturity.compiled import CompiledQuery, placeholder
from teams.access import manager_flags

USER_ID = placeholder()  # stands for the signed-in user's id while the query is compiled

SIGNED_IN_USER = CompiledQuery(
    lambda: get_user_model()._default_manager.annotate(**manager_flags()).filter(pk=USER_ID)
)


def signed_in_user(user_id: int) -> Any:
    """The user `user_id` with MANAGER_FLAGS, or None (one query, prepared)."""
    found = SIGNED_IN_USER.objects({USER_ID: user_id})
    return found[0] if found else None


class UserWithManagerFlagsBackend(ModelBackend):
    """Django's ModelBackend, reading with the user whether they manage teams."""

    def get_user(self, user_id: Any) -> Any:
        user = signed_in_user(int(user_id))
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
