"""Delivery outcomes on DORA's Quick Check scale (DESIGN.md, "Delivery outcomes").

Pure: answers in, scores out. Each ordinal answer 1..6 maps linearly to 0..10
(1 -> 0, 6 -> 10); a percentage p maps to 10 - p/10. Throughput is the mean of
lead time, deployment frequency and recovery time; instability the mean of change
fail rate and rework rate; overall the mean of the metric scores given. Missing
metrics are left out; with none, a score is None. The answer options are DORA's
(dora.dev, CC BY 4.0); no performance cluster is assigned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from maturity.checks import METRICS, ORDINAL_METRICS, PERCENT_METRICS, Metric

from .scoring import rounded

# The metrics, their names and kinds come from maturity.checks (checks compare with them).
DURATIONS = [  # lead time and recovery time share DORA's answer options
    "More than six months",
    "One to six months",
    "One week to one month",
    "One day to one week",
    "Less than one day",
    "Less than one hour",
]
ORDINAL_OPTIONS: dict[str, list[str]] = {
    "lead_time": DURATIONS,
    "deployment_frequency": [
        "Less than once every six months",
        "Once a month to once every six months",
        "Once a week to once a month",
        "Once a day to once a week",
        "Once an hour to once a day",
        "On demand (several deployments a day)",
    ],
    "recovery_time": DURATIONS,
}
THROUGHPUT = tuple(metric for metric in METRICS if metric in ORDINAL_METRICS)
PERCENTAGES = INSTABILITY = tuple(metric for metric in METRICS if metric in PERCENT_METRICS)
LABELS = dict(Metric.choices)
QUESTIONS = {
    "lead_time": "How long does it take a change to go from committed to running in production?",
    "deployment_frequency": "How often does the team deploy to production?",
    "recovery_time": "How long does it take to recover from a deployment that failed in "
    "production and needed immediate intervention?",
    "change_fail_rate": "What share of deployments need immediate intervention (a rollback, "
    "a hotfix, a fix forward)?",
    "rework_rate": "What share of deployments were not planned, but made to fix a bug that "
    "users saw?",
}
SCALE = "DORA's Quick Check scale: 0 to 10, higher is better"
CREDIT = "The delivery metrics, their answer options and their scoring are DORA's (dora.dev)."


def _exact(metric: str, value: int) -> Fraction:
    if metric in PERCENTAGES:
        return Fraction(100 - value, 10)
    return Fraction(value - 1) * 2


def answer_text(metric: str, value: int | None) -> str:
    """An answer as people read it: DORA's option, or a percentage."""
    if value is None:
        return "Not given"
    if metric in ORDINAL_OPTIONS:
        return ORDINAL_OPTIONS[metric][value - 1]
    return f"{value}%"


def metric_score(metric: str, value: int | None) -> float | None:
    """One metric's answer on the 0..10 scale; None when not given."""
    return None if value is None else float(_exact(metric, value))


def _mean(values: list[Fraction | None]) -> float | None:
    """Exact, so a mean that is a half to one decimal rounds as it should."""
    given = [value for value in values if value is not None]
    return float(sum(given, Fraction(0)) / len(given)) if given else None


@dataclass(frozen=True)
class Scores:
    metrics: dict[str, float | None]
    throughput: float | None
    instability: float | None
    overall: float | None

    def as_dict(self) -> dict[str, float | None]:
        """As the record keeps them: one decimal."""
        shown = {**self.metrics, "throughput": self.throughput}
        shown.update(instability=self.instability, overall=self.overall)
        return {name: None if value is None else rounded(value) for name, value in shown.items()}


def scores(answers: Mapping[str, int | None]) -> Scores:
    """The Quick Check scores of the answers given (metric name -> answer)."""
    exact: dict[str, Fraction | None] = {}
    for metric in METRICS:
        value = answers.get(metric)
        exact[metric] = None if value is None else _exact(metric, value)
    return Scores(
        {metric: None if value is None else float(value) for metric, value in exact.items()},
        _mean([exact[metric] for metric in THROUGHPUT]),
        _mean([exact[metric] for metric in INSTABILITY]),
        _mean(list(exact.values())),
    )


def outcomes(answers: Mapping[str, int | None]) -> Scores | None:
    """The scores of the answers, None when no metric was given."""
    given = {metric: value for metric, value in answers.items() if value is not None}
    return scores(given) if given else None
