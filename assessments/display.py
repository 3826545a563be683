"""How numbers look on every page: one decimal, a signed change, a share in percent, a
CSS class per level.
The template filters in maturity_tags and the dashboard's rows both use these."""

from __future__ import annotations

from collections.abc import Sequence

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


def level_css(level: int | None, levels: Sequence[int]) -> str:
    """The CSS class that colours `level` among the model's `levels` (level-shade-0 for
    the floor to level-shade-4 for the top); level-none without a level."""
    if level is None:
        return "level-none"
    return f"level-shade-{level_shade(level, levels)}"
