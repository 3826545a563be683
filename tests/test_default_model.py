"""The bundled default model, newest version: every cell a team must meet is concrete
enough to answer. A level needs every practice at it and below answered yes, so an
empty, overloaded or vague cell caps a whole category."""

from __future__ import annotations

from collections import Counter

import pytest

from maturity.modelfile import ModelSpec, parse

from .conftest import DEFAULT_MODEL_FILE, DEFAULT_VERSION

PRACTICES_PER_CELL = range(2, 5)  # 2 to 4


@pytest.fixture(scope="module")
def spec() -> ModelSpec:
    return parse(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))


def cells_above_the_floor(spec: ModelSpec) -> list[tuple[str, int, int]]:
    """(category slug, level, practices) for every category and level above the floor."""
    floor = min(level.value for level in spec.levels)
    found = []
    for category in spec.categories:
        by_level = {cell.level: cell for cell in category.cells}
        for level in spec.levels:
            if level.value != floor:
                cell = by_level.get(level.value)
                found.append((category.slug, level.value, len(cell.practices) if cell else 0))
    return found


def test_the_default_is_version_2_with_six_categories_and_five_levels(spec: ModelSpec) -> None:
    assert (spec.slug, spec.version, DEFAULT_VERSION) == ("continuous-delivery", "2", "2")
    assert [level.value for level in spec.levels] == [-1, 0, 1, 2, 3]
    assert len(spec.categories) == 6


def test_every_cell_above_the_floor_asks_two_to_four_practices(spec: ModelSpec) -> None:
    cells = cells_above_the_floor(spec)
    assert len(cells) == 6 * 4
    wrong = [(slug, level, n) for slug, level, n in cells if n not in PRACTICES_PER_CELL]
    assert wrong == [], "cells with an empty, too small or too large set of practices"


def test_every_practice_says_what_counts_and_no_two_read_the_same(spec: ModelSpec) -> None:
    practices = [
        p for category in spec.categories for cell in category.cells for p in cell.practices
    ]
    assert [p.key for p in practices if not p.help.strip()] == [], "practices without help"
    texts = Counter(p.text.strip().casefold() for p in practices)
    assert [text for text, n in texts.items() if n > 1] == [], "practices asked twice"
    keys = [p.key for p in practices]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    "key",
    [
        "build.0.artifacts-stored",
        "configuration.0.secret-scanning",
        "configuration.1.dependencies-scanned",
        "release.1.signed-provenance",
        "environments.2.progressive-rollout",
        "environments.3.drift-detected",
        "release.2.recovery-time-measured",
        "release.2.slo-alerts",
    ],
)
def test_what_a_2026_team_expects_is_asked_at_its_level(spec: ModelSpec, key: str) -> None:
    category, level, _ = key.split(".")
    [cell] = [
        cell
        for each in spec.categories
        if each.slug == category
        for cell in each.cells
        if cell.level == int(level)
    ]
    assert key in {practice.key for practice in cell.practices}


@pytest.mark.parametrize(
    "retired",
    [
        "testing.0.regression-test-per-bug",  # stricter at level 0 than at level 3
        "testing.3.rare-rollbacks",  # a count per year, not a rate
        "release.2.cycle-time-measured",  # called lead time what the book calls cycle time
        "data.3.zero-downtime",  # not in the source's level-3 cell
        "build.3.fix-with-automation",  # no help, not answerable yes/partly/no
        "testing.1.unit-tests-automated",  # vague, overlapped build.1.build-every-commit
        "environments.0.config-versioned",  # version control asked three times
    ],
)
def test_what_held_teams_back_wrongly_in_version_1_is_gone(spec: ModelSpec, retired: str) -> None:
    keys = {
        p.key for category in spec.categories for cell in category.cells for p in cell.practices
    }
    assert retired not in keys
