"""Who may change what, and what a refusal reveals. The full matrix of URLs, personas
and methods is in test_authorization_matrix.py."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment

NOT_FOUND = 404


def pages(submitted: Assessment, draft: Assessment) -> dict[str, str]:
    return {
        "team": reverse("team_detail", args=["payments"]),
        "new": reverse("assessment_new", args=["payments"]),
        "result": reverse("assessment_result", args=[submitted.pk]),
        "export": reverse("assessment_export", args=[submitted.pk]),
        "draft-result": reverse("assessment_result", args=[draft.pk]),
        "edit": reverse("assessment_edit", args=[draft.pk, "build"]),
        "review": reverse("assessment_review", args=[draft.pk]),
    }


@pytest.mark.parametrize("persona", ["outsider", "manager"])
def test_people_who_may_not_edit_cannot_post_answers_or_submit(
    client: Client, persona: str, draft: Assessment, outsider: User, manager: User
) -> None:
    client.force_login(outsider if persona == "outsider" else manager)
    practice = draft.tree().categories[0].practices[0]
    edit = reverse("assessment_edit", args=[draft.pk, "build"])
    assert client.post(edit, {f"p{practice.id}-status": "yes"}).status_code == NOT_FOUND
    assert client.post(reverse("assessment_review", args=[draft.pk])).status_code == NOT_FOUND
    new = reverse("assessment_new", args=["payments"])
    assert client.post(new, {"model": draft.model_id}).status_code == NOT_FOUND
    assert not draft.answers.exists()
    assert Assessment.objects.count() == 1


def test_outsider_404_does_not_reveal_the_team_name(
    client: Client, submitted: Assessment, draft: Assessment, outsider: User
) -> None:
    client.force_login(outsider)
    for page, url in pages(submitted, draft).items():
        response = client.get(url)
        assert b"Payments" not in response.content, page


def test_staff_without_the_manager_permission_sees_no_other_team(
    client: Client, submitted: Assessment, django_user_model: type[User]
) -> None:
    staff = django_user_model.objects.create_user("sam", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("assessment_result", args=[submitted.pk])).status_code == NOT_FOUND
    assert client.get(reverse("team_detail", args=["payments"])).status_code == NOT_FOUND


def test_the_manager_check_read_with_the_user_follows_a_change_at_once(
    client: Client, member: User
) -> None:
    client.force_login(member)
    assert 'href="/dashboard/"' not in client.get("/").content.decode()
    member.groups.add(Group.objects.get(name="Managers"))
    assert 'href="/dashboard/"' in client.get("/").content.decode()  # the next request
    member.groups.clear()
    assert 'href="/dashboard/"' not in client.get("/").content.decode()
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert client.get("/")["Location"].startswith(reverse("login"))  # signed out at once
