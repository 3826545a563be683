"""The admin's own permission rules never grant what Django's permissions refuse."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from maturity.models import Level, MaturityModel

EDITOR = ["add_maturitymodel", "change_maturitymodel", "view_maturitymodel"]


@pytest.mark.parametrize(("codenames", "levels"), [(EDITOR, 0), ([*EDITOR, "add_level"], 1)])
def test_levels_are_added_with_a_model_only_by_who_may_add_levels(
    client: Client,
    no_model: None,
    django_user_model: type[User],
    codenames: list[str],
    levels: int,
) -> None:
    editor = django_user_model.objects.create_user("ed", password="pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(editor)
    page = client.get(reverse("admin:maturity_maturitymodel_add")).content.decode()
    assert ('name="levels-TOTAL_FORMS"' in page) == bool(levels)
    response = client.post(
        reverse("admin:maturity_maturitymodel_add"),
        {
            "name": "Own model",
            "slug": "own",
            "version": "1",
            "is_active": "on",
            "levels-TOTAL_FORMS": "1",
            "levels-INITIAL_FORMS": "0",
            "levels-0-value": "0",
            "levels-0-name": "Started",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Level.objects.filter(model=MaturityModel.objects.get(slug="own")).count() == levels
