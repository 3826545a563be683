"""dev_admin: a local admin account for `make run`, never on a production server."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.test import override_settings

from .conftest import run_command

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_dev_admin_creates_a_superuser_and_prints_a_password_that_works() -> None:
    output = run_command("dev_admin")
    password = output.strip().rsplit(" / ", 1)[1]
    user = User.objects.get(username="admin")
    assert user.is_superuser and user.is_staff and user.check_password(password)
    again = run_command("dev_admin").strip().rsplit(" / ", 1)[1]
    user.refresh_from_db()
    assert again != password and user.check_password(again)


@override_settings(DEBUG=False)
def test_dev_admin_refuses_without_debug() -> None:
    with pytest.raises(CommandError, match="only runs with DEBUG on"):
        run_command("dev_admin")
