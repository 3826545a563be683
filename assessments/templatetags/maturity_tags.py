"""How scores look on every page: one decimal, a level badge, a signed change."""

from __future__ import annotations

from typing import Any

from django import template

from assessments.display import (
    agreement_text,
    change_text,
    level_badge,
    level_css,
    score_text,
)
from assessments.questionnaire_html import (
    level_sections,
    progress_nav,
    review_categories,
    votes_with_spread,
)

register = template.Library()


register.filter("score", score_text)
register.filter("change", change_text)
register.filter("level_class", level_css)
register.filter("agreement", agreement_text)
register.filter("votes_with_spread", votes_with_spread)
register.simple_tag(level_sections)
register.simple_tag(progress_nav)
register.simple_tag(review_categories)
register.simple_tag(level_badge)


@register.filter
def lookup(mapping: dict[Any, object], key: object) -> object:
    """mapping[key], or None (templates cannot index a dict by a variable)."""
    return mapping.get(key)
