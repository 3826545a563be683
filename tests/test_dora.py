"""DORA's Quick Check scoring (assessments/dora.py), directly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.dora import PERCENTAGES, THROUGHPUT, metric_score, scores


@pytest.mark.parametrize(
    ("metric", "answer", "score"),
    [
        ("lead_time", 1, 0.0),
        ("lead_time", 6, 10.0),
        ("deployment_frequency", 4, 6.0),
        ("recovery_time", 2, 2.0),
        ("change_fail_rate", 0, 10.0),
        ("change_fail_rate", 100, 0.0),
        ("change_fail_rate", 15, 8.5),
        ("rework_rate", 5, 9.5),
        ("rework_rate", None, None),
    ],
)
def test_each_answer_maps_linearly_to_0_10(
    metric: str, answer: int | None, score: float | None
) -> None:
    assert metric_score(metric, answer) == score


def test_the_example_in_the_design() -> None:
    given_answers = {
        "lead_time": 4,
        "deployment_frequency": 5,
        "recovery_time": 5,
        "change_fail_rate": 10,
        "rework_rate": 5,
    }
    assert scores(given_answers).as_dict() == {
        "lead_time": 6.0,
        "deployment_frequency": 8.0,
        "recovery_time": 8.0,
        "change_fail_rate": 9.0,
        "rework_rate": 9.5,
        "throughput": 7.3,
        "instability": 9.3,  # (9.0 + 9.5) / 2 = 9.25, halves away from zero
        "overall": 8.1,
    }


def test_missing_metrics_are_left_out_and_nothing_given_is_none() -> None:
    only_deploys = scores({"deployment_frequency": 6})
    assert (only_deploys.throughput, only_deploys.instability, only_deploys.overall) == (
        10.0,
        None,
        10.0,
    )
    assert scores({}).overall is None and scores({}).throughput is None


answers = st.fixed_dictionaries(
    {},
    optional={
        **{metric: st.integers(1, 6) for metric in THROUGHPUT},
        **{metric: st.integers(0, 100) for metric in PERCENTAGES},
    },
)


@given(answers)
def test_scores_stay_within_0_and_10(given_answers: dict[str, int]) -> None:
    found = scores(given_answers)
    for value in (*found.metrics.values(), found.throughput, found.instability, found.overall):
        assert value is None or 0 <= value <= 10
    assert (found.overall is None) == (not given_answers)


@given(answers.filter(bool), st.data())
def test_a_better_answer_never_lowers_a_score(
    given_answers: dict[str, int], data: st.DataObject
) -> None:
    metric = data.draw(st.sampled_from(sorted(given_answers)))
    if metric in PERCENTAGES:
        better = data.draw(st.integers(0, given_answers[metric]))
    else:
        better = data.draw(st.integers(given_answers[metric], 6))
    before, after = scores(given_answers), scores({**given_answers, metric: better})
    for name in ("throughput", "instability", "overall"):
        old, new = getattr(before, name), getattr(after, name)
        assert old is None or (new is not None and new >= old - 1e-9)
