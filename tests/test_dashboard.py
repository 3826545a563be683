"""The managers' dashboard and its CSV export."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import timezone as django_timezone

from assessments import scoring
from assessments.models import Assessment, CategoryResult
from dashboard.data import (
    Cell,
    Column,
    Dashboard,
    ListedTeam,
    TeamRow,
    add_details,
    load_dashboard,
    mean_agreement,
    quarterly_trend,
)
from dashboard.export import neutralise
from dashboard.forms import DashboardForm
from dashboard.rollup import Units
from dashboard.stats import (
    ScoreCounts,
    bottleneck,
    distributions,
    quarter_label,
    quarter_start,
    sort_rows,
)
from maturity import generation
from maturity.models import Category, MaturityModel
from teams.models import Team

from .conftest import DEFAULT_MODEL_FILE, DEFAULT_VERSION, answer_all, run_command, up_to


def submit_at(
    team: Team, model: MaturityModel, user: User, level: int, days_ago: int
) -> Assessment:
    assessment = Assessment.start(team, model, user, prefill_from=None)
    answer_all(assessment, up_to(level))
    assessment.submit(user, at=django_timezone.now() - timedelta(days=days_ago))
    return assessment


@pytest.fixture
def manager_client(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client


@pytest.fixture
def org(cd_model: MaturityModel, member: User, payments: Team, mobile: Team) -> dict[str, Team]:
    """Payments improved from 0 to 2; Mobile sits at 1; Dormant never submitted."""
    submit_at(payments, cd_model, member, 0, days_ago=200)
    submit_at(payments, cd_model, member, 2, days_ago=10)
    submit_at(mobile, cd_model, member, 1, days_ago=120)
    dormant = Team.objects.create(name="Dormant", slug="dormant")
    return {"payments": payments, "mobile": mobile, "dormant": dormant}


def test_dashboard_is_for_managers_only(
    client: Client, member: User, admin_user: User, django_user_model: type[User]
) -> None:
    url = reverse("dashboard")
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(member)
    assert client.get(url).status_code == 404
    assert client.get(reverse("dashboard_csv")).status_code == 404
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_heatmap_lists_every_team_with_latest_scores_and_change(
    manager_client: Client, org: dict[str, Team]
) -> None:
    page = manager_client.get(reverse("dashboard")).content.decode()
    table = page.split('class="table table-sm align-middle heatmap"')[1].split("</table>")[0]
    assert "Dormant" in table and "not assessed" in table
    payments_row = table.split("Payments")[1].split("</tr>")[0]
    assert "2.0" in payments_row and "▲ +2.0" in payments_row and "level-shade-3" in payments_row
    mobile_row = table.split("Mobile")[1].split("</tr>")[0]
    assert "new" in mobile_row and "level-shade-2" in mobile_row
    assert "not a rating of people" in page


def test_assessed_within_hides_older_results(manager_client: Client, org: dict[str, Team]) -> None:
    page = manager_client.get(reverse("dashboard"), {"within": "90"}).content.decode()
    mobile_row = page.split(">Mobile<")[1].split("</tr>")[0]
    assert "not assessed in this period" in mobile_row


@pytest.mark.parametrize(
    ("sort", "direction", "expected"),
    [
        ("overall", "desc", ["Payments", "Mobile", "Dormant"]),
        ("overall", "asc", ["Mobile", "Payments", "Dormant"]),
        ("team", "desc", ["Payments", "Mobile", "Dormant"]),
        ("build", "asc", ["Mobile", "Payments", "Dormant"]),
        ("nonsense", "sideways", ["Dormant", "Mobile", "Payments"]),
    ],
)
def test_heatmap_sorts_on_the_server(
    manager_client: Client, org: dict[str, Team], sort: str, direction: str, expected: list[str]
) -> None:
    page = manager_client.get(
        reverse("dashboard"), {"sort": sort, "dir": direction}
    ).content.decode()
    table = page.split("<tbody>")[1]
    assert sorted(expected, key=table.index) == expected


def test_distribution_counts_teams_per_level_and_names_the_bottleneck(
    manager_client: Client, org: dict[str, Team], cd_model: MaturityModel
) -> None:
    cd_model.practices.filter(key__startswith="data.1.").update(is_active=False)
    # Retiring does not change frozen results: every category stays at 2 and 1.
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert "Bottleneck: Build management and continuous integration" in page  # ties: first
    assert "1 Consistent: 1, 2 Quantitatively managed: 1" in page


def test_overlay_radar_shows_the_mean_and_chosen_teams(
    manager_client: Client, org: dict[str, Team]
) -> None:
    page = manager_client.get(
        reverse("dashboard"), {"teams": ["payments", "mobile"]}
    ).content.decode()
    legend = page.split('class="legend"')[1].split("</g>")[0]
    assert "Organisation mean" in legend and "Payments" in legend and "Mobile" in legend


def test_overlay_refuses_more_than_five_teams(
    manager_client: Client, org: dict[str, Team], cd_model: MaturityModel, member: User
) -> None:
    slugs = []
    for index in range(6):
        team = Team.objects.create(name=f"Team {index}", slug=f"team-{index}")
        submit_at(team, cd_model, member, 0, days_ago=5)
        slugs.append(team.slug)
    response = manager_client.get(reverse("dashboard"), {"teams": slugs})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose at most 5 teams" in page
    radar = page.split('class="chart radar"')[1].split("</svg>")[0]
    assert "Organisation mean" in radar and "Team 0" not in radar


def test_trend_draws_a_point_per_quarter_with_a_submission(
    manager_client: Client, org: dict[str, Team]
) -> None:
    page = manager_client.get(reverse("dashboard")).content.decode()
    trend = page.split('class="chart trend"')[1].split("</svg>")[0]
    quarters = {
        quarter_label(quarter_start(moment))
        for moment in Assessment.objects.submitted().values_list("submitted_at", flat=True)
        if moment is not None
    }
    assert trend.count("<circle") == len(quarters) >= 2
    for label in quarters:
        assert f"{label}: " in trend


@pytest.mark.parametrize("teams", [3, 60])
def test_dashboard_query_count_is_constant(
    manager_client: Client,
    cd_model: MaturityModel,
    member: User,
    teams: int,
    django_assert_num_queries: object,
) -> None:
    for index in range(teams):
        team = Team.objects.create(name=f"Team {index:02}", slug=f"team-{index}")
        if index % 3:
            submit_at(team, cd_model, member, index % 4, days_ago=index * 3)
            submit_at(team, cd_model, member, (index + 1) % 4, days_ago=index)
            Assessment.start(team, cd_model, member, prefill_from=None)  # a draft is not shown
    # session, user and the manager check, active models with levels, units, teams with
    # their latest assessment and targets, the categories with the latest scores counted,
    # results of the page's teams' latest two assessments, their checks fired, the trend
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = manager_client.get(reverse("dashboard"), {"teams": ["team-1", "team-2"]})
    assert response.status_code == 200


@pytest.mark.parametrize("teams", [3, 60])
def test_csv_query_count_is_constant(
    manager_client: Client,
    cd_model: MaturityModel,
    member: User,
    teams: int,
    django_assert_num_queries: object,
) -> None:
    for index in range(teams):
        team = Team.objects.create(name=f"Team {index:02}", slug=f"team-{index}")
        if index % 2:
            submit_at(team, cd_model, member, index % 4, days_ago=index)
    # session, user and the manager check, active models with levels, units, teams with
    # their latest assessment and targets, categories, results of each team's latest two
    # assessments, the checks fired of every team
    with django_assert_num_queries(8):  # type: ignore[operator]
        response = manager_client.get(reverse("dashboard_csv"))
    assert len(response.content.decode().splitlines()) == Team.objects.count() + 1  # header


def test_csv_has_a_header_and_one_row_per_team(
    manager_client: Client, org: dict[str, Team]
) -> None:
    response = manager_client.get(reverse("dashboard_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="maturity-continuous-delivery-'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0][:6] == ["team", "team_slug", "model", "model_version", "submitted_at", "overall"]
    assert rows[0][6] == "Build management and continuous integration"
    assert [row[0] for row in rows[1:]] == ["Dormant", "Mobile", "Payments"]
    payments = rows[3]
    assert payments[1:4] == ["payments", "continuous-delivery", DEFAULT_VERSION]
    assert payments[5] == "2.0" and payments[6:12] == ["2.0"] * 6
    trailing = ["agreement", "throughput", "instability", "outcomes", "checks_fired"]
    assert rows[0][12:] == [*trailing, "targets_behind", "unit", "overdue"]
    # nobody voted, no outcomes, no check, no target, no unit, assessed within its cadence
    assert payments[12:] == ["", "", "", "", "0", "", "", "no"]
    assert rows[1][4:] == [""] * 14 + ["", "no"]  # never assessed (a new team), no target


def test_csv_quotes_and_neutralises_formulas(manager_client: Client, org: dict[str, Team]) -> None:
    Team.objects.filter(slug="dormant").update(name='=HYPERLINK("http://x","Click"), "quoted"')
    Team.objects.create(name="+1 team", slug="plus")
    Team.objects.create(name="@sum", slug="at")
    Team.objects.create(name="Équipe ünïcode", slug="unicode")
    content = manager_client.get(reverse("dashboard_csv")).content.decode("utf-8")
    rows = {row[1]: row for row in csv.reader(io.StringIO(content))}
    assert rows["dormant"][0] == '\'=HYPERLINK("http://x","Click"), "quoted"'
    assert rows["plus"][0] == "'+1 team"
    assert rows["at"][0] == "'@sum"
    assert rows["unicode"][0] == "Équipe ünïcode"


def test_csv_keeps_negative_scores_as_numbers() -> None:
    assert neutralise(-0.5) == -0.5
    assert neutralise("-0.5") == "'-0.5"
    assert neutralise(None) == ""


def row(name: str, overall: float | None, **cells: tuple[int, float]) -> TeamRow:
    team = ListedTeam(0, name, name.lower(), None, 90, None, django_timezone.now())
    assessed = overall is not None
    return TeamRow(
        team,
        assessment_id=1 if assessed else None,
        submitted_at=datetime(2026, 1, 1, tzinfo=timezone.utc) if assessed else None,
        cells={slug: Cell(*value) for slug, value in cells.items()},
        overall=overall,
    )


def test_sort_puts_teams_without_a_value_last_either_way() -> None:
    rows = [row("B", 1.0, build=(1, 1.0)), row("A", None), row("C", 2.0)]
    assert [r.team.name for r in sort_rows(rows, "build", descending=True)] == ["B", "A", "C"]
    assert [r.team.name for r in sort_rows(rows, "overall", descending=False)] == ["B", "C", "A"]


def test_team_agreement_is_the_mean_of_its_categories_with_one() -> None:
    cells = [Cell(1, 1.0, 0.4), Cell(1, 1.5, None), Cell(0, 0.5, 1.0)]
    assert mean_agreement(cells) == pytest.approx(0.7)
    assert mean_agreement([Cell(1, 1.0, None), Cell(2, 2.0)]) is None
    assert mean_agreement([]) is None
    assert mean_agreement([Cell(1, 1.0, 0.0)]) == 0.0  # no agreement is not "none"


def test_sort_by_agreement_puts_teams_without_one_last() -> None:
    low, high, none = row("Low", 1.0), row("High", 1.0), row("None", 1.0)
    low.agreement, high.agreement = 0.2, 0.9
    rows = [none, low, high]
    assert [r.team.name for r in sort_rows(rows, "agreement", descending=True)] == [
        "High",
        "Low",
        "None",
    ]
    assert [r.team.name for r in sort_rows(rows, "agreement", descending=False)] == [
        "Low",
        "High",
        "None",
    ]


def counted(*held: tuple[int | None, float | None]) -> ScoreCounts:
    """The latest results of some teams in a category, one (level, score) per team."""
    return ScoreCounts(Counter(held))


def test_scores_counted_give_the_teams_per_level_mean_and_median() -> None:
    scores = counted((1, 1.5), (1, 1.5), (2, 2.0), (None, None), (0, 0.5))
    assert scores.scores() == [1.5, 1.5, 2.0, 0.5]  # a score per team; n/a is not scored
    assert [scores.at_level(level) for level in (0, 1, 2, 3)] == [1, 2, 1, 0]
    assert scores.mean() == pytest.approx(5.5 / 4) and scores.median() == 1.5
    assert ScoreCounts().mean() is None and ScoreCounts().median() is None
    both = scores + counted((3, 3.0))
    assert both.at_level(3) == 1 and both.median() == 1.5 and scores.at_level(3) == 0


def test_bottleneck_is_the_lowest_median_ties_by_order() -> None:
    columns = [Column("a", "A", 1), Column("b", "B", 2), Column("c", "C", 3)]
    counts = {  # teams X, Y, Z; a team never assessed counts in none
        None: {
            "a": counted((1, 1.0), (1, 1.5)),
            "b": counted((0, 0.5), (0, 0.7), (-1, -0.5)),
            "c": counted((0, 0.5), (0, 0.5), (1, 1.0)),
        },
        7: {"a": counted((2, 2.0))},  # a unit's roll-up row: counted with the others
    }
    dashboard = Dashboard(MaturityModel(slug="m", version="1"), columns, [], counts)
    found = distributions(dashboard, [-1, 0, 1, 2, 3])
    assert found[0].counts == [(-1, 0), (0, 0), (1, 2), (2, 1), (3, 0)]
    assert found[1].counts == [(-1, 1), (0, 2), (1, 0), (2, 0), (3, 0)]
    assert found[1].median == 0.5
    chosen = bottleneck(found)
    assert found[2].median == 0.5  # c ties with b
    assert chosen is not None and chosen.column.slug == "b"  # the earlier category


def test_model_filter_appears_with_several_active_models_and_switches_columns(
    manager_client: Client, org: dict[str, Team], tmp_path: Path
) -> None:
    second = tmp_path / "v2.yaml"
    newer = DEFAULT_MODEL_FILE.read_text().replace(f'version: "{DEFAULT_VERSION}"', 'version: "9"')
    second.write_text(newer)
    run_command("load_model", str(second))
    v2 = MaturityModel.objects.get(version="9")
    v2.categories.filter(slug="data").update(is_active=False)
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert '<select class="form-select" name="model"' in page
    page = manager_client.get(reverse("dashboard"), {"model": v2.pk}).content.decode()
    assert "(v9)" in page and ">Data management</a>" not in page
    assert page.count("not assessed") == 3  # nobody has used version 9 yet
    bad = manager_client.get(reverse("dashboard"), {"model": "99999"})
    assert bad.status_code == 200 and b"were not understood" in bad.content


def test_a_submission_keeps_its_overall_score(
    cd_model: MaturityModel, member: User, payments: Team
) -> None:
    submitted = submit_at(payments, cd_model, member, 2, days_ago=0)
    scores = CategoryResult.objects.filter(assessment=submitted).values_list("score", flat=True)
    kept = Assessment.objects.get(pk=submitted.pk).overall
    assert kept is not None and kept == scoring.overall(scores)
    draft = Assessment.start(payments, cd_model, member, prefill_from=None)
    assert Assessment.objects.get(pk=draft.pk).overall is None


def test_trend_averages_each_teams_last_assessment_per_quarter(
    cd_model: MaturityModel, member: User, payments: Team, mobile: Team
) -> None:
    now = django_timezone.now()
    first = submit_at(payments, cd_model, member, 0, days_ago=1)
    later = submit_at(payments, cd_model, member, 2, days_ago=1)
    other = submit_at(mobile, cd_model, member, 1, days_ago=1)
    stamp = now.replace(day=1, hour=12)  # same quarter for all three
    for assessment, minutes in ((first, 0), (later, 10), (other, 5)):
        Assessment.objects.filter(pk=assessment.pk).update(
            submitted_at=stamp + timedelta(minutes=minutes)
        )
    old = submit_at(payments, cd_model, member, 3, days_ago=800)  # beyond two years
    assert old.pk
    [(quarter, mean)] = quarterly_trend(cd_model, now, Team.objects.all())
    assert quarter.month in (1, 4, 7, 10) and quarter.day == 1
    assert mean == pytest.approx((2 + 1) / 2)  # Payments' later one (2) and Mobile (1)


def test_dashboard_shows_every_change_on_the_next_request(
    manager_client: Client, org: dict[str, Team], cd_model: MaturityModel, member: User
) -> None:
    url = reverse("dashboard")
    page = manager_client.get(url).content.decode()
    assert "Dormant" in page and "not assessed" in page.split(">Dormant<")[1].split("</tr>")[0]
    submit_at(org["dormant"], cd_model, member, 3, days_ago=0)
    dormant_row = manager_client.get(url).content.decode().split(">Dormant<")[1].split("</tr>")[0]
    assert "3.0" in dormant_row
    Team.objects.create(name="Brand new", slug="brand-new")
    assert "Brand new" in manager_client.get(url).content.decode()
    build = Category.objects.get(model=cd_model, slug="build")
    build.name = "Builds, renamed"
    build.save()
    assert "Builds, renamed" in manager_client.get(url).content.decode()


def test_dashboard_never_echoes_another_requests_filters(
    manager_client: Client, org: dict[str, Team]
) -> None:
    odd = manager_client.get(reverse("dashboard"), {"within": "90", "dir": "sideways", "utm": "x"})
    assert "in this period" in odd.content.decode()
    plain = manager_client.get(reverse("dashboard")).content.decode()
    assert "in this period" not in plain
    assert "within=90" not in plain and "utm=x" not in plain


def test_renamed_teams_show_at_once_with_their_new_links(
    manager_client: Client, org: dict[str, Team]
) -> None:
    manager_client.get(reverse("dashboard"))
    payments = org["payments"]
    payments.name, payments.slug = "Payments and billing", "billing"
    payments.save()
    page = manager_client.get(reverse("dashboard")).content.decode()
    assert "Payments and billing" in page and reverse("team_detail", args=["billing"]) in page


def test_csv_writes_negative_scores_as_numbers(
    manager_client: Client, cd_model: MaturityModel, member: User, payments: Team
) -> None:
    assessment = Assessment.start(payments, cd_model, member, prefill_from=None)
    answer_all(assessment, lambda practice: "partly" if practice.level == 0 else "no")
    assessment.submit()
    content = manager_client.get(reverse("dashboard_csv")).content.decode("utf-8")
    row = next(row for row in csv.reader(io.StringIO(content)) if row[1] == "payments")
    assert row[5:12] == ["-0.5"] * 7  # overall and six categories, no apostrophe
    assert row[12] == ""  # agreement: nobody voted


@pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_with_a_shared_cache_the_dashboard_is_kept_until_something_it_shows_is_saved(
    manager_client: Client,
    org: dict[str, Team],
    cd_model: MaturityModel,
    django_assert_num_queries: object,
) -> None:
    url = reverse("dashboard")
    manager_client.get(url)
    # session, user and the manager check: the units, the active models and the sections
    # come from the cache
    with django_assert_num_queries(2):  # type: ignore[operator]
        manager_client.get(url)
    team = org["payments"]
    team.name = "Payments, renamed"
    team.save()
    level = cd_model.levels.get(value=2)
    level.name = "Measured"
    level.save()
    page = manager_client.get(url).content.decode()
    assert "Payments, renamed" in page and "2 · Measured" in page


@pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_with_a_shared_cache_a_model_left_without_practices_leaves_the_dashboard_at_once(
    manager_client: Client, org: dict[str, Team], cd_model: MaturityModel
) -> None:
    url = reverse("dashboard")
    assert "Download CSV" in manager_client.get(url).content.decode()
    for practice in cd_model.practices.all():  # as the admin retires them, one by one
        practice.is_active = False
        practice.save()
    page = manager_client.get(url).content.decode()
    assert "No maturity model is active yet" in page and "Download CSV" not in page


def test_a_rows_details_are_of_its_own_assessment_when_a_newer_one_lands_between_reads(
    cd_model: MaturityModel, member: User, payments: Team
) -> None:
    submit_at(payments, cd_model, member, 0, days_ago=20)
    shown = submit_at(payments, cd_model, member, 1, days_ago=10)
    [row] = load_dashboard(cd_model, None, Team.objects.filter(pk=payments.pk)).rows
    submit_at(payments, cd_model, member, 3, days_ago=0)  # after the rows, before the details
    add_details([row])
    assert row.assessment_id == shown.pk and row.overall == 1.0
    assert {cell.level for cell in row.cells.values()} == {1}  # not the newer one's 3
    assert row.previous_overall == 0.0  # the one before it, not before the newer one


def understood(query: str, cd_model: MaturityModel) -> str:
    form = DashboardForm(QueryDict(query), models=[cd_model], units=Units({}, None))
    return form.understood_query(QueryDict(query).getlist("teams")).urlencode()


@pytest.mark.parametrize(
    "same",
    [
        "within=90&sort=build&teams=b&teams=a",
        "teams=a&sort=build&within=90&teams=b",  # another order
        "within=90&sort=build&teams=a&teams=b&teams=a&utm_source=mail",  # twice; unknown
        "within=90&sort=build&dir=asc&page=1&teams=a&teams=b",  # the defaults asked for
        "within=90&sort=build&dir=sideways&page=0&unit=nowhere&teams=a&teams=b",  # not understood
    ],
)
def test_filters_asked_differently_are_understood_as_one_query(
    cd_model: MaturityModel, same: str
) -> None:
    assert understood(same, cd_model) == "within=90&sort=build&teams=a&teams=b"


def test_the_dashboards_links_keep_the_filters_understood_and_nothing_else(
    manager_client: Client, org: dict[str, Team]
) -> None:
    response = manager_client.get(
        reverse("dashboard"), {"within": "90", "dir": "sideways", "utm": "x", "page": "1"}
    )
    links = [link.url for link in response.context["fixed_links"]]
    assert links[0] == "?within=90&sort=team&dir=asc"
    assert all("utm" not in link and "sideways" not in link for link in links)
    assert response.context["csv_link"] == reverse("dashboard_csv") + "?within=90"


@pytest.mark.parametrize("first", ["not understood", "understood"])
def test_filters_asked_alike_but_one_not_understood_warn_of_that_one_alone(
    manager_client: Client, org: dict[str, Team], first: str
) -> None:
    """Both ask for every assessment: they are one entry of the cache but for the warning."""
    asked = {"not understood": {"within": "ever"}, "understood": {"within": "all"}}
    for name in (first, *(name for name in asked if name != first)):
        page = manager_client.get(reverse("dashboard"), asked[name]).content.decode()
        assert ("were not understood" in page) == (name == "not understood")


@pytest.mark.skipif(
    not generation.is_shared(),
    reason="needs a shared cache: CI runs the suite again with CACHE_URL=redis://...",
)
def test_with_a_shared_cache_the_same_filters_asked_differently_share_one_entry(
    manager_client: Client, org: dict[str, Team], django_assert_num_queries: object
) -> None:
    url = reverse("dashboard")
    first = manager_client.get(url + "?within=365&sort=overall&dir=desc&teams=mobile")
    # session, user and the manager check: the units, the active models and the sections
    # come from the cache
    with django_assert_num_queries(2):  # type: ignore[operator]
        again = manager_client.get(url + "?teams=mobile&dir=desc&utm=x&sort=overall&within=365")
    # the same content, below the menu (whose sign-out form has each response's token)
    contents = [response.content.decode().split("<main")[1] for response in (first, again)]
    assert contents[0] == contents[1] and "utm" not in contents[1]
