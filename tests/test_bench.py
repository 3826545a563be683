"""The benchmark's arithmetic and tables (bench/run.py); the benchmark itself is `make bench`."""

from __future__ import annotations

from bench.run import (
    FLOOR,
    TRIVIAL,
    Page,
    Run,
    measurements,
    median_run,
    pages_table,
    scale_table,
    sized_url,
)
from bench.scale import ScaleRow

PAGES = [
    Page(TRIVIAL, "/bench/trivial", ""),
    Page(FLOOR, "/bench/signed-in", "member"),
    Page("result", "/assessments/1/", "member"),
    Page("dashboard", "/dashboard/", "manager"),
]


def rounds(*rates: float) -> list[Run]:
    return [Run(rate, 10.0 * index, 20.0 * index, 1) for index, rate in enumerate(rates, 1)]


def test_median_run_takes_each_figures_median_and_every_error() -> None:
    assert median_run(rounds(300, 100, 200)) == Run(200, 20.0, 40.0, 3)


def test_shares_are_per_round_medians_and_goals_are_judged() -> None:
    runs = {
        TRIVIAL: rounds(1000, 800, 1200),
        FLOOR: rounds(250, 200, 300),  # 25% of trivial in every round: below its 30%
        "result": rounds(150, 120, 180),  # 60% of the floor in every round
        "dashboard": rounds(100, 96, 150),  # 40%, 48%, 50% of the floor
    }
    rows = {row.page: row for row in measurements(PAGES, runs, dict.fromkeys(runs, "1/1"))}

    assert rows[FLOOR].trivial_ratio == 0.25
    assert (rows[FLOOR].goal, rows[FLOOR].met) == ("30% of trivial", False)
    assert rows["result"].ratio == 0.6
    assert (rows["result"].goal, rows["result"].met) == ("50% of floor", True)
    assert rows["dashboard"].ratio == 0.48  # not the medians' 100 / 250
    assert rows["dashboard"].met is False
    assert (rows[TRIVIAL].goal, rows[TRIVIAL].met) == ("", None)
    assert rows["dashboard"].rounds == [100, 96, 150]


def test_a_change_of_the_machines_speed_between_rounds_moves_no_share() -> None:
    """Every page, the floors too, at half speed in the second round and three quarters in
    the third: each page's share is what its rounds show, where the medians of its rounds
    and of the floor's, taken from different rounds, would say 0.4 and 0.5."""
    runs = {
        TRIVIAL: rounds(1000, 500, 750),
        FLOOR: rounds(400, 200, 300),
        "result": rounds(200, 100, 120),  # 50%, 50%, 40%
        "dashboard": rounds(240, 120, 150),  # 60%, 60%, 50%
    }
    rows = {row.page: row for row in measurements(PAGES, runs, dict.fromkeys(runs, "1/1"))}

    assert (rows["result"].ratio, rows["dashboard"].ratio) == (0.5, 0.6)
    assert rows[FLOOR].trivial_ratio == 0.4


def test_pages_table_says_whose_session_and_ok_or_below() -> None:
    runs = {page.name: rounds(100) for page in PAGES}
    table = pages_table(measurements(PAGES, runs, dict.fromkeys(runs, "2/1")))

    lines = table.splitlines()
    assert len(lines) == 2 + len(PAGES)
    assert lines[2].startswith("| trivial | anonymous | 100 | 100 |")
    assert "| 100% | 100% | 30% of trivial: ok | 2/1 | 1 |" in lines[3]
    assert lines[5].startswith("| dashboard | manager |")


def test_scale_table_counts_assessments_and_rounds_sizes() -> None:
    row = ScaleRow(teams=2000, assessments=8, cold_ms=812.4, queries=9, html_kb=301.6, peak_mb=7.5)

    assert scale_table([row]).splitlines()[2] == "| 2,000 | 16,000 | 812 | 9 | 302 | 7.5 |"


def test_each_size_has_its_own_database() -> None:
    url = "postgres://postgres@127.0.0.1:5432/maturity_bench"

    assert sized_url(url, 50) == "postgres://postgres@127.0.0.1:5432/maturity_bench_50"
