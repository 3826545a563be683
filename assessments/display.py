"""How numbers look on every page: one decimal, a signed change and its colour, a share
in percent, the level a score reaches, a time to plan, a CSS class and a badge per level.
The template filters in maturity_tags and the dashboard's rows both use these."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.safestring import SafeString

from maturity.markup import escaped, safe

from .charts import level_shade
from .scoring import rounded


def score_text(value: float | None) -> str:
    """1.46 -> "1.5"; no score -> an en dash."""
    return "–" if value is None else f"{rounded(value):.1f}"


def agreement_text(share: float | None) -> str:
    """0.8 -> "80%"; no agreement to show (fewer than two votes anywhere) -> an en dash."""
    return "–" if share is None else f"{round(share * 100)}%"


def change_text(value: float | None) -> str:
    """▲ +0.5 / ▼ −0.3 / = 0.0: an arrow and a sign, so colour is never the only cue."""
    if value is None:
        return "new"
    if value > 0:
        return f"▲ +{value:.1f}"
    if value < 0:
        return f"▼ −{abs(value):.1f}"
    return "= 0.0"


def change_css(value: float | None) -> str:
    """The CSS class that colours a change beside its arrow: a rise, a drop, or none."""
    if value is None or value == 0:
        return ""
    return "change-up" if value > 0 else "change-down"


def level_reached(score: float | None, levels: Sequence[tuple[int, str]]) -> tuple[int, str] | None:
    """The level (value, name) that a score as shown reaches: the highest level at or
    below it (1.1 -> level 1); None without a score."""
    if score is None:
        return None
    return max((level for level in levels if level[0] <= rounded(score)), default=None)


def time_to_answer(statements: int) -> str:
    """How long a team should plan for a questionnaire: a minute a statement, to the
    next ten minutes (79 -> "about 1 hour 20 minutes")."""
    hours, minutes = divmod(max(10, math.ceil(statements / 10) * 10), 60)
    parts = [f"{hours} hour{'s' if hours > 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minutes")
    return "about " + " ".join(parts)


def level_badge(level: int, name: str, levels: Sequence[int]) -> SafeString:
    """A level as a badge coloured by its place among the model's `levels`."""
    css = level_css(level, levels)
    shown = f"{escaped(str(level))} · {escaped(name)}"
    return safe(f'<span class="badge level-badge {css}">{shown}</span>')


def level_css(level: int | None, levels: Sequence[int]) -> str:
    """The CSS class that colours `level` among the model's `levels` (level-shade-0 for
    the floor to level-shade-4 for the top); level-none without a level."""
    if level is None:
        return "level-none"
    return f"level-shade-{level_shade(level, levels)}"
