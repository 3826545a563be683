"""How scores look on every page: one decimal, a level badge, a signed change."""

from __future__ import annotations

from typing import Any

from django import template

from assessments.models import AnyUser, is_manager
from assessments.scoring import rounded

register = template.Library()


@register.filter
def score(value: float | None) -> str:
    """1.46 -> "1.5"; no score -> an en dash."""
    return "–" if value is None else f"{rounded(value):.1f}"


@register.filter
def change(value: float | None) -> str:
    """+0.5 / −0.3 / ±0.0, with a word for screen readers and print."""
    if value is None:
        return "new"
    if value > 0:
        return f"▲ +{value:.1f}"
    if value < 0:
        return f"▼ −{abs(value):.1f}"
    return "= 0.0"


@register.filter
def level_class(level: int | None) -> str:
    """A CSS class per level value: level-m1, level-0 ... (clamped to the default range)."""
    if level is None:
        return "level-none"
    clamped = min(max(level, -1), 3)
    return f"level-m{-clamped}" if clamped < 0 else f"level-{clamped}"


@register.filter(name="is_manager")
def is_manager_filter(user: AnyUser) -> bool:
    """Whether to offer the managers' pages (at most one query per request)."""
    return is_manager(user)


@register.filter
def lookup(mapping: dict[Any, object], key: object) -> object:
    """mapping[key], or None (templates cannot index a dict by a variable)."""
    return mapping.get(key)
