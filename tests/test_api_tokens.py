"""Personal access tokens: made and revoked by their owner on the account page, shown
once, stored hashed; they authenticate the read API until they expire, are revoked or
their owner is deactivated. Staff with the permissions revoke any user's in the admin."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.models import MAX_TOKENS_PER_USER, TOKEN_PREFIX, AccessToken, TooManyTokens, digest

from .test_concurrency import at_once, posting

PAGE = "/account/tokens/"
API = "/api/v1/teams/"
PLAIN_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"[\w-]{43}")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer(plain: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plain}")


def make_token(client: Client, name: str = "CI", expires: str = "90") -> str:
    """Make a token on the page; the plain text that the response shows."""
    response = client.post(PAGE, {"action": "make", "name": name, "expires": expires})
    assert response.status_code == 200
    found = PLAIN_TOKEN.search(response.content.decode())
    assert found is not None
    return found.group()


def api_updates(queries: CaptureQueriesContext) -> int:
    return sum(q["sql"].startswith("UPDATE") and "api_accesstoken" in q["sql"] for q in queries)


# The account page


def test_a_new_token_is_shown_once_with_an_example(member: User) -> None:
    client = signed_in(member)
    response = client.post(PAGE, {"action": "make", "name": "CI dashboard", "expires": "90"})
    page = response.content.decode()
    plain = PLAIN_TOKEN.search(page).group()  # type: ignore[union-attr]
    assert "no-store" in response["Cache-Control"]
    assert "Copy it now: it will not be shown again." in page
    assert f'curl -H "Authorization: Bearer {plain}" http://testserver{API}' in page
    again = client.get(PAGE).content.decode()
    assert plain not in again
    assert PLAIN_TOKEN.search(again) is None
    assert "CI dashboard" in again and plain[:10] in again


def test_only_the_digest_is_stored(member: User) -> None:
    plain = make_token(signed_in(member))
    token = AccessToken.objects.get(user=member)
    assert token.digest == digest(plain)
    assert token.shown == plain[:10]
    assert not any(plain in str(value) for value in vars(token).values())
    assert not any(plain in str(s.get_decoded()) for s in Session.objects.all())


def test_making_a_token_sets_its_expiry(member: User) -> None:
    client = signed_in(member)
    make_token(client, "never", expires="never")
    make_token(client, "month", expires="30")
    assert AccessToken.objects.get(name="never").expires_at is None
    month = AccessToken.objects.get(name="month").expires_at
    assert month is not None
    assert abs(month - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_the_form_offers_90_days_by_default(member: User) -> None:
    page = signed_in(member).get(PAGE).content.decode()
    assert '<option value="90" selected>' in page


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "expires": "90"},
        {"name": "x" * 101, "expires": "90"},
        {"name": "CI", "expires": "7"},
    ],
    ids=["no name", "long name", "unknown expiry"],
)
def test_a_bad_form_makes_no_token(member: User, data: dict[str, str]) -> None:
    response = signed_in(member).post(PAGE, {"action": "make", **data})
    assert response.status_code == 400
    assert "No token was made" in response.content.decode()
    assert not AccessToken.objects.exists()


def test_a_user_holds_at_most_twenty_tokens(member: User) -> None:
    for n in range(MAX_TOKENS_PER_USER):
        AccessToken.objects.issue(member, f"t{n}", None)
    client = signed_in(member)
    page = client.get(PAGE).content.decode()
    assert 'value="make"' not in page
    assert "You hold 20 tokens, the most allowed" in page
    response = client.post(PAGE, {"action": "make", "name": "one more", "expires": "90"})
    assert response.status_code == 400
    assert "You hold 20 tokens, the most allowed" in response.content.decode()
    assert AccessToken.objects.filter(user=member).count() == MAX_TOKENS_PER_USER


def test_no_token_is_issued_past_the_cap_of_its_owner(member: User, outsider: User) -> None:
    for n in range(MAX_TOKENS_PER_USER):
        AccessToken.objects.issue(member, f"t{n}", None)
    with pytest.raises(TooManyTokens):
        AccessToken.objects.issue(member, "one more", None)
    assert AccessToken.objects.filter(user=member).count() == MAX_TOKENS_PER_USER
    AccessToken.objects.issue(outsider, "another user's", None)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serialises all writes, so there is no race to test",
)
@pytest.mark.django_db(transaction=True)
def test_tokens_made_at_once_never_pass_the_cap(member: User) -> None:
    browsers = [signed_in(member) for _ in range(4)]
    for attempt in range(5):
        AccessToken.objects.all().delete()
        for n in range(MAX_TOKENS_PER_USER - 2):
            AccessToken.objects.issue(member, f"t{n}", None)
        making = {"action": "make", "name": "at once", "expires": "90"}
        statuses = at_once(*(posting(browser, PAGE, making) for browser in browsers))
        assert sorted(statuses) == [200, 200, 400, 400], attempt
        assert AccessToken.objects.filter(user=member).count() == MAX_TOKENS_PER_USER


def test_the_page_lists_only_the_users_own_tokens(member: User, outsider: User) -> None:
    AccessToken.objects.issue(outsider, "omar's secret", None)
    expired, _ = AccessToken.objects.issue(member, "old", timezone.now() - timedelta(days=1))
    page = signed_in(member).get(PAGE).content.decode()
    assert "omar" not in page
    row = page[page.index(f'id="token-{expired.pk}"') :].split("</tr>")[0]
    assert "expired" in row
    assert "Never" in row  # never used


def test_revoking_deletes_the_token_and_goes_back(member: User) -> None:
    token, _ = AccessToken.objects.issue(member, "CI", None)
    client = signed_in(member)
    response = client.post(PAGE, {"action": "revoke", "token": token.pk})
    assert response.status_code == 302 and response["Location"] == PAGE
    assert not AccessToken.objects.filter(pk=token.pk).exists()
    assert "Revoked CI" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("which", ["another user's", "missing", "malformed"])
def test_revoking_what_is_not_your_token_is_404(member: User, outsider: User, which: str) -> None:
    theirs, _ = AccessToken.objects.issue(outsider, "theirs", None)
    mine, _ = AccessToken.objects.issue(member, "mine", None)
    token_id = {"another user's": theirs.pk, "missing": mine.pk + 100, "malformed": "x"}[which]
    response = signed_in(member).post(PAGE, {"action": "revoke", "token": token_id})
    assert response.status_code == 404
    assert AccessToken.objects.count() == 2


def test_the_page_needs_a_session_not_a_token(member: User) -> None:
    _, plain = AccessToken.objects.issue(member, "CI", None)
    response = bearer(plain).get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [1, 10])
def test_the_page_query_count_is_pinned(
    member: User, count: int, django_assert_num_queries: object
) -> None:
    for n in range(count):
        AccessToken.objects.issue(member, f"t{n}", None)
    client = signed_in(member)
    # session, user, the user's tokens
    with django_assert_num_queries(3):  # type: ignore[operator]
        page = client.get(PAGE).content.decode()
    assert page.count('value="revoke"') == count


# The read API


def test_a_token_reads_the_api_as_its_owner(member: User, outsider: User) -> None:
    plain = make_token(signed_in(member))
    response = bearer(plain).get(API)
    assert response.status_code == 200
    assert [team["slug"] for team in response.json()["results"]] == ["payments"]


def test_an_expired_token_is_refused(member: User) -> None:
    _, plain = AccessToken.objects.issue(member, "CI", timezone.now() - timedelta(seconds=1))
    response = bearer(plain).get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_refused(member: User) -> None:
    token, plain = AccessToken.objects.issue(member, "CI", None)
    assert bearer(plain).get(API).status_code == 200
    signed_in(member).post(PAGE, {"action": "revoke", "token": token.pk})
    assert bearer(plain).get(API).status_code == 401


def test_a_deactivated_users_token_is_refused_on_the_next_request(member: User) -> None:
    _, plain = AccessToken.objects.issue(member, "CI", None)
    client = bearer(plain)
    assert client.get(API).status_code == 200
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert client.get(API).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer t\u00f6k\u00e9n",
        # UTF-8 bytes, as a WSGI server hands them over (decoded as Latin-1)
        "Bearer " + "tökén".encode().decode("latin-1"),
        f"Bearer {TOKEN_PREFIX}unknown",
    ],
    ids=["no token", "two words", "latin-1", "utf-8", "unknown"],
)
def test_a_malformed_header_is_refused_never_an_error(member: User, header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get(API)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_last_use_is_recorded_at_most_once_a_minute(member: User) -> None:
    token, plain = AccessToken.objects.issue(member, "CI", None)
    client = bearer(plain)
    with CaptureQueriesContext(connection) as first:
        client.get(API)
    token.refresh_from_db()
    assert token.last_used_at is not None
    with CaptureQueriesContext(connection) as soon_after:
        client.get(API)
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=a_minute_ago)
    with CaptureQueriesContext(connection) as later:
        client.get(API)
    assert [api_updates(first), api_updates(soon_after), api_updates(later)] == [1, 0, 1]
    token.refresh_from_db()
    assert token.last_used_at > a_minute_ago  # type: ignore[operator]
    page = signed_in(member).get(PAGE).content.decode()
    assert f'datetime="{token.last_used_at:%Y-%m-%dT%H:%M:%S}' in page


# The admin


@pytest.fixture
def staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("sam", password="pw", is_staff=True)


def grant(user: User, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def test_staff_with_permission_see_every_users_tokens_without_digest(
    staff: User, member: User, outsider: User
) -> None:
    grant(staff, "view_accesstoken")
    mine, _ = AccessToken.objects.issue(member, "mira's CI", None)
    AccessToken.objects.issue(outsider, "omar's CI", None)
    client = signed_in(staff)
    changelist = client.get(reverse("admin:api_accesstoken_changelist")).content.decode()
    assert "mira&#x27;s CI" in changelist and "omar&#x27;s CI" in changelist
    change = client.get(reverse("admin:api_accesstoken_change", args=[mine.pk]))
    assert change.status_code == 200
    assert mine.digest not in change.content.decode()
    assert client.post(reverse("admin:api_accesstoken_change", args=[mine.pk])).status_code == 403
    assert client.get(reverse("admin:api_accesstoken_add")).status_code == 403


def test_staff_search_tokens_by_user_name(staff: User, member: User, outsider: User) -> None:
    grant(staff, "view_accesstoken")
    AccessToken.objects.issue(member, "mira's CI", None)
    AccessToken.objects.issue(outsider, "omar's CI", None)
    url = reverse("admin:api_accesstoken_changelist")
    page = signed_in(staff).get(url, {"q": "omar"}).content.decode()
    assert "omar&#x27;s CI" in page and "mira&#x27;s CI" not in page


def test_staff_with_delete_permission_revoke_any_users_token(
    staff: User, member: User, outsider: User
) -> None:
    grant(staff, "view_accesstoken", "delete_accesstoken")
    mine, _ = AccessToken.objects.issue(member, "mine", None)
    theirs, _ = AccessToken.objects.issue(outsider, "theirs", None)
    client = signed_in(staff)
    client.post(reverse("admin:api_accesstoken_delete", args=[mine.pk]), {"post": "yes"})
    client.post(
        reverse("admin:api_accesstoken_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert not AccessToken.objects.exists()


def test_staff_without_permission_get_403(staff: User, member: User) -> None:
    token, _ = AccessToken.objects.issue(member, "CI", None)
    client = signed_in(staff)
    assert client.get(reverse("admin:api_accesstoken_changelist")).status_code == 403
    delete = reverse("admin:api_accesstoken_delete", args=[token.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    grant(staff, "view_accesstoken")
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessToken.objects.filter(pk=token.pk).exists()
