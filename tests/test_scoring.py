"""The scoring rule of DESIGN.md, case by case, and its properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    Category,
    Practice,
    Result,
    Status,
    level_and_score,
    next_steps,
    overall,
    rounded,
    score_categories,
    weakest,
)

LEVELS = [-1, 0, 1, 2, 3]


def practices(*answers_by_level: str) -> list[Practice]:
    """practices("yy", "yp") -> level 0: yes, yes; level 1: yes, partly. Letters: y p n a ."""
    status = {
        "y": Status.YES,
        "p": Status.PARTLY,
        "n": Status.NO,
        "a": Status.NOT_APPLICABLE,
        ".": None,
    }
    return [
        Practice(key=f"k{level}.{i}", level=level, order=i, status=status[letter])
        for level, letters in enumerate(answers_by_level)
        for i, letter in enumerate(letters)
    ]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        pytest.param(("nn", "nn", "nn", "nn"), (-1, -1.0), id="nothing-met-is-the-floor"),
        pytest.param(("yn", "nn", "nn", "nn"), (-1, -0.5), id="half-of-level-0"),
        pytest.param(("pp", "nn", "nn", "nn"), (-1, -0.5), id="partly-counts-half"),
        pytest.param(("..", "..", "..", ".."), (-1, -1.0), id="unanswered-counts-as-no"),
        pytest.param(("yy", "nn", "nn", "nn"), (0, 0.0), id="level-0-met"),
        pytest.param(("yy", "yy", "yn", "nn"), (1, 1.5), id="level-1-with-half-of-level-2"),
        pytest.param(("yy", "yy", "yp", "nn"), (1, 1.75), id="partly-at-the-next-level"),
        pytest.param(("yy", "yp", "yy", "yy"), (0, 0.75), id="level-needs-every-level-below"),
        pytest.param(("yy", "yy", "yy", "yy"), (3, 3.0), id="top-is-exactly-3"),
        pytest.param(("ya", "yy", "nn", "nn"), (1, 1.0), id="na-is-left-out-of-the-level"),
        pytest.param(("aa", "yy", "nn", "nn"), (1, 1.0), id="all-na-level-is-met"),
        pytest.param(("yy", "an", "nn", "nn"), (0, 0.0), id="na-left-out-of-the-fraction"),
        pytest.param(("yy", "ap", "nn", "nn"), (0, 0.5), id="na-left-out-of-partly-fraction"),
        pytest.param(("yy", "yy", "aa", "aa"), (3, 3.0), id="all-na-above-reaches-the-top"),
        pytest.param(("nn", "yy", "yy", "yy"), (-1, -1.0), id="higher-yes-do-not-skip-a-gap"),
        pytest.param(("yyy", "yyn", "nn", "nn"), (0, 2 / 3), id="thirds"),
        pytest.param(("aa", "aa", "aa", "aa"), (None, None), id="all-na-is-not-scored"),
    ],
)
def test_level_and_score(
    answers: tuple[str, ...], expected: tuple[int, float] | tuple[None, None]
) -> None:
    level, score = level_and_score(LEVELS, practices(*answers))
    assert level == expected[0]
    assert score == (None if expected[1] is None else pytest.approx(expected[1]))


def test_a_level_without_practices_is_met() -> None:
    only_level_0 = [Practice("a", 0, status=Status.YES)]
    assert level_and_score(LEVELS, only_level_0) == (3, 3.0)


def test_practices_at_the_floor_or_unknown_levels_are_ignored() -> None:
    stray = [Practice("floor", -1, status=Status.NO), Practice("odd", 9, status=Status.NO)]
    assert level_and_score(LEVELS, [*stray, *practices("yy", "yy", "yy", "yy")]) == (3, 3.0)


def test_other_level_ranges_use_their_own_floor_and_top() -> None:
    # Xebia-like: levels 0..5 with a gap; the next level up after 1 is 3.
    levels = [0, 1, 3, 5]
    answers = [
        Practice("a", 1, status=Status.YES),
        Practice("b", 3, status=Status.PARTLY),
        Practice("c", 5, status=Status.NO),
    ]
    assert level_and_score(levels, answers) == (1, 1.5)
    assert level_and_score(levels, [Practice("a", 1, status=Status.NO)]) == (0, 0.0)


def category(slug: str, order: int, answers: list[Practice]) -> Category:
    advice = {level: f"reach {level} in {slug}" for level in LEVELS[1:]}
    return Category(
        slug=slug, name=slug.title(), order=order, practices=tuple(answers), advice=advice
    )


def test_next_steps_weakest_category_first_then_practice_order() -> None:
    categories = [
        category("build", 1, practices("yy", "yy", "yn", "nn")),  # 1.5
        category("testing", 2, practices("yy", "nyp", "nn", "nn")),  # 0.5
        category("data", 3, practices("yy", "yy", "yy", "yy")),  # 3.0: no step
        category("config", 4, practices("yy", "pnn", "nn", "nn")),  # 0.1666
    ]
    results = {result.slug: result for result in score_categories(LEVELS, categories)}
    steps = next_steps(LEVELS, categories, results)
    assert [step.slug for step in steps] == ["config", "testing", "build"]
    config = steps[0]
    assert config.target_level == 1
    assert config.advice == "reach 1 in config"
    assert [p.key for p in config.practices] == ["k1.0", "k1.1", "k1.2"]
    assert [p.key for p in steps[1].practices] == ["k1.0", "k1.2"]  # the yes is not a step


def test_next_steps_ties_are_broken_by_category_order() -> None:
    categories = [
        category("second", 2, practices("yn", "nn", "nn", "nn")),
        category("first", 1, practices("ny", "nn", "nn", "nn")),
    ]
    results = {result.slug: result for result in score_categories(LEVELS, categories)}
    assert [step.slug for step in next_steps(LEVELS, categories, results)] == ["first", "second"]


def test_next_steps_leave_out_na_practices() -> None:
    categories = [category("build", 1, practices("yy", "an", "nn", "nn"))]
    results = {result.slug: result for result in score_categories(LEVELS, categories)}
    [step] = next_steps(LEVELS, categories, results)
    assert [p.key for p in step.practices] == ["k1.1"]


def test_next_steps_follow_the_frozen_results_not_the_answers() -> None:
    categories = [category("build", 1, practices("yy", "nn", "nn", "nn"))]
    frozen = {"build": Result("build", "Build", 1, level=1, score=1.0)}
    [step] = next_steps(LEVELS, categories, frozen)
    assert step.target_level == 2


def test_overall_is_the_mean_and_none_without_categories() -> None:
    assert overall([1.5, 0.5, 3.0, -1.0]) == pytest.approx(1.0)
    assert overall([]) is None


def test_a_category_with_every_practice_not_applicable_is_not_scored_nor_counted() -> None:
    categories = [
        category("build", 1, practices("yy", "yy", "yn", "nn")),  # 1.5
        category("data", 2, practices("aa", "aa", "a", "aa")),  # not scored
        category("testing", 3, practices("yy", "nn", "nn", "nn")),  # 0.0
    ]
    results = score_categories(LEVELS, categories)
    assert [(r.slug, r.level, r.score, r.scored) for r in results][1] == ("data", None, None, False)
    by_slug = {result.slug: result for result in results}
    assert [step.slug for step in next_steps(LEVELS, categories, by_slug)] == ["testing", "build"]
    assert overall(result.score for result in results) == pytest.approx(0.75)
    assert weakest(results).slug == "testing"  # type: ignore[union-attr]
    assert weakest([by_slug["data"]]) is None


@pytest.mark.parametrize(
    ("score", "shown"),
    [(1.25, 1.3), (1.35, 1.4), (2 / 3, 0.7), (-0.75, -0.8), (3.0, 3.0), (-1.0, -1.0), (0.04, 0.0)],
)
def test_scores_are_shown_with_one_decimal_halves_away_from_zero(
    score: float, shown: float
) -> None:
    assert rounded(score) == shown


def test_weakest_is_the_lowest_score_ties_by_order() -> None:
    results = [
        Result("a", "A", 2, 0, 0.5),
        Result("b", "B", 1, 0, 0.5),
        Result("c", "C", 0, 1, 1.0),
    ]
    assert weakest(results).slug == "b"  # type: ignore[union-attr]
    assert weakest([]) is None


statuses = st.sampled_from([Status.YES, Status.PARTLY, Status.NO, Status.NOT_APPLICABLE, None])


@st.composite
def answered_practices(draw: st.DrawFn) -> list[Practice]:
    return [
        Practice(key=f"k{level}.{i}", level=level, order=i, status=draw(statuses))
        for level in LEVELS[1:]
        for i in range(draw(st.integers(0, 4)))
    ]


@given(answered_practices())
def test_score_lies_between_floor_and_top_unless_all_is_not_applicable(
    answers: list[Practice],
) -> None:
    _, score = level_and_score(LEVELS, answers)
    all_na = bool(answers) and all(p.status == Status.NOT_APPLICABLE for p in answers)
    assert (score is None) == all_na
    assert score is None or -1 <= score <= 3


@given(answered_practices())
def test_level_is_the_integer_part_of_the_score_except_at_the_top(answers: list[Practice]) -> None:
    level, score = level_and_score(LEVELS, answers)
    if level is None or score is None:
        return
    if level == 3:
        assert score == 3.0
    else:
        assert level <= score < level + 1


@given(answered_practices(), st.data())
def test_turning_an_answer_into_yes_never_lowers_the_score(
    answers: list[Practice], data: st.DataObject
) -> None:
    if not answers:
        return
    index = data.draw(st.integers(0, len(answers) - 1))
    improved = list(answers)
    improved[index] = replace(answers[index], status=Status.YES)
    before = level_and_score(LEVELS, answers)
    after = level_and_score(LEVELS, improved)
    if before[0] is None or before[1] is None:
        return  # all n/a before: not scored, nothing to lower
    assert after[0] is not None and after[1] is not None
    assert after[1] >= before[1]
    assert after[0] >= before[0]
