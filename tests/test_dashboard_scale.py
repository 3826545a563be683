"""The dashboard at scale: a fast seed of many teams, and the cold render measured.

The measurement runs when DASHBOARD_SCALE names the team counts, e.g. on PostgreSQL:

    DASHBOARD_SCALE=200,2000 DATABASE_URL=postgres://... .venv/bin/pytest -s \
        tests/test_dashboard_scale.py -k measured

It prints, per team count, the cold render (the best of five, every cache emptied before
each) of the page as it opens and sorted by the checks fired (the sort that reads every
team's record): milliseconds, queries and kilobytes; DASHBOARD_PROFILE=1 adds each query's
time and cProfile's top functions at the largest count.
"""

from __future__ import annotations

import cProfile
import html
import os
import pstats
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import caches
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from assessments import scoring
from assessments.models import Assessment, CategoryResult, DeliveryMetrics
from dashboard.stats import category_means
from maturity.models import Category, MaturityModel
from planning.models import Target
from teams.models import Team, Unit

from .conftest import answer_all, mark_latest, up_to


def seed(model: MaturityModel, teams: int, per_team: int = 8, first: int = 0) -> None:
    """Teams "Scale team NNNN" (from number `first`) spread over twenty units, each with
    `per_team` submitted assessments over two years (copies of one real record, now and
    then with a fired check), their frozen results, delivery metrics, and targets for
    every third team; in bulk, a few queries per thousand rows."""
    chooser = random.Random(first)
    now = timezone.now()
    units = list(Unit.objects.filter(slug__startswith="scale-"))
    if not units:
        divisions = Unit.objects.bulk_create(
            Unit(name=f"Division {d}", slug=f"scale-division-{d}") for d in range(4)
        )
        units = Unit.objects.bulk_create(
            Unit(name=f"Department {d}.{u}", slug=f"scale-{d}-{u}", parent=division)
            for d, division in enumerate(divisions)
            for u in range(5)
        )
    created = Team.objects.bulk_create(
        Team(
            name=f"Scale team {index:04}",
            slug=f"scale-{index:04}",
            unit=units[index % len(units)],
            created_at=now - timedelta(days=800),
        )
        for index in range(first, first + teams)
    )
    record = _real_record(model, created[0])
    categories = list(Category.objects.filter(model=model).values_list("pk", "slug"))
    assessments = Assessment.objects.bulk_create(
        Assessment(
            team=team,
            model=model,
            created_at=when - timedelta(days=3),
            submitted_at=when,
            record={},  # filled in below
        )
        for team in created[1:]
        for when in _history(now, per_team, chooser)
    )
    mark_latest(assessments)
    # The record sent once per statement rather than once per row: a real one is large.
    Assessment.objects.filter(team__in=created[1:]).update(record=record)
    fired = [assessment.pk for assessment in assessments if chooser.random() < 0.3]
    Assessment.objects.filter(pk__in=fired).update(record={**record, "checks": [FIRED]})
    results = [
        CategoryResult(
            assessment=assessment,
            category_id=category,
            level=(level := chooser.randint(-1, 3)),
            score=level + (0 if level == 3 else round(chooser.random(), 2)),
            agreement=chooser.choice([None, 0.5, 0.8, 1.0]),
        )
        for assessment in assessments
        for category, _ in categories
    ]
    CategoryResult.objects.bulk_create(results, batch_size=5000)
    scores: dict[int, list[float | None]] = {}
    for result in results:
        scores.setdefault(result.assessment_id, []).append(result.score)
    for assessment in assessments:  # the overall score, as a submission keeps it
        assessment.overall = scoring.overall(scores[assessment.pk])
    Assessment.objects.bulk_update(assessments, ["overall"], batch_size=1000)
    DeliveryMetrics.objects.bulk_create(
        DeliveryMetrics(
            assessment=assessment,
            lead_time=chooser.randint(1, 6),
            deployment_frequency=chooser.randint(1, 6),
            recovery_time=chooser.randint(1, 6),
            change_fail_rate=chooser.randint(0, 60),
            rework_rate=chooser.randint(0, 60),
        )
        for assessment in assessments
    )
    due = timezone.localdate() + timedelta(days=30)
    Target.objects.bulk_create(
        Target(team=team, category=slug, level=2, due=due - timedelta(days=index % 60))
        for index, team in enumerate(created[::3])
        for _, slug in categories[:2]
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such a load


FIRED = {"key": "deploys-rarely", "category": "environments", "message": "Deploys rarely."}


def _history(now: datetime, count: int, chooser: random.Random) -> list[datetime]:
    """`count` moments a quarter apart, the latest up to four months ago."""
    return [now - timedelta(days=chooser.randint(0, 120) + 90 * back) for back in range(count)]


def _real_record(model: MaturityModel, team: Team) -> dict[str, object]:
    """The record of an assessment of `team` answered and submitted as users do."""
    assessment = Assessment.start(team, model, AnonymousUser(), prefill_from=None)
    answer_all(assessment, up_to(1))
    assessment.submit(at=timezone.now() - timedelta(days=5))
    assert assessment.record is not None
    return dict(assessment.record)


@pytest.fixture
def manager_client(client: Client, manager: User) -> Client:
    client.force_login(manager)
    return client


def heatmap(page: str) -> list[tuple[str, str]]:
    """The heatmap's rows on a page: (team name, overall as shown; empty if not assessed)."""
    table = page.split('class="table table-sm align-middle heatmap"')[1].split("</tbody>")[0]
    row = r'<th scope="row"><a href="[^"]*">([^<]*)</a>.*?(?:fw-semibold">([^<]*)<|</tr>)'
    return re.findall(row, table, flags=re.S)


def page_links(page: str) -> dict[str, str]:
    """The heatmap's page links by label, with their query strings."""
    pager = page.split('aria-label="Pages of the heatmap"')[1].split("</nav>")[0]
    return {
        label: html.unescape(url) for url, label in re.findall(r'href="([^"]*)">([^<]*)<', pager)
    }


def overdue_shown(page: str) -> int:
    return page.split("overdue-list")[1].split("</ul>")[0].count("<li>")


def rolled_up(page: str) -> int:
    """The teams the roll-up table counts."""
    table = page.split("rollup-table")[1].split("</table>")[0]
    return sum(int(teams) for teams in re.findall(r'</th>\s*<td class="text-end">(\d+)<', table))


def test_the_heatmap_shows_a_page_of_teams_and_the_html_stays_bounded(
    manager_client: Client, cd_model: MaturityModel
) -> None:
    seed(cd_model, 120, per_team=2)
    Team.objects.update(cadence_days=7)  # nearly all overdue: the list is capped
    first = manager_client.get(reverse("dashboard")).content.decode()
    assert len(heatmap(first)) == 50 and "Teams 1 to 50 of 120." in first
    assert first.count('name="teams"') == 50  # the overlay offers the page's teams
    assert overdue_shown(first) == 30 and re.search(r"And \d+ more", first)
    assert rolled_up(first) == 120  # the roll-ups count every team, not the page's
    seed(cd_model, 240, per_team=2, first=120)
    Team.objects.update(cadence_days=7)
    more = manager_client.get(reverse("dashboard")).content.decode()
    assert len(heatmap(more)) == 50 and "Teams 1 to 50 of 360." in more
    assert more.count('name="teams"') == 50 and overdue_shown(more) == 30
    assert rolled_up(more) == 360
    scatter = more.split('class="chart scatter"')[1].split("</svg>")[0]
    assert "one dot per group of teams close together" in scatter
    assert scatter.count("<circle") < 200 and " teams: " in scatter
    # The pager, the counts and the scatter's groups may grow a little; the rows do not.
    assert len(more) < len(first) + 10_000, (len(first), len(more))


def latest_results(
    model: MaturityModel, since: datetime | None
) -> dict[str, dict[str, tuple[int | None, float | None]]]:
    """Each team's latest results, read team by team: by team slug, (level, score) by
    category slug; teams whose latest assessment is older than `since` left out."""
    found = {}
    for team in Team.objects.all():
        submitted = Assessment.objects.submitted().filter(team=team, model=model)
        latest = submitted.order_by("-submitted_at", "-pk").first()
        if latest is None or (since and latest.submitted_at and latest.submitted_at < since):
            continue
        results = CategoryResult.objects.filter(assessment=latest)
        found[team.slug] = {r.category.slug: (r.level, r.score) for r in results}
    return found


@pytest.mark.parametrize("within", ["all", "90"])
def test_what_the_database_counts_is_what_each_teams_latest_results_give(
    manager_client: Client, cd_model: MaturityModel, within: str
) -> None:
    """The spread across levels, the bottleneck, the radar's means and the roll-ups'
    means and medians are counted in the database over every team; read team by team,
    the latest results give the same figures."""
    seed(cd_model, 120, per_team=3)
    since = timezone.now() - timedelta(days=90) if within == "90" else None
    latest = latest_results(cd_model, since)
    assert 0 < len(latest) < 120 or within == "all"
    context = manager_client.get(reverse("dashboard"), {"within": within}).context
    slugs = [column.slug for column in context["data"].columns]

    def scores(teams: list[str], slug: str) -> list[float]:
        return [s for team in teams if (s := latest[team][slug][1]) is not None]

    for (item, _), slug in zip(context["distributions"], slugs, strict=True):
        levels = [latest[team][slug][0] for team in latest]
        assert item.counts == [(value, levels.count(value)) for value, _ in context["levels"]]
        assert item.median == statistics.median(scores(list(latest), slug))
    radar_means = [statistics.fmean(scores(list(latest), slug)) for slug in slugs]
    assert category_means(context["data"]) == radar_means
    rollups = [shown.rollup for shown in context["rollups"]]
    assert [rollup.unit.slug for rollup in rollups] == [f"scale-division-{d}" for d in range(4)]
    for rollup in rollups:
        inside = [
            team.slug
            for team in Team.objects.filter(unit__parent=rollup.unit.pk)
            if team.slug in latest
        ]
        assert rollup.assessed == len(inside)
        assert rollup.means == [statistics.fmean(scores(inside, slug)) for slug in slugs]
        assert rollup.medians == [statistics.median(scores(inside, slug)) for slug in slugs]


def test_sort_and_filters_survive_paging(manager_client: Client, cd_model: MaturityModel) -> None:
    seed(cd_model, 240, per_team=2)  # 60 teams in each of four divisions
    asked = {"unit": "scale-division-1", "within": "365", "sort": "overall", "dir": "desc"}
    page = manager_client.get(reverse("dashboard"), {**asked, "teams": "scale-0005"}).content
    first = page.decode()
    links = page_links(first)
    assert set(links) == {"2", "Next"}
    following = QueryDict(links["Next"][1:])
    assert {name: following[name] for name in asked} == asked
    assert following["page"] == "2" and following.getlist("teams") == ["scale-0005"]
    second = manager_client.get(reverse("dashboard") + links["Next"]).content.decode()
    assert set(page_links(second)) == {"Previous", "1"}
    rows = heatmap(first) + heatmap(second)
    assert len(rows) == len({name for name, _ in rows}) == 60  # each team of the unit, once
    overall = [float(shown) for _, shown in rows]
    assert overall == sorted(overall, reverse=True)  # one order across the pages
    assert re.search(r'value="scale-0005" id="overlay-\d+" checked', second)  # kept
    # A new sort starts on the first page; the filters do not carry the page.
    header = second.split("<thead>")[1].split("</thead>")[0]
    assert "page=" not in header
    assert 'name="page"' not in second.split('aria-label="Filters"')[1].split("</form>")[0]


@pytest.mark.parametrize(
    ("asked", "shown", "understood"),
    [("3", 3, True), ("99", 5, True), ("0", 1, False), ("-2", 1, False), ("two", 1, False)],
)
def test_a_page_out_of_range_shows_the_last_or_the_first_never_an_error(
    manager_client: Client, cd_model: MaturityModel, asked: str, shown: int, understood: bool
) -> None:
    seed(cd_model, 240, per_team=1)
    response = manager_client.get(
        reverse("dashboard"), {"page": asked, "sort": "team", "dir": "desc"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    start = (shown - 1) * 50 + 1
    assert f"Teams {start} to {min(start + 49, 240)} of 240." in page
    assert ("were not understood" not in page) == understood
    assert heatmap(page)[0][0] > heatmap(page)[-1][0]  # the sort is kept: Z to A


@pytest.mark.parametrize("sort", ["team", "checks", "targets"])
@pytest.mark.parametrize("number", ["1", "3"])
def test_every_sort_and_page_reads_the_same_number_of_queries(
    manager_client: Client,
    cd_model: MaturityModel,
    sort: str,
    number: str,
    django_assert_num_queries: object,
) -> None:
    seed(cd_model, 120, per_team=2)
    # session, user and the manager check, active models with levels, units, teams with
    # their latest assessment and targets, the categories with the latest scores counted,
    # results of the latest two assessments and the checks fired (of the page's teams, or
    # of every team to sort by them), the quarterly trend
    with django_assert_num_queries(9):  # type: ignore[operator]
        response = manager_client.get(reverse("dashboard"), {"sort": sort, "page": number})
    assert response.status_code == 200


def most_parameters_bound(client: Client, url: str, params: dict[str, str]) -> int:
    """The most parameters one query binds to answer `url` (every cache emptied)."""
    bound = [0]

    def count(execute: Callable[..., Any], sql: str, params: Any, *args: Any) -> Any:
        bound.append(len(params or ()))
        return execute(sql, params, *args)

    for each in caches.all():
        each.clear()
    with connection.execute_wrapper(count):
        assert client.get(url, params).status_code == 200
    return max(bound)


ASKED = [
    (reverse_lazy("dashboard"), {}),
    (reverse_lazy("dashboard"), {"sort": "build"}),  # every team's results
    (reverse_lazy("dashboard"), {"sort": "checks"}),  # every team's checks fired
    (reverse_lazy("dashboard_csv"), {}),
]


def test_no_query_binds_more_parameters_with_more_teams(
    manager_client: Client, cd_model: MaturityModel
) -> None:
    """SQLite refuses a statement with more than 32,766 parameters (999 in older builds)
    and PostgreSQL parses each: the dashboard's queries bind as many at any number of
    teams, whatever the rows shown and the sort."""
    seed(cd_model, 60, per_team=1)
    fewer = [most_parameters_bound(manager_client, str(url), params) for url, params in ASKED]
    seed(cd_model, 120, per_team=1, first=60)
    more = [most_parameters_bound(manager_client, str(url), params) for url, params in ASKED]
    assert more == fewer


def test_the_checks_fired_are_counted_on_every_page_and_sort(
    manager_client: Client, cd_model: MaturityModel
) -> None:
    seed(cd_model, 120, per_team=1)
    fired = set(
        Assessment.objects.filter(record__checks__0__key=FIRED["key"]).values_list(
            "team__name", flat=True
        )
    )
    for params in ({"page": "2"}, {"sort": "checks", "dir": "desc"}):
        page = manager_client.get(reverse("dashboard"), params).content.decode()
        table = page.split("align-middle heatmap")[1].split("</tbody>")[0]
        for row in table.split("<tbody>")[1].split("</tr>")[:-1]:
            name = re.search(r'<th scope="row"><a href="[^"]*">([^<]*)<', row)
            assert name is not None
            count = row.split('class="text-end checks">')[1].split("</td>")[0]
            assert count.endswith(">1</a>") == (name[1] in fired), row


def measure(client: Client, params: dict[str, str] | None = None) -> tuple[float, int, int]:
    """The dashboard's cold render: (the best milliseconds of five, each after emptying
    every cache, queries, bytes)."""
    timings = []
    for _ in range(5):
        for each in caches.all():
            each.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(reverse("dashboard"), params)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return min(timings), len(queries), len(response.content)


SCALE = [int(count) for count in os.environ.get("DASHBOARD_SCALE", "").split(",") if count]


@pytest.mark.skipif(not SCALE, reason="set DASHBOARD_SCALE=200,2000 to measure")
def test_measured_cold_render_per_team_count(
    client: Client, cd_model: MaturityModel, manager: User
) -> None:
    client.force_login(manager)
    client.get(reverse("dashboard"))  # templates compiled, connections open
    seeded = 0
    found = []
    for count in sorted(SCALE):
        seed(cd_model, count - seeded, first=seeded)
        seeded = count
        for params in ({}, {"sort": "checks", "dir": "desc"}):
            ms, queries, size = measure(client, params)
            found.append((queries, size))
            shown = f"{ms:.0f} ms cold, {queries} queries, {size / 1024:.0f} KB"
            print(f"\n{count} teams {params}: {shown}")
    assert len({queries for queries, _ in found}) == 1
    assert max(size for _, size in found) < 400 * 1024
    if os.environ.get("DASHBOARD_PROFILE"):
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("dashboard"))
        for query in captured:
            print(f"{float(query['time']) * 1000:6.0f} ms  {query['sql'][:150]}")
        profile = cProfile.Profile()
        profile.runcall(client.get, reverse("dashboard"))
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats("dashboard/|render_to_string|execute", 30)
        stats.sort_stats("tottime").print_stats(25)
