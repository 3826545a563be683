"""A model's checks: claim versus outcome (DESIGN.md, "Checks (claim versus outcome)").

A check compares a category's level with a delivery metric: it fires when the category's
level is at least `level_at_least` and the metric is worse than `worse_than`. Fired
checks ask the team a question; they change no score.

The one place that names the delivery metrics and their kinds: ordinal metrics are
DORA's Quick Check answer options 1..6, higher is better; percentages run 0..100, lower
is better. Everything here is pure except `checks_of`, which reads a model's checks in
one query; other apps import from here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import TextChoices


class Metric(TextChoices):
    LEAD_TIME = "lead_time", "Lead time for changes"
    DEPLOYMENT_FREQUENCY = "deployment_frequency", "Deployment frequency"
    RECOVERY_TIME = "recovery_time", "Failed deployment recovery time"
    CHANGE_FAIL_RATE = "change_fail_rate", "Change fail rate"
    REWORK_RATE = "rework_rate", "Deployment rework rate"


METRICS: tuple[str, ...] = tuple(Metric.values)
# Answer options 1 (worst) .. 6 (best): worse means smaller.
ORDINAL_METRICS: frozenset[str] = frozenset(
    {Metric.LEAD_TIME, Metric.DEPLOYMENT_FREQUENCY, Metric.RECOVERY_TIME}
)
# Percent 0 (best) .. 100 (worst): worse means larger.
PERCENT_METRICS: frozenset[str] = frozenset({Metric.CHANGE_FAIL_RATE, Metric.REWORK_RATE})
ORDINAL_RANGE: tuple[int, int] = (1, 6)
PERCENT_RANGE: tuple[int, int] = (0, 100)


def is_ordinal(metric: str) -> bool:
    """Whether `metric` is answered with an option 1..6 (higher is better); otherwise it is
    a percentage 0..100 (lower is better). Raises ValueError for an unknown metric."""
    if metric in ORDINAL_METRICS:
        return True
    if metric in PERCENT_METRICS:
        return False
    raise ValueError(f"unknown metric {metric!r}")


def value_range(metric: str) -> tuple[int, int]:
    """The lowest and highest value `metric` takes (and a threshold may take)."""
    return ORDINAL_RANGE if is_ordinal(metric) else PERCENT_RANGE


def threshold_problem(metric: str, worse_than: float) -> str | None:
    """Why `worse_than` cannot be a threshold of `metric`, or None when it can: the file
    and the admin give the same reason. An ordinal threshold is one of the answer
    options, a whole number 1..6; a percentage one is 0..100."""
    if metric not in METRICS:
        return f"unknown metric {metric!r} (one of: {', '.join(METRICS)})"
    low, high = value_range(metric)
    if is_ordinal(metric):
        if not (math.isfinite(worse_than) and worse_than == int(worse_than)):
            return f"{metric} is answered with an option {low}..{high}: use a whole number"
        if not low <= worse_than <= high:
            return f"{_shown(worse_than)} is outside {low}..{high}, the answer options of {metric}"
        return None
    if not (math.isfinite(worse_than) and low <= worse_than <= high):
        return f"{_shown(worse_than)} is outside {low}..{high}, the percentages of {metric}"
    return None


def _shown(number: float) -> str:
    return str(int(number)) if math.isfinite(number) and number == int(number) else str(number)


def is_worse(metric: str, value: float, worse_than: float) -> bool:
    """Whether `value` of `metric` is worse than the threshold: smaller for ordinal
    metrics, larger for percentages."""
    return value < worse_than if is_ordinal(metric) else value > worse_than


@dataclass(frozen=True)
class CheckRule:
    key: str
    category: str  # the category's slug
    metric: str  # one of METRICS
    level_at_least: int
    worse_than: float
    message: str


def fires(rule: CheckRule, level: int | None, value: float | None) -> bool:
    """Whether `rule` fires for a category at `level` (None: not scored) whose team gave
    `value` for the rule's metric (None: not given)."""
    if level is None or value is None:
        return False
    return level >= rule.level_at_least and is_worse(rule.metric, value, rule.worse_than)


def checks_of(model_id: int) -> list[CheckRule]:
    """The checks of a maturity model, in order (one query)."""
    from .models import Check  # models.py reads Metric from here

    rows = (
        Check.objects.filter(model_id=model_id)
        .order_by("order", "id")
        .values_list("key", "category__slug", "metric", "level_at_least", "worse_than", "message")
    )
    return [CheckRule(*row) for row in rows]
