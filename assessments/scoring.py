"""The scoring rule of DESIGN.md, as pure functions over plain data.

Per category, over its practices at the levels above the floor:
- credit: yes = 1, partly = 0.5, no (or not answered yet) = 0; n/a is left out.
  A level whose practices are all n/a (or that has none) is met.
- level: the highest level such that every applicable practice at it and at
  every level below it is answered yes; the floor when the first is not met.
- score: level + credit / applicable practices at the next level up; exactly
  the top level's value at the top.
- A category whose practices are all n/a is not scored: level and score None, and
  it is left out of the overall score and of next steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import fmean

from django.db.models import TextChoices


class Status(TextChoices):
    """A team's answer to a practice; blank while not answered."""

    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


CREDIT: dict[str, float] = {Status.YES: 1.0, Status.PARTLY: 0.5, Status.NO: 0.0}


@dataclass(frozen=True)
class Practice:
    key: str
    level: int
    text: str = ""
    order: int = 0
    status: str | None = None  # None while not answered


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    order: int
    practices: tuple[Practice, ...]
    advice: Mapping[int, str]  # the advice for reaching each level


@dataclass(frozen=True)
class Result:
    """Where one category stands; level and score None when it is not scored."""

    slug: str
    name: str
    order: int
    level: int | None
    score: float | None

    @property
    def scored(self) -> bool:
        return self.score is not None


@dataclass(frozen=True)
class NextStep:
    """What a category needs to reach its next level."""

    slug: str
    name: str
    score: float
    target_level: int
    advice: str
    practices: tuple[Practice, ...]


def level_and_score(
    levels: Sequence[int], practices: Iterable[Practice]
) -> tuple[int, float] | tuple[None, None]:
    """The category's level and score, (None, None) when every practice is n/a;
    `levels` are all of the model's level values."""
    ordered = sorted(levels)
    floor, climb = ordered[0], ordered[1:]
    by_level: dict[int, list[Practice]] = {value: [] for value in climb}
    asked = 0
    for practice in practices:
        if practice.level in by_level:
            asked += 1
            if practice.status != Status.NOT_APPLICABLE:
                by_level[practice.level].append(practice)
    if asked and not any(by_level.values()):
        return None, None
    level = floor
    for value in climb:
        applicable = by_level[value]
        if any(practice.status != Status.YES for practice in applicable):
            credit = sum(CREDIT.get(practice.status or Status.NO, 0.0) for practice in applicable)
            return level, level + credit / len(applicable)
        level = value
    return level, float(level)


def score_categories(levels: Sequence[int], categories: Iterable[Category]) -> list[Result]:
    """One result per category, in the order given."""
    results = []
    for category in categories:
        level, score = level_and_score(levels, category.practices)
        results.append(Result(category.slug, category.name, category.order, level, score))
    return results


def next_steps(
    levels: Sequence[int], categories: Iterable[Category], results: Mapping[str, Result]
) -> list[NextStep]:
    """For each category below the top: the advice and the practices not yet answered yes
    at its next level. Weakest category first (ties by category order), practices in order."""
    top = max(levels)
    steps = []
    for category in categories:
        result = results[category.slug]
        if result.level is None or result.score is None or result.level >= top:
            continue
        target = min(value for value in levels if value > result.level)
        missing = sorted(
            (
                practice
                for practice in category.practices
                if practice.level == target
                and practice.status not in (Status.YES, Status.NOT_APPLICABLE)
            ),
            key=lambda practice: practice.order,
        )
        steps.append(
            NextStep(
                slug=category.slug,
                name=category.name,
                score=result.score,
                target_level=target,
                advice=category.advice.get(target, ""),
                practices=tuple(missing),
            )
        )
    return sorted(steps, key=lambda step: (step.score, results[step.slug].order))


def overall(scores: Iterable[float | None]) -> float | None:
    """The mean of the scored categories' scores; None when there are none."""
    values = [score for score in scores if score is not None]
    return fmean(values) if values else None


def rounded(score: float) -> float:
    """A score as shown to people: one decimal, halves rounded away from zero."""
    return float(Decimal(repr(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def change(score: float | None, earlier: float | None) -> float | None:
    """The change between two scores as people see it: the difference of the shown
    (rounded) scores, so the numbers on a page add up; None without both."""
    if score is None or earlier is None:
        return None
    return rounded(rounded(score) - rounded(earlier))


def weakest(results: Iterable[Result]) -> Result | None:
    """The scored category with the lowest score, ties broken by category order."""
    scored = [result for result in results if result.score is not None]
    return min(scored, key=lambda result: (result.score or 0.0, result.order), default=None)
