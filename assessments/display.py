"""How numbers look on every page: one decimal, a signed change, a CSS class per level.
The template filters in maturity_tags and the dashboard's rows both use these."""

from __future__ import annotations

from .scoring import rounded


def score_text(value: float | None) -> str:
    """1.46 -> "1.5"; no score -> an en dash."""
    return "–" if value is None else f"{rounded(value):.1f}"


def change_text(value: float | None) -> str:
    """▲ +0.5 / ▼ −0.3 / = 0.0: an arrow and a sign, so colour is never the only cue."""
    if value is None:
        return "new"
    if value > 0:
        return f"▲ +{value:.1f}"
    if value < 0:
        return f"▼ −{abs(value):.1f}"
    return "= 0.0"


def level_css(level: int | None) -> str:
    """level-m1, level-0 ... level-3 (clamped to the default model's range); level-none."""
    if level is None:
        return "level-none"
    clamped = min(max(level, -1), 3)
    return f"level-m{-clamped}" if clamped < 0 else f"level-{clamped}"
