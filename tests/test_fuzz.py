"""Hostile and random input to every form: never a server error, never a refused value
written, always a clear answer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment, CategoryResult
from maturity.models import MaturityModel

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(
    st.text(max_size=50),
    st.text(max_size=3000),
    st.sampled_from(
        [
            "",
            "\x00",
            "yes\x00",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "{{ 7*7 }}{% debug %}",
            "=cmd|' /C calc'!A0",
            "../../etc/passwd",
            "😀" * 500,
            "-1",
            "9" * 40,
        ]
    ),
)


def answers_snapshot(assessment: Assessment) -> list[tuple[int, str, str]]:
    return sorted(assessment.answers.values_list("practice_id", "status", "note"))


@FUZZ
@given(data=st.data())
def test_questionnaire_posts(
    client: Client, member: User, draft: Assessment, data: st.DataObject
) -> None:
    client.force_login(member)
    tree = draft.tree()
    here = [p.id for p in tree.category("build").practices]  # type: ignore[union-attr]
    elsewhere = [p.id for p in tree.category("testing").practices]  # type: ignore[union-attr]
    ids = st.sampled_from(here + elsewhere + [0, -1, 999999])
    keys = st.one_of(
        ids.map(lambda pk: f"p{pk}-status"), ids.map(lambda pk: f"p{pk}-note"), hostile_text
    )
    values = st.one_of(st.sampled_from(["yes", "partly", "no", "na", "YES", "maybe"]), hostile_text)
    posted = data.draw(st.dictionaries(keys, values, max_size=30))
    posted["go"] = data.draw(st.sampled_from(["next", "back", "stay", "elsewhere", "\x00"]))
    before = answers_snapshot(draft)
    response = client.post(reverse("assessment_edit", args=[draft.pk, "build"]), posted)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        # An invalid form writes nothing; a refusal (not applicable without a note) writes
        # the rest of the page's changes, never the refused answer (issue 12).
        written = set(answers_snapshot(draft)) - set(before)
        assert all(pk in here and not (status == "na" and not note) for pk, status, note in written)
        page = response.content  # the form says why, or the request could not be parsed
        assert b"alert alert-danger" in page or b"That request could not be read" in page
    else:
        assert all(pk in here for pk, _, _ in answers_snapshot(draft))


@FUZZ
@given(posted=st.dictionaries(hostile_text, hostile_text, max_size=10))
def test_submit_posts(
    client: Client, member: User, draft: Assessment, posted: dict[str, str]
) -> None:
    client.force_login(member)
    response = client.post(reverse("assessment_review", args=[draft.pk]), posted)
    assert response.status_code == 400  # the draft is empty: refused with the gaps
    draft.refresh_from_db()
    assert draft.is_draft and not CategoryResult.objects.exists()


@FUZZ
@given(
    query=st.dictionaries(
        st.sampled_from(["model", "within", "sort", "dir", "teams", "other"]),
        hostile_text,
        max_size=6,
    ),
    teams=st.lists(hostile_text, max_size=8),
)
def test_dashboard_filters(
    client: Client, manager: User, submitted: Assessment, query: dict[str, str], teams: list[str]
) -> None:
    client.force_login(manager)
    response = client.get(reverse("dashboard"), {**query, "teams": teams})
    assert response.status_code == 200
    assert client.get(reverse("dashboard_csv"), query).status_code == 200


def names_the_model(value: str, model: MaturityModel) -> bool:
    """Whether a posted value is the model's id, as the form reads it (int() does)."""
    try:
        return int(value) == model.pk
    except ValueError:
        return False


@FUZZ
@given(posted=st.dictionaries(st.sampled_from(["model", "prefill", "x"]), hostile_text, max_size=3))
def test_new_assessment_posts(
    client: Client, member: User, cd_model: MaturityModel, posted: dict[str, str]
) -> None:
    # the one valid model id is not hostile input (text such as " 01" may name it)
    assume(not names_the_model(posted.get("model", ""), cd_model))
    client.force_login(member)
    before = Assessment.objects.count()
    response = client.post(reverse("assessment_new", args=["payments"]), posted)
    assert response.status_code == 200  # never a valid model id: a form error
    assert Assessment.objects.count() == before


@FUZZ
@given(content=st.one_of(st.binary(max_size=2000), hostile_text.map(str.encode)))
def test_admin_model_uploads(
    client: Client, admin_user: User, cd_model: MaturityModel, content: bytes
) -> None:
    client.force_login(admin_user)
    upload = SimpleUploadedFile("model.yaml", content, content_type="application/yaml")
    response = client.post(reverse("admin:maturity_maturitymodel_import"), {"file": upload})
    assert response.status_code == 200
    assert b"The file was refused; nothing was written." in response.content
    assert MaturityModel.objects.count() == 1


@FUZZ
@given(username=hostile_text, password=hostile_text)
def test_sign_in_posts(db: None, client: Client, username: str, password: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in (200, 429)  # refused, or locked out after repeats


@pytest.mark.parametrize("note", ["\x00", "a\x00b"])
def test_a_nul_character_in_a_note_is_a_form_error_not_a_database_error(
    client: Client, member: User, draft: Assessment, note: str
) -> None:
    client.force_login(member)
    practice = draft.tree().practices[0]
    response = client.post(
        reverse("assessment_edit", args=[draft.pk, "build"]), {f"p{practice.id}-note": note}
    )
    assert response.status_code == 400
    assert b"Null characters are not allowed" in response.content
