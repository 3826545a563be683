"""The model file format: the bundled model, every validation error, the round trip."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.modelfile import (
    CategorySpec,
    CellSpec,
    LevelSpec,
    ModelFileError,
    ModelSpec,
    PracticeSpec,
    dump,
    parse,
)

from .conftest import DEFAULT_MODEL_FILE

CATEGORY_SLUGS = ["build", "environments", "release", "testing", "data", "configuration"]

VALID = """\
slug: tiny
version: "1"
name: Tiny model
levels:
  - {value: -1, name: Low}
  - {value: 0, name: High}
categories:
  - slug: build
    name: Build
    cells:
      - level: -1
        summary: By hand.
      - level: 0
        summary: Scripted.
        advice: Write a script.
        practices:
          - {key: build.0.script, text: A script builds it.}
"""


def refused(text: str) -> list[str]:
    with pytest.raises(ModelFileError) as caught:
        parse(text)
    return caught.value.errors


def test_bundled_model_has_the_full_grid() -> None:
    spec = parse(DEFAULT_MODEL_FILE.read_text())
    assert [level.value for level in spec.levels] == [-1, 0, 1, 2, 3]
    assert [level.name for level in spec.levels] == [
        "Regressive",
        "Repeatable",
        "Consistent",
        "Quantitatively managed",
        "Optimizing",
    ]
    assert [category.slug for category in spec.categories] == CATEGORY_SLUGS
    assert sum(len(category.cells) for category in spec.categories) == 30
    assert spec.practice_count() >= 48
    assert "Humble" in spec.description and "Farley" in spec.description


def test_bundled_model_has_two_to_four_practices_above_the_floor_and_none_at_it() -> None:
    spec = parse(DEFAULT_MODEL_FILE.read_text())
    for category in spec.categories:
        for cell in category.cells:
            count = len(cell.practices)
            if cell.level == spec.floor:
                assert count == 0, (category.slug, cell.level)
            else:
                assert 2 <= count <= 4, (category.slug, cell.level)
                assert cell.advice, (category.slug, cell.level)
                for practice in cell.practices:
                    assert practice.key.startswith(f"{category.slug}.{cell.level}."), practice.key


def test_valid_minimal_file_parses() -> None:
    spec = parse(VALID)
    assert spec.slug == "tiny"
    assert spec.categories[0].cells[1].practices == (
        PracticeSpec("build.0.script", "A script builds it."),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "the file is empty", id="empty"),
        pytest.param("- a list\n", "line 1: model: expected a mapping", id="not-a-mapping"),
        pytest.param(
            VALID.replace("name: Tiny model", "name: [unclosed"),
            "line 4, column 7: not valid YAML",
            id="bad-yaml",
        ),
        pytest.param(
            VALID.replace('version: "1"\n', ""),
            "model: missing required field 'version'",
            id="missing-field",
        ),
        pytest.param(
            VALID.replace('version: "1"', "version: 1"),
            "line 2: model.version: expected text, got 1 (put it in quotes",
            id="version-not-text",
        ),
        pytest.param(
            VALID.replace("- level: 0", "- level: two"),
            "line 13: categories[0].cells[1].level: expected a whole number, got 'two'",
            id="level-not-a-number",
        ),
        pytest.param(
            VALID.replace("{value: 0, name: High}", "{value: 300, name: High}"),
            "line 6: levels[1].value: 300 is outside -100..100",
            id="level-value-out-of-range",
        ),
        pytest.param(
            VALID.replace('version: "1"', f'version: "{"9" * 21}"'),
            "line 2: model.version: is 21 characters long; at most 20",
            id="version-too-long",
        ),
        pytest.param(
            VALID.replace("- level: 0", "- level: 2"),
            "categories[0].cells[1].level: level 2 is not one of the model's levels (-1, 0)",
            id="level-outside-model",
        ),
        pytest.param(
            VALID.replace(
                "        summary: Scripted.", "        category: deploy\n        summary: Scripted."
            ),
            "line 14: categories[0].cells[1]: unknown field 'category'",
            id="unknown-category-in-cell",
        ),
        pytest.param(
            VALID.replace("    name: Build\n", "    name: Build\n    name: Again\n"),
            "line 10: categories[0]: field 'name' appears twice",
            id="duplicate-field",
        ),
        pytest.param(
            VALID + "          - {key: build.0.script, text: Again.}\n",
            "line 18: categories[0].cells[1].practices[1].key: "
            "duplicate key 'build.0.script' (first at line 17)",
            id="duplicate-practice-key",
        ),
        pytest.param(
            VALID.replace("key: build.0.script", "key: Build Script"),
            "categories[0].cells[1].practices[0].key: 'Build Script' is not valid",
            id="bad-practice-key",
        ),
        pytest.param(
            VALID.replace(
                "        summary: By hand.",
                "        summary: By hand.\n        practices: [{key: a.b, text: c}]",
            ),
            "categories[0].cells[0].practices: level -1 is the floor: it holds no practices",
            id="practice-at-floor",
        ),
        pytest.param(
            VALID.replace("        advice: Write a script.\n", ""),
            "categories[0].cells[1].advice: advice (the next step to reach this level) is required",
            id="advice-missing",
        ),
        pytest.param(
            VALID.replace("      - level: -1\n        summary: By hand.\n", ""),
            "categories[0].cells: no cell for level(s) -1",
            id="cell-missing",
        ),
        pytest.param(
            VALID.replace("  - {value: 0, name: High}", "  - {value: -1, name: High}"),
            "levels[1].value: level -1 appears twice",
            id="duplicate-level",
        ),
        pytest.param(
            VALID.replace("text: A script builds it.", "text: '  '"),
            "categories[0].cells[1].practices[0].text: must not be empty",
            id="empty-text",
        ),
        pytest.param(
            VALID.replace(
                "{key: build.0.script, text: A script builds it.}",
                "{key: build.0.script, text: x, active: maybe}",
            ),
            "practices[0].active: expected true or false, got 'maybe'",
            id="active-not-bool",
        ),
        pytest.param(
            VALID + "  - slug: build\n    name: Twice\n    cells: []\n",
            "categories[1].slug: category 'build' appears twice (first at line 8)",
            id="duplicate-category",
        ),
    ],
)
def test_malformed_file_is_refused_with_a_message_naming_the_place(
    text: str, expected: str
) -> None:
    errors = refused(text)
    assert any(expected in error for error in errors), errors


def test_every_problem_is_reported_at_once() -> None:
    text = VALID.replace('version: "1"', "version: 1").replace("- level: 0", "- level: 9")
    errors = refused(text)
    assert len(errors) >= 2
    assert any("model.version" in error for error in errors)
    assert any("level 9" in error for error in errors)


def test_bundled_model_round_trips_through_dump() -> None:
    spec = parse(DEFAULT_MODEL_FILE.read_text())
    assert parse(dump(spec)) == spec


def test_dump_leaves_out_fields_at_their_defaults() -> None:
    text = dump(parse(VALID))
    assert "help:" not in text and "active:" not in text
    retired = dump(parse(VALID.replace("text: A script builds it.", "text: x, active: false")))
    assert "active: false" in retired


# Texts as an admin might type them: any printable characters, inner line breaks.
texts = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"), blacklist_characters="\ufeff"
        )
        | st.just("\n"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
slugs = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=12)


@st.composite
def model_specs(draw: st.DrawFn) -> ModelSpec:
    values = sorted(draw(st.sets(st.integers(-5, 8), min_size=2, max_size=5)))
    levels = tuple(LevelSpec(value, draw(texts), draw(texts | st.just(""))) for value in values)
    category_slugs = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    counter = iter(range(1000))
    categories = []
    for slug in category_slugs:
        cells = []
        for value in values:
            practices: tuple[PracticeSpec, ...] = ()
            if value != values[0]:
                practices = tuple(
                    PracticeSpec(
                        f"p{next(counter)}.{slug}",
                        draw(texts),
                        draw(texts | st.just("")),
                        draw(st.booleans()),
                    )
                    for _ in range(draw(st.integers(0, 3)))
                )
            advice = "" if value == values[0] else draw(texts)
            cells.append(CellSpec(value, draw(texts), advice, practices))
        categories.append(
            CategorySpec(
                slug, draw(texts), draw(texts | st.just("")), draw(st.booleans()), tuple(cells)
            )
        )
    version = draw(texts.filter(lambda text: len(text) <= 20))
    return ModelSpec(
        draw(slugs), version, draw(texts), draw(texts | st.just("")), levels, tuple(categories)
    )


@settings(max_examples=150, deadline=None)
@given(model_specs())
def test_any_valid_spec_round_trips_through_dump(spec: ModelSpec) -> None:
    assert parse(dump(spec)) == spec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            VALID.replace('version: "1"', "version: !!python/object:os.system x"),
            "line 2: model.version: cannot read 'x': could not determine a constructor",
            id="unknown-tag",
        ),
        pytest.param(
            VALID.replace('version: "1"', "version: !custom 1"),
            "line 2: model.version: cannot read '1': could not determine a constructor",
            id="local-tag",
        ),
        pytest.param(
            VALID.replace("{value: 0, name: High}", "{value: " + "9" * 5000 + ", name: High}"),
            "line 6: levels[1].value: cannot read '9999",
            id="number-too-long",
        ),
        pytest.param(
            VALID.replace('version: "1"', "version: 2026-13-45"),
            "line 2: model.version: cannot read '2026-13-45': month must be in 1..12",
            id="impossible-date",
        ),
    ],
)
def test_a_value_that_cannot_be_read_is_an_error_not_a_crash(text: str, expected: str) -> None:
    errors = refused(text)
    assert any(expected in error for error in errors), errors
    assert not any("must not be empty" in error for error in errors), errors
