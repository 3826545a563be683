"""Password change, with the old password checked as a sign-in is: through the
authentication backends, so django-axes counts wrong ones towards the same lock-out."""

from __future__ import annotations

from typing import Any

from axes.utils import reset
from django.contrib.auth import authenticate, forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .security import client_ip


class PasswordChangeForm(forms.PasswordChangeForm):
    """While the user name is locked out from this address, every old password is refused
    unchecked (and axes answers with the lock-out page); a right one clears the count."""

    def __init__(self, user: AbstractBaseUser, *args: Any, request: HttpRequest, **kwargs: Any):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if authenticate(self.request, username=username, password=old_password) is None:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        address = client_ip(self.request)
        if address:  # without one, reset() would clear the user's failures from everywhere
            reset(ip=address, username=username)
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view, handing the form the request that the lock-out is counted by."""

    form_class = PasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}
