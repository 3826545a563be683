"""The sign-in forms of the site and of the admin."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class BoundedUsernameMixin:
    """Django sets the sign-in form's username length without checking it, so an
    over-long name reached the database through the lock-out's records (a 500 on
    PostgreSQL). Refuse it as the form error it is."""

    cleaned_data: dict[str, Any]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        field: Any = get_user_model()._meta.get_field("username")
        limit = field.max_length or 150
        if len(username) > limit:
            raise ValidationError(
                f"A user name has at most {limit} characters.", code="username_too_long"
            )
        return username


class LoginForm(BoundedUsernameMixin, AuthenticationForm):
    pass


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    pass
