"""The team's members page: a lead adds, changes roles and removes; members and managers
read; the last lead stays; every change is logged; stale and tampered POSTs are refused
with the page, never a 500."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teams import members
from teams.admin import NO_LEAD_LEFT_MEANWHILE, KeepALeadFormSet
from teams.models import Membership, MembershipChange, Team

LEAD, MEMBER = Membership.Role.LEAD, Membership.Role.MEMBER


def url(slug: str = "payments") -> str:
    return reverse("team_members", args=[slug])


@pytest.fixture
def teammate(payments: Team, django_user_model: type[User]) -> User:
    user = django_user_model.objects.create_user(
        "tim", password="pw", first_name="Tim", last_name="Berg"
    )
    Membership.objects.create(user=user, team=payments, role=MEMBER)
    return user


@pytest.fixture
def staff(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("sam", password="pw", is_staff=True)


@pytest.fixture
def newcomer(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("nia", email="Nia@Example.com", password="pw")


@pytest.fixture
def as_user(client: Client) -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


def roles(team: Team) -> dict[str, str]:
    return dict(team.memberships.values_list("user__username", "role"))


def text(response: object) -> str:
    """The page as read: entities such as &#x27; unescaped."""
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def said(response: object) -> list[str]:
    """The messages a redirect leaves for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]  # type: ignore[attr-defined]


def role_post(user: User, role: str, was: str) -> dict[str, object]:
    return {"action": "role", "user": user.pk, "role": role, "was": was}


def remove_post(user: User, was: str) -> dict[str, object]:
    return {"action": "remove", "user": user.pk, "was": was}


# Reading the list


def test_a_lead_sees_leads_first_then_by_name_with_the_forms_and_the_log(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    payments: Team,
    django_user_model: type[User],
) -> None:
    alma = django_user_model.objects.create_user("alma", password="pw")
    Membership.objects.create(user=alma, team=payments, role=MEMBER)
    zed = django_user_model.objects.create_user("Zed", password="pw")
    Membership.objects.create(user=zed, team=payments, role=LEAD)
    page = text(as_user(member).get(url()))
    order = [page.index(f'id="member-{user.pk}"') for user in (member, zed, alma, teammate)]
    assert order == sorted(order)
    assert "Tim Berg" in page  # the full name, where there is one
    assert "User name or e-mail" in page
    assert page.count('name="action" value="remove"') == 4
    assert "Changes" in page and "No changes logged yet." in page


@pytest.mark.parametrize("persona", ["teammate", "manager"])
def test_members_and_managers_read_the_list_without_forms_or_log(
    as_user: Callable[[User], Client],
    persona: str,
    member: User,
    teammate: User,
    manager: User,
) -> None:
    reader = {"teammate": teammate, "manager": manager}[persona]
    response = as_user(reader).get(url())
    page = text(response)
    assert response.status_code == 200
    assert "mira" in page and "tim" in page
    assert '<form method="post" action="/teams/' not in page
    assert "Changes" not in page
    assert "the team's leads change it" in page


@pytest.mark.parametrize("persona", ["outsider", "staff"])
def test_outsiders_and_staff_without_membership_get_404(
    as_user: Callable[[User], Client],
    persona: str,
    member: User,
    outsider: User,
    staff: User,
    newcomer: User,
    payments: Team,
) -> None:
    client = as_user({"outsider": outsider, "staff": staff}[persona])
    assert client.get(url()).status_code == 404
    response = client.post(url(), {"action": "add", "who": "nia", "role": LEAD})
    assert response.status_code == 404
    assert roles(payments) == {"mira": LEAD}


def test_anonymous_is_sent_to_sign_in(client: Client, member: User) -> None:
    for response in (client.get(url()), client.post(url(), {"action": "add", "who": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["teammate", "manager"])
def test_managers_and_plain_members_get_403_on_every_change(
    as_user: Callable[[User], Client],
    persona: str,
    member: User,
    teammate: User,
    manager: User,
    newcomer: User,
    payments: Team,
) -> None:
    client = as_user({"teammate": teammate, "manager": manager}[persona])
    for data in (
        {},
        {"action": "add", "who": "nia", "role": LEAD},
        role_post(teammate, LEAD, MEMBER),
        remove_post(member, LEAD),
    ):
        response = client.post(url(), data)
        assert response.status_code == 403
        assert "Only the team's leads change its members" in text(response)
    assert roles(payments) == {"mira": LEAD, "tim": MEMBER}
    assert not MembershipChange.objects.exists()


def test_other_methods_are_not_allowed(as_user: Callable[[User], Client], member: User) -> None:
    client = as_user(member)
    assert client.head(url()).status_code == 200
    for method in (client.put, client.patch, client.delete):
        assert method(url()).status_code == 405


# Adding


def test_a_lead_adds_a_user_by_user_name_and_it_is_logged(
    as_user: Callable[[User], Client], member: User, newcomer: User, payments: Team
) -> None:
    response = as_user(member).post(url(), {"action": "add", "who": "nia", "role": LEAD})
    assert response.status_code == 302 and response["Location"] == url()
    assert said(response) == ["Done: you added nia as a lead."]
    assert roles(payments) == {"mira": LEAD, "nia": LEAD}
    change = MembershipChange.objects.get()
    assert (change.team, change.by, change.by_name) == (payments, member, "mira")
    assert (change.action, change.user, change.user_name) == ("added", newcomer, "nia")
    assert (change.role, change.previous_role) == (LEAD, "")


def test_a_lead_adds_a_user_by_email_in_any_case(
    as_user: Callable[[User], Client], member: User, newcomer: User, payments: Team
) -> None:
    data = {"action": "add", "who": "  nia@EXAMPLE.com ", "role": MEMBER}
    response = as_user(member).post(url(), data)
    assert response.status_code == 302
    assert roles(payments) == {"mira": LEAD, "nia": MEMBER}


def test_the_added_user_sees_the_team_on_their_home_page(
    client: Client, member: User, newcomer: User, payments: Team
) -> None:
    client.force_login(member)
    client.post(url(), {"action": "add", "who": "nia", "role": MEMBER})
    client.force_login(newcomer)
    assert f'href="{reverse("team_detail", args=["payments"])}"' in text(client.get("/"))


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody", "No active user has that user name or e-mail"),
        ("gone", "No active user has that user name or e-mail"),  # deactivated
        ("twins@example.com", "Several users share that e-mail: enter the user name instead."),
        ("tim", "tim is on the team already."),
        ("", "This field is required."),
    ],
)
def test_adding_is_refused_clearly_and_adds_nobody(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    payments: Team,
    django_user_model: type[User],
    who: str,
    message: str,
) -> None:
    django_user_model.objects.create_user("gone", is_active=False)
    for name in ("twin1", "twin2"):
        django_user_model.objects.create_user(name, email="twins@example.com")
    response = as_user(member).post(url(), {"action": "add", "who": who, "role": MEMBER})
    page = text(response)
    assert response.status_code == 400
    assert "Nobody was added" in page
    assert message in page
    assert 'class="form-control is-invalid"' in page
    assert roles(payments) == {"mira": LEAD, "tim": MEMBER}
    assert not MembershipChange.objects.exists()


def test_an_exact_user_name_is_found_before_an_email(
    as_user: Callable[[User], Client], member: User, payments: Team, django_user_model: type[User]
) -> None:
    django_user_model.objects.create_user("ann@example.com")
    django_user_model.objects.create_user("ann", email="ann@example.com")
    as_user(member).post(url(), {"action": "add", "who": "ann@example.com", "role": MEMBER})
    assert roles(payments) == {"mira": LEAD, "ann@example.com": MEMBER}


# Roles and removal


def test_a_lead_promotes_and_demotes_and_each_change_is_logged(
    as_user: Callable[[User], Client], member: User, teammate: User, payments: Team
) -> None:
    client = as_user(member)
    response = client.post(url(), role_post(teammate, LEAD, was=MEMBER))
    assert response.status_code == 302
    assert said(response) == ["Done: you made tim a lead (was a member)."]
    assert roles(payments) == {"mira": LEAD, "tim": LEAD}
    response = client.post(url(), role_post(teammate, MEMBER, was=LEAD))
    assert response.status_code == 302
    assert roles(payments) == {"mira": LEAD, "tim": MEMBER}
    log = list(MembershipChange.objects.values_list("action", "user_name", "role", "previous_role"))
    assert log == [("role", "tim", MEMBER, LEAD), ("role", "tim", LEAD, MEMBER)]  # newest first


def test_a_lead_removes_a_member_and_it_is_logged(
    as_user: Callable[[User], Client], member: User, teammate: User, payments: Team
) -> None:
    response = as_user(member).post(url(), remove_post(teammate, was=MEMBER))
    assert response.status_code == 302 and response["Location"] == url()
    assert said(response) == ["Done: you removed tim (was a member)."]
    assert roles(payments) == {"mira": LEAD}
    change = MembershipChange.objects.get()
    assert (change.action, change.by, change.user, change.role, change.previous_role) == (
        "removed",
        member,
        teammate,
        "",
        MEMBER,
    )


@pytest.mark.parametrize("data", [role_post, remove_post], ids=["demote", "remove"])
def test_the_last_lead_can_be_neither_demoted_nor_removed(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    payments: Team,
    data: Callable[..., dict[str, object]],
) -> None:
    client = as_user(member)
    page = text(client.get(url()))
    assert "The only lead: make someone else a lead to change this." in page
    sent = role_post(member, MEMBER, was=LEAD) if data is role_post else remove_post(member, LEAD)
    response = client.post(url(), sent)
    assert response.status_code == 409
    assert "mira is the team's only lead: make someone else a lead first" in (text(response))
    assert roles(payments) == {"mira": LEAD, "tim": MEMBER}
    assert not MembershipChange.objects.exists()


def test_a_lead_may_leave_while_another_lead_remains(
    as_user: Callable[[User], Client], member: User, teammate: User, payments: Team
) -> None:
    Membership.objects.filter(user=teammate).update(role=LEAD)
    client = as_user(member)
    response = client.post(url(), remove_post(member, was=LEAD))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert said(response) == ["You left Payments."]
    assert roles(payments) == {"tim": LEAD}
    assert client.get(url()).status_code == 404


def test_a_lead_who_was_demoted_meanwhile_changes_nothing(
    member: User, teammate: User, payments: Team, django_user_model: type[User]
) -> None:
    """The view checks the lead before the change; the change checks again, in the lock,
    and says who demoted them."""
    Membership.objects.filter(user=teammate).update(role=LEAD)  # tim's page shows him a lead
    members.change_role(payments, teammate.pk, MEMBER, was=LEAD, by=member)  # then mira
    with pytest.raises(members.NotALead, match="mira made tim a member"):
        members.remove(payments, member.pk, was=LEAD, by=teammate)
    assert roles(payments) == {"mira": LEAD, "tim": MEMBER}


def test_a_change_from_a_stale_page_says_what_a_teammate_changed(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    payments: Team,
    django_user_model: type[User],
) -> None:
    ann = django_user_model.objects.create_user("ann")
    Membership.objects.create(user=ann, team=payments, role=LEAD)
    members.change_role(payments, teammate.pk, LEAD, was=MEMBER, by=ann)
    response = as_user(member).post(url(), remove_post(teammate, was=MEMBER))
    page = text(response)
    assert response.status_code == 409
    assert "Since this page was loaded, tim is a lead: ann made tim a lead (was a member)" in page
    assert 'id="member-' in page  # the list as it is now
    assert roles(payments) == {"mira": LEAD, "ann": LEAD, "tim": LEAD}


def test_a_change_to_a_member_who_left_meanwhile_says_who_removed_them(
    as_user: Callable[[User], Client], member: User, teammate: User, payments: Team
) -> None:
    members.remove(payments, teammate.pk, was=MEMBER, by=member)
    response = as_user(member).post(url(), role_post(teammate, LEAD, was=MEMBER))
    assert response.status_code == 409
    assert "tim is no longer on the team: mira removed tim (was a member)" in (text(response))
    assert roles(payments) == {"mira": LEAD}


def test_asking_for_the_role_a_member_has_changes_nothing(
    as_user: Callable[[User], Client], member: User, teammate: User
) -> None:
    response = as_user(member).post(url(), role_post(teammate, MEMBER, was=MEMBER))
    assert response.status_code == 302
    assert said(response) == ["That member has that role already: nothing to change."]
    assert not MembershipChange.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "promote", "user": "TIM", "was": MEMBER, "role": LEAD},
        {"action": "role", "user": "abc", "was": MEMBER, "role": LEAD},
        {"action": "role", "user": "²", "was": MEMBER, "role": LEAD},  # isdigit, but no int
        {"action": "role", "user": str(2**70), "was": MEMBER, "role": LEAD},
        {"action": "role", "user": "TIM", "was": MEMBER, "role": "owner"},
        {"action": "remove", "user": "TIM", "was": "boss"},
        {"action": "remove", "user": "OMAR", "was": MEMBER},  # on another team, never this one
        {"action": "remove", "was": MEMBER},
    ],
)
def test_a_tampered_post_answers_400_with_the_page(
    as_user: Callable[[User], Client],
    member: User,
    teammate: User,
    outsider: User,
    payments: Team,
    data: dict[str, str],
) -> None:
    ids = {"TIM": str(teammate.pk), "OMAR": str(outsider.pk)}
    sent = {name: ids.get(value, value) for name, value in data.items()}
    response = as_user(member).post(url(), sent)
    page = text(response)
    assert response.status_code == 400
    assert "Nothing was changed" in page
    assert 'id="member-' in page
    assert roles(payments) == {"mira": LEAD, "tim": MEMBER}


# The log


def test_the_log_shows_the_newest_50_and_names_the_import(
    as_user: Callable[[User], Client], member: User, payments: Team
) -> None:
    start = timezone.now() - timedelta(days=60)
    MembershipChange.objects.bulk_create(
        MembershipChange(
            team=payments,
            at=start + timedelta(days=day),
            by=member if day else None,
            by_name="mira" if day else "",
            action=MembershipChange.Action.ADDED,
            user_name=f"user{day}",
            role=MEMBER,
        )
        for day in range(55)
    )
    MembershipChange.objects.create(
        team=payments, by=None, action="added", user_name="imported", role=LEAD
    )
    page = text(as_user(member).get(url()))
    assert page.count("<time datetime=") == 50
    assert "<td>organisation import</td>\n          <td>added imported as a lead</td>" in page
    assert page.index("imported") < page.index("added user54 as a member")
    assert "user6 as" in page and "user5 as" not in page  # the six oldest are left off


# Queries


def team_of(team: Team, size: int, users: type[User]) -> None:
    """Fill the team with `size` more members, half of them leads, each change logged."""
    for number in range(size):
        user = users.objects.create_user(f"person{number}", first_name=f"P{number}")
        role = LEAD if number % 2 else MEMBER
        Membership.objects.create(user=user, team=team, role=role)
        MembershipChange.objects.create(team=team, action="added", user_name=user.username)


@pytest.mark.parametrize("size", [2, 30])
def test_members_page_query_count_is_constant_for_leads(
    as_user: Callable[[User], Client],
    member: User,
    payments: Team,
    size: int,
    django_user_model: type[User],
    django_assert_num_queries: object,
) -> None:
    team_of(payments, size, django_user_model)
    client = as_user(member)
    # session, user and the manager check, team with membership, memberships with their
    # users, the log
    with django_assert_num_queries(5):  # type: ignore[operator]
        page = text(client.get(url()))
    assert page.count('name="action" value="role"') == size + 1


@pytest.mark.parametrize("size", [2, 30])
def test_members_page_query_count_is_constant_for_managers(
    as_user: Callable[[User], Client],
    manager: User,
    member: User,
    payments: Team,
    size: int,
    django_user_model: type[User],
    django_assert_num_queries: object,
) -> None:
    team_of(payments, size, django_user_model)
    client = as_user(manager)
    # session, user, team with membership,
    # memberships with their users: no forms, so no log
    with django_assert_num_queries(4):  # type: ignore[operator]
        page = text(client.get(url()))
    assert page.count('id="member-') == size + 1


def test_changes_made_in_the_admin_are_logged_by_the_staff_user(
    admin_client: Client, payments: Team, member: User, teammate: User, newcomer: User
) -> None:
    lead, tim = (Membership.objects.get(team=payments, user=user) for user in (member, teammate))
    data = {
        "name": payments.name,
        "slug": payments.slug,
        "cadence_days": payments.cadence_days,
        "memberships-TOTAL_FORMS": "3",
        "memberships-INITIAL_FORMS": "2",
        "memberships-0-id": lead.pk,
        "memberships-0-team": payments.pk,
        "memberships-0-user": member.pk,
        "memberships-0-role": LEAD,
        "memberships-1-id": tim.pk,
        "memberships-1-team": payments.pk,
        "memberships-1-user": teammate.pk,
        "memberships-1-role": LEAD,  # promoted
        "memberships-2-team": payments.pk,
        "memberships-2-user": newcomer.pk,
        "memberships-2-role": MEMBER,  # added
    }
    response = admin_client.post(reverse("admin:teams_team_change", args=[payments.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    data |= {"memberships-TOTAL_FORMS": "3", "memberships-INITIAL_FORMS": "3"}
    data |= {"memberships-2-id": Membership.objects.get(user=newcomer).pk}
    data |= {"memberships-2-DELETE": "on"}  # removed again
    response = admin_client.post(reverse("admin:teams_team_change", args=[payments.pk]), data)
    assert response.status_code == 302
    logged = [
        (change.by_name, members.what(change))
        for change in MembershipChange.objects.filter(team=payments).order_by("pk")
    ]
    assert logged == [
        ("admin", "made tim a lead (was a member)"),
        ("admin", "added nia as a member"),
        ("admin", "removed nia (was a member)"),
    ]


def admin_roster_post(team: Team, rows: list[tuple[User, str, bool]]) -> dict[str, object]:
    """The admin's team form with each existing membership as (user, role, delete)."""
    data: dict[str, object] = {
        "name": team.name,
        "slug": team.slug,
        "cadence_days": team.cadence_days,
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(len(rows)),
    }
    for index, (user, role, delete) in enumerate(rows):
        membership = Membership.objects.get(team=team, user=user)
        prefix = f"memberships-{index}-"
        data |= {prefix + "id": membership.pk, prefix + "team": team.pk}
        data |= {prefix + "user": user.pk, prefix + "role": role}
        if delete:
            data[prefix + "DELETE"] = "on"
    return data


@pytest.mark.parametrize(
    ("lead_row", "refused"),
    [((LEAD, True), True), ((MEMBER, False), True), ((LEAD, False), False)],
    ids=["removed", "demoted", "kept"],
)
def test_the_admin_keeps_the_last_active_lead(
    admin_client: Client,
    payments: Team,
    member: User,
    teammate: User,
    lead_row: tuple[str, bool],
    refused: bool,
) -> None:
    role, delete = lead_row
    data = admin_roster_post(payments, [(member, role, delete), (teammate, MEMBER, False)])
    response = admin_client.post(reverse("admin:teams_team_change", args=[payments.pk]), data)
    if refused:
        assert response.status_code == 200
        assert "left without an active lead" in response.content.decode()
        assert Membership.objects.get(user=member, team=payments).role == LEAD
        assert not MembershipChange.objects.exists()
    else:
        assert response.status_code == 302


def test_the_admin_may_replace_a_lead_in_one_save(
    admin_client: Client, payments: Team, member: User, teammate: User
) -> None:
    data = admin_roster_post(payments, [(member, LEAD, True), (teammate, LEAD, False)])
    response = admin_client.post(reverse("admin:teams_team_change", args=[payments.pk]), data)
    assert response.status_code == 302
    assert list(payments.memberships.values_list("user", "role")) == [(teammate.pk, LEAD)]


def test_the_admin_may_remove_a_deactivated_lead_when_none_is_active(
    admin_client: Client, payments: Team, member: User, teammate: User
) -> None:
    User.objects.filter(pk=member.pk).update(is_active=False)
    data = admin_roster_post(payments, [(member, LEAD, True), (teammate, MEMBER, False)])
    response = admin_client.post(reverse("admin:teams_team_change", args=[payments.pk]), data)
    assert response.status_code == 302


def test_a_deactivated_lead_does_not_keep_the_team_led(
    as_user: Callable[[User], Client], member: User, teammate: User, payments: Team
) -> None:
    Membership.objects.filter(user=teammate).update(role=LEAD)
    User.objects.filter(pk=teammate.pk).update(is_active=False)
    page = text(as_user(member).get(url()))
    assert "The only lead: make someone else a lead to change this." in page
    response = as_user(member).post(url(), role_post(member, MEMBER, was=LEAD))
    assert response.status_code == 409
    assert roles(payments) == {"mira": LEAD, "tim": LEAD}


def test_the_admin_checks_the_leads_in_the_database_when_it_saves(
    admin_client: Client,
    payments: Team,
    member: User,
    teammate: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The admin's request read the roster (two leads), then tim demoted mira on the
    members page, then the admin's save demoted tim: refused whole, with a message."""
    Membership.objects.filter(user=teammate).update(role=LEAD)
    read_before = list(payments.memberships.all())
    members.change_role(payments, member.pk, MEMBER, was=LEAD, by=teammate)
    monkeypatch.setattr(KeepALeadFormSet, "get_queryset", lambda formset: read_before)
    data = admin_roster_post(payments, [(member, LEAD, False), (teammate, MEMBER, False)])
    change_page = reverse("admin:teams_team_change", args=[payments.pk])
    response = admin_client.post(change_page, data | {"name": "Payments platform"})
    assert response.status_code == 302 and response["Location"] == change_page
    assert said(response) == [NO_LEAD_LEFT_MEANWHILE]
    assert roles(payments) == {"mira": MEMBER, "tim": LEAD}
    assert Team.objects.get(pk=payments.pk).name == "Payments"
    assert [members.what(change) for change in MembershipChange.objects.all()] == [
        "made mira a member (was a lead)"
    ]
