"""import_org: the organisation file creates units, teams, users and memberships, refuses a
bad file whole with every bad row named, and never removes anyone."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management.base import CommandError

from teams.models import Membership, MembershipChange, Team, Unit
from teams.orgfile import ExistingUnit, Organisation, plan, read_rows

from .conftest import run_command

pytestmark = pytest.mark.django_db

HEADER = "unit_path,team_slug,team_name,username,email,role"
SAMPLE = f"""{HEADER}
Engineering/Payments platform,payments,Payments,alice,alice@example.com,lead
Engineering/Payments platform,payments,Payments,bob,bob@example.com,
Company/Engineering,mobile,Mobile,carol,,Member
Company/Engineering,mobile,Mobile,bob,, LEAD
,handbook,Handbook,,,
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "org.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def import_org(tmp_path: Path, text: str, *options: str) -> str:
    return run_command("import_org", write(tmp_path, text), *options)


def refusal(tmp_path: Path, text: str) -> str:
    """The errors of a refused file, after checking that nothing was written."""
    before = counts()
    with pytest.raises(CommandError) as refused:
        import_org(tmp_path, text)
    assert counts() == before
    return str(refused.value)


def counts() -> dict[str, int]:
    """Rows of every table the import writes."""
    return {
        model.__name__: model.objects.count()
        for model in (Unit, Team, User, Membership, MembershipChange)
    }


def roles() -> set[tuple[str, str, str]]:
    return set(Membership.objects.values_list("team__slug", "user__username", "role"))


@pytest.fixture
def organisation(member: User) -> Team:
    """Company > Engineering, and Payments in Engineering, led by mira (the member)."""
    company = Unit.objects.create(name="Company", slug="company")
    engineering = Unit.objects.create(name="Engineering", slug="engineering", parent=company)
    Team.objects.filter(slug="payments").update(unit=engineering)
    return Team.objects.get(slug="payments")


def test_a_sample_file_creates_the_tree_the_teams_users_and_roles(tmp_path: Path) -> None:
    output = import_org(tmp_path, SAMPLE)

    assert output.splitlines() == [
        "Created: 3 units, 3 teams, 3 users, 4 memberships.",
        "Moved: 0 units, 0 teams.",
        "Changed: 0 roles.",
    ]
    parents = dict(Unit.objects.values_list("name", "parent__name"))
    assert parents == {
        "Company": None,
        "Engineering": "Company",
        "Payments platform": "Engineering",
    }
    assert dict(Team.objects.values_list("slug", "unit__name")) == {
        "payments": "Payments platform",
        "mobile": "Engineering",
        "handbook": None,
    }
    assert roles() == {
        ("payments", "alice", "lead"),
        ("payments", "bob", "member"),
        ("mobile", "carol", "member"),
        ("mobile", "bob", "lead"),
    }
    assert dict(User.objects.values_list("username", "email")) == {
        "alice": "alice@example.com",
        "bob": "bob@example.com",
        "carol": "",
    }
    assert set(Unit.objects.values_list("slug", flat=True)) == {
        "company",
        "engineering",
        "payments-platform",
    }


def test_running_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    import_org(tmp_path, SAMPLE)
    before = counts(), roles()

    output = import_org(tmp_path, SAMPLE)

    assert output.strip() == "Nothing to change: the organisation already matches the file."
    assert (counts(), roles()) == before


def test_a_dry_run_reports_and_writes_nothing(tmp_path: Path, organisation: Team) -> None:
    before = counts()

    output = import_org(tmp_path, SAMPLE, "--dry-run")

    assert "Would create: 1 unit, 2 teams, 3 users, 4 memberships." in output
    assert "Would move: 0 units, 1 team." in output
    assert output.splitlines()[-1] == "Dry run: nothing was written."
    assert counts() == before


def test_existing_units_and_teams_move_where_the_file_puts_them(
    tmp_path: Path, organisation: Team
) -> None:
    Unit.objects.create(name="Finance", slug="finance")
    text = f"{HEADER}\nFinance/ENGINEERING/Payments platform,payments,Payments,,,\n"

    output = import_org(tmp_path, text)

    assert "Created: 1 unit, 0 teams, 0 users, 0 memberships." in output
    assert "Moved: 1 unit, 1 team." in output
    parents = dict(Unit.objects.values_list("name", "parent__name"))
    assert parents["Engineering"] == "Finance"
    assert parents["Payments platform"] == "Engineering"
    assert Team.objects.get(slug="payments").unit.name == "Payments platform"  # type: ignore[union-attr]


def test_an_empty_unit_path_keeps_the_team_where_it_is(tmp_path: Path, organisation: Team) -> None:
    import_org(tmp_path, f"{HEADER}\n,payments,Payments,newcomer,,\n")
    assert Team.objects.get(slug="payments").unit == organisation.unit


def test_new_unit_slugs_are_unique(tmp_path: Path) -> None:
    Unit.objects.create(name="Payments team", slug="payments")
    import_org(tmp_path, f"{HEADER}\nPayments/Payments!,a,A,,,\n+++,b,B,,,\n")
    slugs = dict(Unit.objects.values_list("name", "slug"))
    assert (slugs["Payments"], slugs["Payments!"], slugs["+++"]) == (
        "payments-2",
        "payments-3",
        "unit",
    )


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_bytes(f"{HEADER}\n,handbook,Handbook,,,\n".encode("utf-8-sig"))
    run_command("import_org", str(path))
    assert Team.objects.filter(slug="handbook").exists()


def test_nobody_is_ever_removed(tmp_path: Path, organisation: Team, outsider: User) -> None:
    """mira leads Payments and omar is in Mobile; the file names neither."""
    before = roles()
    import_org(tmp_path, f"{HEADER}\nEngineering,payments,Payments,alice,,lead\n")
    assert roles() == {*before, ("payments", "alice", "lead")}
    assert Team.objects.filter(slug="mobile").exists()
    assert Unit.objects.filter(name="Company").exists()


def test_demoting_the_last_lead_is_refused(tmp_path: Path, organisation: Team) -> None:
    errors = refusal(tmp_path, f"{HEADER}\nEngineering,payments,Payments,mira,,member\n")
    assert "line 2: this makes 'mira' a member, and team 'payments' would have no lead" in errors


def test_a_deactivated_user_is_refused(tmp_path: Path, organisation: Team, outsider: User) -> None:
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    errors = refusal(tmp_path, f"{HEADER}\nEngineering,payments,Payments,omar,,lead\n")
    assert "line 2: user 'omar' is deactivated: reactivate them first" in errors


def test_a_lead_may_be_demoted_when_another_takes_over(tmp_path: Path, organisation: Team) -> None:
    text = f"{HEADER}\n,payments,Payments,mira,,member\n,payments,Payments,alice,,lead\n"
    output = import_org(tmp_path, text)
    assert "Changed: 1 role." in output
    assert roles() == {("payments", "mira", "member"), ("payments", "alice", "lead")}


def test_new_users_have_no_usable_password_and_existing_users_are_untouched(
    tmp_path: Path, member: User
) -> None:
    import_org(tmp_path, f"{HEADER}\n,payments,Payments,mira,,lead\n,payments,Payments,alice,,\n")
    assert not User.objects.get(username="alice").has_usable_password()
    member.refresh_from_db()
    assert member.check_password("pw")
    assert member.email == ""


def test_memberships_added_or_changed_are_logged_as_made_by_the_import(
    tmp_path: Path, organisation: Team
) -> None:
    text = f"{HEADER}\n,payments,Payments,mira,,member\n,payments,Payments,alice,,lead\n"
    import_org(tmp_path, text)
    log = set(
        MembershipChange.objects.values_list(
            "team__slug", "by", "by_name", "action", "user_name", "role", "previous_role"
        )
    )
    assert log == {
        ("payments", None, "", "added", "alice", "lead", ""),
        ("payments", None, "", "role", "mira", "member", "lead"),
    }
    import_org(tmp_path, text)
    assert MembershipChange.objects.count() == 2


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        pytest.param(
            ",payments,Payments,alice,,boss",
            ["line 3: unknown role 'boss' (use member or lead)"],
            id="unknown role",
        ),
        pytest.param(
            ",mobile,Mobile,,,\n,mobile,Mobile apps,,,",
            ["line 4: team 'mobile' is called 'Mobile' on line 3 and 'Mobile apps' here"],
            id="one slug, two names in the file",
        ),
        pytest.param(
            ",payments,Payments team,,,",
            [
                "line 3: team 'payments' is called 'Payments' in the organisation, "
                "not 'Payments team'"
            ],
            id="one slug, another name in the organisation",
        ),
        pytest.param(
            ",payments,Payments,alice,alice@example,",
            ["line 3: email 'alice@example': Enter a valid email address."],
            id="malformed e-mail",
        ),
        pytest.param(
            ",payments,Payments,alice,MIRA@example.com,",
            ["line 3: the e-mail MIRA@example.com belongs to mira"],
            id="e-mail of another user",
        ),
        pytest.param(
            ",mobile,Mobile,alice,a@example.com,\n,payments,Payments,alice,b@example.com,",
            ["line 4: user 'alice' has the e-mail a@example.com on line 3 and b@example.com here"],
            id="one user, two e-mails",
        ),
        pytest.param(
            "Engineering/Company,mobile,Mobile,,,",
            [
                "line 3: the units would form a loop: Company > Engineering > Company "
                "(line 3 with the organisation's units)"
            ],
            id="loop with the organisation",
        ),
        pytest.param(
            "Ops/Infra,mobile,Mobile,,,\nInfra/Ops,tools,Tools,,,",
            ["line 4: the units would form a loop: Ops > Infra > Ops (lines 3, 4)"],
            id="loop within the file",
        ),
        pytest.param(
            "Ops/Infra,mobile,Mobile,,,\nCompany/Infra,tools,Tools,,,",
            ["line 4: unit 'Infra' is under 'Company' here and under 'Ops' on line 3"],
            id="two parents",
        ),
        pytest.param(
            "Ops,mobile,Mobile,,,\nInfra,mobile,Mobile,,,",
            ["line 4: team 'mobile' is in 'Ops' on line 3 and in 'Infra' here"],
            id="one team, two units",
        ),
        pytest.param(
            ",payments,Payments,alice,,lead\n,payments,Payments,alice,,member",
            ["line 4: 'alice' is a lead of team 'payments' on line 3 and a member here"],
            id="one member, two roles",
        ),
        pytest.param(
            "Ops//Infra,Bad slug,,bad name!,,",
            [
                "line 3: unit_path 'Ops//Infra' has an empty unit name",
                "line 3: team_slug 'Bad slug': Enter a valid “slug”",
                "line 3: team_name is empty",
                "line 3: username 'bad name!': Enter a valid username.",
            ],
            id="malformed cells",
        ),
        pytest.param(
            ",mobile,Mobile,,,lead\n,mobile,Mobile",
            ["line 3: email and role need a username", "line 4: 3 cells, the header has 6"],
            id="role without user, short row",
        ),
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    tmp_path: Path, organisation: Team, rows: str, errors: list[str]
) -> None:
    User.objects.filter(username="mira").update(email="mira@example.com")
    text = f"{HEADER}\nEngineering,handbook,Handbook,newcomer,,\n{rows}\n"

    refused = refusal(tmp_path, text)

    assert refused.startswith(f"{tmp_path / 'org.csv'} was refused, nothing was written:")
    for error in errors:
        assert error in refused
    assert "line 2" not in refused


def test_every_bad_row_is_named(tmp_path: Path, organisation: Team) -> None:
    text = f"""{HEADER}
Engineering/Company,mobile,Mobile,,,
,payments,Pay,alice,,
,tools,Tools,bob,bob@,
,tools,Tools,carol,,chief
,tools,Tools,dave,,
"""
    refused = refusal(tmp_path, text).splitlines()[1:]
    assert [error.split(":")[0].strip() for error in refused] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
    ]


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (
            "unit_path,team,team_name,username,email,role,extra",
            "line 1: the header misses columns: team_slug",
        ),
        (
            "unit_path,team,team_name,username,email,role,extra",
            "line 1: the header has unknown columns: team, extra",
        ),
        ("", "line 1: the file is empty"),
    ],
)
def test_a_bad_header_is_refused_naming_the_columns(
    tmp_path: Path, header: str, error: str
) -> None:
    assert error in refusal(tmp_path, f"{header}\n,mobile,Mobile,,,\n" if header else "")


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_bytes(f"{HEADER}\nÉquipe,mobile,Mobile,,,\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_command("import_org", str(path))


def test_rows_are_numbered_as_lines_of_the_file_blank_and_quoted_lines_included() -> None:
    text = f'{HEADER}\n\n,"two\nlines",Name,,,\n,ok,Ok,alice,, Lead \n'
    rows, problems = read_rows(text)
    assert [(line, message.split(":")[0]) for line, message in problems] == [
        (3, "team_slug 'two\\nlines'")
    ]
    assert [(row.line, row.team_slug, row.role) for row in rows] == [(5, "ok", "lead")]


def test_plan_places_units_and_names_new_slugs_without_the_database() -> None:
    rows, _ = read_rows(f"{HEADER}\nEngineering/Payments,payments,Payments,alice,,\n")
    organisation = Organisation(
        units={"payments": ExistingUnit(1, "Payments", "payments", None)},
        teams={},
        users={},
        inactive=set(),
        email_owners={},
        memberships={},
    )
    changes = plan(rows, organisation)
    assert changes.problems == []
    assert [(unit.name, unit.slug, unit.parent_key) for unit in changes.new_units] == [
        ("Engineering", "engineering", None)
    ]
    assert changes.unit_moves == {"payments": "engineering"}
    assert changes.new_memberships == {("payments", "alice"): "member"}


def organisation_file(teams: int, units: int, users: int) -> str:
    """Company > divisions > departments (`units` in all); teams spread over the
    departments, users over the teams, each team's first member its lead."""
    divisions = [f"Division {d}" for d in range(units // 10)]
    departments = [
        f"Company/{divisions[n % len(divisions)]}/Department {n}"
        for n in range(units - 1 - len(divisions))
    ]
    lines = [HEADER]
    for user in range(users):
        team = user % teams
        role = "lead" if user < teams else "member"
        lines.append(
            f"{departments[team % len(departments)]},team-{team},Team {team},"
            f"user{user},user{user}@example.com,{role}"
        )
    return "\n".join(lines) + "\n"


def test_a_large_organisation_imports_in_under_ten_seconds(tmp_path: Path) -> None:
    text = organisation_file(teams=200, units=40, users=1500)

    started = time.perf_counter()
    output = import_org(tmp_path, text)
    seconds = time.perf_counter() - started

    print(f"import_org: 200 teams, 40 units, 1,500 users in {seconds:.2f} s")
    assert "Created: 40 units, 200 teams, 1500 users, 1500 memberships." in output
    assert seconds < 10
