"""A model's checks (claim versus outcome): when one fires, how the model file states
them, and how they load, export, clone and are read by other apps."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.checks import (
    METRICS,
    ORDINAL_METRICS,
    PERCENT_METRICS,
    CheckRule,
    Metric,
    checks_of,
    fires,
    is_ordinal,
    threshold_problem,
    value_range,
)
from maturity.loader import clone_model, export_spec, load_spec
from maturity.management.commands.load_model import BUNDLED_MODEL_FILES
from maturity.modelfile import CheckSpec, ModelFileError, ModelSpec, dump, parse
from maturity.models import Category, Check, Level, MaturityModel

from .conftest import DEFAULT_MODEL_FILE, run_command
from .test_modelfile import VALID, model_specs

# ---------------------------------------------------------------------------------------
# fires: exactly DESIGN.md's rule, at its boundaries


def rule(metric: str, level_at_least: int, worse_than: float) -> CheckRule:
    return CheckRule("k", "build", metric, level_at_least, worse_than, "Why?")


@pytest.mark.parametrize(
    ("metric", "level_at_least", "worse_than", "level", "value", "expected"),
    [
        # ordinal: fires when the value is below the threshold
        ("deployment_frequency", 2, 4, 2, 3, True),
        ("deployment_frequency", 2, 4, 2, 4, False),  # equal is not worse
        ("deployment_frequency", 2, 4, 2, 5, False),
        ("deployment_frequency", 2, 4, 2, 1, True),
        ("deployment_frequency", 2, 4, 1, 1, False),  # level below the claim
        ("deployment_frequency", 2, 4, 3, 3, True),  # any level above it
        ("lead_time", 2, 3, 2, 2, True),
        ("lead_time", 2, 3, 2, 3, False),
        ("recovery_time", -1, 4, -1, 3, True),  # the floor can be the claim
        ("recovery_time", 0, 6, 0, 5, True),
        ("recovery_time", 0, 1, 0, 1, False),  # nothing is below option 1
        # percentages: fires when the value is above the threshold
        ("change_fail_rate", 2, 30, 2, 31, True),
        ("change_fail_rate", 2, 30, 2, 30, False),  # equal is not worse
        ("change_fail_rate", 2, 30, 2, 30.5, True),
        ("change_fail_rate", 2, 30, 2, 29.9, False),
        ("change_fail_rate", 2, 30, 1, 90, False),
        ("rework_rate", 3, 20, 3, 20.01, True),
        ("rework_rate", 3, 0, 3, 0, False),
        ("rework_rate", 3, 0, 3, 1, True),
        ("rework_rate", 3, 100, 3, 100, False),  # nothing is above 100%
        # a category not scored, or a metric not given: never fires
        ("lead_time", 2, 4, None, 1, False),
        ("lead_time", 2, 4, 3, None, False),
        ("change_fail_rate", -1, 0, None, None, False),
        ("change_fail_rate", 0, 10, 0, 0, False),  # 0 is a value, not missing
    ],
)
def test_fires_when_the_level_claims_enough_and_the_metric_is_worse(
    metric: str,
    level_at_least: int,
    worse_than: float,
    level: int | None,
    value: float | None,
    expected: bool,
) -> None:
    assert fires(rule(metric, level_at_least, worse_than), level, value) is expected


def test_the_metrics_are_named_once_with_their_kind() -> None:
    assert METRICS == (
        "lead_time",
        "deployment_frequency",
        "recovery_time",
        "change_fail_rate",
        "rework_rate",
    )
    assert set(METRICS) == ORDINAL_METRICS | PERCENT_METRICS
    assert not ORDINAL_METRICS & PERCENT_METRICS
    assert [is_ordinal(metric) for metric in METRICS] == [True, True, True, False, False]
    assert value_range(Metric.LEAD_TIME) == (1, 6)
    assert value_range("rework_rate") == (0, 100)
    with pytest.raises(ValueError, match="unknown metric"):
        is_ordinal("happiness")


@pytest.mark.parametrize(
    ("metric", "worse_than", "problem"),
    [
        ("lead_time", 1, None),
        ("lead_time", 6, None),
        ("lead_time", 4.0, None),
        ("lead_time", 0, "0 is outside 1..6"),
        ("lead_time", 7, "7 is outside 1..6"),
        ("lead_time", 3.5, "use a whole number"),
        ("lead_time", float("inf"), "use a whole number"),
        ("change_fail_rate", 0, None),
        ("change_fail_rate", 100, None),
        ("change_fail_rate", 12.5, None),
        ("change_fail_rate", -0.1, "-0.1 is outside 0..100"),
        ("change_fail_rate", 100.5, "100.5 is outside 0..100"),
        ("rework_rate", float("nan"), "outside 0..100"),
        ("uptime", 3, "unknown metric 'uptime'"),
    ],
)
def test_threshold_ranges(metric: str, worse_than: float, problem: str | None) -> None:
    found = threshold_problem(metric, worse_than)
    assert found is None if problem is None else problem in (found or ""), found


# ---------------------------------------------------------------------------------------
# The model file

CHECKS = """\
checks:
  - key: rarely
    category: build
    level_at_least: 0
    metric: deployment_frequency
    worse_than: 4
    message: Scripted builds, yet rare deployments?
  - key: failing
    category: build
    level_at_least: -1
    metric: change_fail_rate
    worse_than: 12.5
    message: >-
      Why do so many
      deployments fail?
"""
WITH_CHECKS = VALID + CHECKS


def refused(text: str) -> list[str]:
    with pytest.raises(ModelFileError) as caught:
        parse(text)
    return caught.value.errors


def test_checks_parse_in_order() -> None:
    rarely = "Scripted builds, yet rare deployments?"
    failing = "Why do so many deployments fail?"
    assert parse(WITH_CHECKS).checks == (
        CheckSpec("rarely", "build", 0, "deployment_frequency", 4, rarely),
        CheckSpec("failing", "build", -1, "change_fail_rate", 12.5, failing),
    )


def test_a_file_without_checks_has_none_and_dumps_without_the_section() -> None:
    spec = parse(VALID)
    assert spec.checks == ()
    assert "checks" not in dump(spec)
    assert parse(VALID + "checks: []\n").checks == ()


def test_checks_round_trip_through_dump_writing_options_as_whole_numbers() -> None:
    spec = parse(WITH_CHECKS)
    text = dump(spec)
    assert parse(text) == spec
    assert "worse_than: 4\n" in text and "worse_than: 12.5\n" in text
    assert text.index("categories:") < text.index("checks:")


def check_field(name: str, value: str, index: int = 0) -> str:
    """WITH_CHECKS with one field of a check set to `value` (the file's own text)."""
    lines = WITH_CHECKS.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("  - key:")]
    start = starts[index]
    for i in range(start, len(lines)):
        if lines[i].lstrip("- ").startswith(f"{name}:"):
            prefix = lines[i][: lines[i].index(f"{name}:")]
            lines[i] = f"{prefix}{name}: {value}\n"
            return "".join(lines)
    raise AssertionError(name)


CHECK_LINE = WITH_CHECKS.splitlines().index("  - key: rarely") + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            VALID + "checks: {key: x}\n",
            f"line {CHECK_LINE - 1}: checks: expected a list",
            id="not-a-list",
        ),
        pytest.param(
            VALID + "checks:\n  - just text\n", "checks[0]: expected a mapping", id="not-a-mapping"
        ),
        pytest.param(
            WITH_CHECKS.replace("    worse_than: 4\n", "    worse_than: 4\n    severity: high\n"),
            f"line {CHECK_LINE + 5}: checks[0]: unknown field 'severity' (allowed: key, category, "
            "level_at_least, metric, worse_than, message)",
            id="unknown-field",
        ),
        pytest.param(
            WITH_CHECKS.replace("    worse_than: 4\n", ""),
            f"line {CHECK_LINE}: checks[0]: missing required field 'worse_than'",
            id="missing-field",
        ),
        pytest.param(
            check_field("category", "deploy"),
            f"line {CHECK_LINE + 1}: checks[0].category: unknown category 'deploy' "
            "(the model's: build)",
            id="unknown-category",
        ),
        pytest.param(
            check_field("metric", "uptime"),
            f"line {CHECK_LINE + 3}: checks[0].metric: unknown metric 'uptime' (one of: lead_time, "
            "deployment_frequency, recovery_time, change_fail_rate, rework_rate)",
            id="unknown-metric",
        ),
        pytest.param(
            check_field("level_at_least", "2"),
            f"line {CHECK_LINE + 2}: checks[0].level_at_least: level 2 is not one of the "
            "model's levels (-1, 0)",
            id="level-not-in-levels",
        ),
        pytest.param(
            check_field("level_at_least", "high"),
            "checks[0].level_at_least: expected a whole number, got 'high'",
            id="level-not-a-number",
        ),
        pytest.param(
            check_field("worse_than", "7"),
            f"line {CHECK_LINE + 4}: checks[0].worse_than: 7 is outside 1..6, the answer options "
            "of deployment_frequency",
            id="ordinal-above-6",
        ),
        pytest.param(
            check_field("worse_than", "0"),
            "checks[0].worse_than: 0 is outside 1..6",
            id="ordinal-below-1",
        ),
        pytest.param(
            check_field("worse_than", "3.5"),
            "checks[0].worse_than: deployment_frequency is answered with an option 1..6: "
            "use a whole number",
            id="ordinal-fraction",
        ),
        pytest.param(
            check_field("worse_than", "101", index=1),
            "checks[1].worse_than: 101 is outside 0..100, the percentages of change_fail_rate",
            id="percent-above-100",
        ),
        pytest.param(
            check_field("worse_than", "-1", index=1),
            "checks[1].worse_than: -1 is outside 0..100",
            id="percent-negative",
        ),
        pytest.param(
            check_field("worse_than", "30%", index=1),
            "checks[1].worse_than: expected a number, got '30%'",
            id="percent-sign",
        ),
        pytest.param(
            check_field("worse_than", "weekly"),
            "checks[0].worse_than: expected a number, got 'weekly'",
            id="not-a-number",
        ),
        pytest.param(
            check_field("worse_than", "true"),
            "checks[0].worse_than: expected a number, got True",
            id="bool-is-not-a-number",
        ),
        pytest.param(
            check_field("worse_than", "[4]"),
            "checks[0].worse_than: expected a number, got a mapping or list",
            id="list-is-not-a-number",
        ),
        pytest.param(
            check_field("worse_than", ".nan", index=1),
            "checks[1].worse_than: expected a number, got nan",
            id="nan",
        ),
        pytest.param(
            check_field("worse_than", ".inf", index=1),
            "checks[1].worse_than: inf is outside 0..100",
            id="infinity",
        ),
        pytest.param(
            check_field("worse_than", "9" * 400, index=1),
            "checks[1].worse_than: cannot read",  # refused before it is read as a number
            id="huge-number",
        ),
        pytest.param(
            check_field("worse_than", "9" * 5000, index=1),
            "checks[1].worse_than: cannot read '99999",
            id="number-too-long-to-read",
        ),
        pytest.param(
            check_field("worse_than", "!!python/object:os.system 4"),
            "checks[0].worse_than: cannot read '4': could not determine a constructor",
            id="unknown-tag",
        ),
        pytest.param(
            check_field("key", "rarely", index=1),
            f"line {CHECK_LINE + 6}: checks[1].key: duplicate key 'rarely' (first at line "
            f"{CHECK_LINE})",
            id="duplicate-key",
        ),
        pytest.param(
            check_field("key", "not a slug"),
            "checks[0].key: 'not a slug' is not valid: use letters, digits, hyphens",
            id="bad-key",
        ),
        pytest.param(
            check_field("message", "'  '"),
            "checks[0].message: must not be empty",
            id="empty-message",
        ),
        pytest.param(
            check_field("message", "x" * 501),
            "checks[0].message: is 501 characters long; at most 500",
            id="message-too-long",
        ),
        pytest.param(
            check_field("category", "3"),
            "checks[0].category: expected text, got 3",
            id="category-not-text",
        ),
    ],
)
def test_a_malformed_check_is_refused_with_a_message_naming_the_place(
    text: str, expected: str
) -> None:
    errors = refused(text)
    assert any(expected in error for error in errors), errors


def test_every_problem_with_checks_is_reported_at_once() -> None:
    text = check_field("metric", "uptime").replace("worse_than: 12.5", "worse_than: 120")
    errors = refused(text)
    assert any("checks[0].metric" in error for error in errors), errors
    assert any("checks[1].worse_than: 120 is outside 0..100" in error for error in errors), errors


# Any valid model with any valid checks round-trips.
@st.composite
def specs_with_checks(draw: st.DrawFn) -> ModelSpec:
    spec = draw(model_specs())
    slugs = [category.slug for category in spec.categories]
    levels = [level.value for level in spec.levels]
    checks = []
    for i in range(draw(st.integers(0, 4))):
        metric = draw(st.sampled_from(METRICS))
        if is_ordinal(metric):
            worse_than = float(draw(st.integers(1, 6)))
        else:
            worse_than = draw(st.floats(0, 100, allow_nan=False) | st.integers(0, 100).map(float))
        message = draw(st.text(min_size=1, max_size=60).map(str.strip).filter(bool))
        if "\x00" in message or any(ord(c) < 32 and c not in "\n\t" for c in message):
            message = "Why?"
        checks.append(
            CheckSpec(
                f"check-{i}",
                draw(st.sampled_from(slugs)),
                draw(st.sampled_from(levels)),
                metric,
                worse_than,
                message,
            )
        )
    return replace(spec, checks=tuple(checks))


@settings(max_examples=100, deadline=None)
@given(specs_with_checks())
def test_any_valid_spec_with_checks_round_trips_through_dump(spec: ModelSpec) -> None:
    assert parse(dump(spec)) == spec


# ---------------------------------------------------------------------------------------
# The bundled model


def test_the_default_model_asks_questions_that_a_coach_would_ask() -> None:
    spec = parse(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))
    assert len(spec.checks) >= 5
    assert len({check.key for check in spec.checks}) == len(spec.checks)
    assert {check.metric for check in spec.checks} == set(METRICS)  # every metric is used
    names = {level.value: level.name for level in spec.levels}
    categories = {category.slug: category.name for category in spec.categories}
    for check in spec.checks:
        assert check.message.startswith(f"You rate {categories[check.category]} at "), check.key
        assert names[check.level_at_least] in check.message, check.key
        assert check.message.endswith("?"), check.key
        assert check.level_at_least >= 2, check.key  # a claim of measured processes or more


def test_the_first_version_of_the_default_model_has_no_checks() -> None:
    assert parse(BUNDLED_MODEL_FILES[0].read_text(encoding="utf-8")).checks == ()


# ---------------------------------------------------------------------------------------
# Loading, exporting, cloning, reading


def checks_in_db(model: MaturityModel) -> list[tuple[object, ...]]:
    return list(
        model.checks.order_by("order").values_list(
            "pk", "key", "category__slug", "level_at_least", "metric", "worse_than", "message"
        )
    )


def test_loading_the_default_model_creates_its_checks_in_order(cd_model: MaturityModel) -> None:
    spec = parse(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))
    rows = checks_in_db(cd_model)
    assert [row[1:] for row in rows] == [
        (c.key, c.category, c.level_at_least, c.metric, c.worse_than, c.message)
        for c in spec.checks
    ]
    assert list(cd_model.checks.values_list("order", flat=True)) == list(
        range(1, len(spec.checks) + 1)
    )
    assert all(check.category.model_id == cd_model.pk for check in cd_model.checks.all())


def test_checks_are_updated_in_place_by_key_and_those_left_out_are_deleted(
    cd_model: MaturityModel,
) -> None:
    spec = export_spec(cd_model)
    before = {row[1]: row[0] for row in checks_in_db(cd_model)}
    first, second, *rest = spec.checks
    edited = replace(
        spec,
        checks=(
            replace(second, worse_than=3, message="Reworded?"),
            *rest,
            CheckSpec("brand-new", "data", 1, "rework_rate", 15, "New?"),
        ),
    )
    report = load_spec(edited)
    # the second moved up and changed, the others moved up, one added, one removed
    assert (report.created, report.updated, report.retired) == (1, len(rest) + 1, 1)
    after = {row[1]: row for row in checks_in_db(cd_model)}
    assert first.key not in after
    assert after[second.key][0] == before[second.key]
    assert after[second.key][5:] == (3, "Reworded?")
    assert after["brand-new"][2:] == ("data", 1, "rework_rate", 15, "New?")
    assert export_spec(cd_model).checks == edited.checks
    assert load_spec(edited).changes == 0


def test_a_file_without_checks_deletes_the_models_checks(cd_model: MaturityModel) -> None:
    spec = export_spec(cd_model)
    report = load_spec(replace(spec, checks=()))
    assert report.retired == len(spec.checks)
    assert not cd_model.checks.exists()


def test_load_then_export_round_trips_the_checks(cd_model: MaturityModel, tmp_path: Path) -> None:
    exported = run_command("export_model", "continuous-delivery", "--version", cd_model.version)
    assert "checks:" in exported
    assert parse(exported) == parse(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))
    path = tmp_path / "model.yaml"
    path.write_text(exported, encoding="utf-8")
    assert "changed 0 rows" in run_command("load_model", str(path))


def test_a_refused_file_leaves_the_checks_untouched(
    cd_model: MaturityModel, tmp_path: Path
) -> None:
    before = checks_in_db(cd_model)
    text = dump(export_spec(cd_model)).replace("worse_than: 30", "worse_than: 300")
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=r"300 is outside 0\.\.100"):
        run_command("load_model", str(path))
    assert checks_in_db(cd_model) == before


def test_cloning_copies_the_checks_into_independent_rows(cd_model: MaturityModel) -> None:
    copy = clone_model(cd_model, "9")
    original, copied = checks_in_db(cd_model), checks_in_db(copy)
    assert [row[1:] for row in copied] == [row[1:] for row in original]
    assert not {row[0] for row in copied} & {row[0] for row in original}
    assert not Check.objects.filter(model=copy).exclude(category__model=copy).exists()


def test_checks_of_reads_the_rules_in_order_in_one_query(
    cd_model: MaturityModel, django_assert_num_queries: object
) -> None:
    spec = parse(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))
    with django_assert_num_queries(1):  # type: ignore[operator]
        rules = checks_of(cd_model.pk)
    assert rules == [
        CheckRule(c.key, c.category, c.metric, c.level_at_least, c.worse_than, c.message)
        for c in spec.checks
    ]
    with pytest.raises(AttributeError):
        rules[0].key = "changed"  # type: ignore[misc]
    assert checks_of(0) == []


def test_a_check_fires_on_a_real_rule_of_the_default_model(cd_model: MaturityModel) -> None:
    rules = {rule.key: rule for rule in checks_of(cd_model.pk)}
    rarely = rules["deploys-rarely"]
    assert (rarely.category, rarely.metric) == ("environments", "deployment_frequency")
    assert fires(rarely, 2, 3) and not fires(rarely, 2, 4) and not fires(rarely, 1, 1)


# ---------------------------------------------------------------------------------------
# The model's own validation, as the admin uses it


def valid_check(model: MaturityModel, **changes: object) -> Check:
    values: dict[str, object] = {
        "model": model,
        "key": "new-check",
        "category": model.categories.get(slug="testing"),
        "level_at_least": 2,
        "metric": "change_fail_rate",
        "worse_than": 25,
        "message": "Why?",
    }
    values.update(changes)
    return Check(**values)


def test_a_valid_check_passes_full_clean(cd_model: MaturityModel) -> None:
    valid_check(cd_model).full_clean()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"level_at_least": 5}, "level_at_least", "Level 5 is not one of the model's levels"),
        ({"worse_than": 101}, "worse_than", "101 is outside 0..100"),
        ({"metric": "lead_time", "worse_than": 0}, "worse_than", "0 is outside 1..6"),
        ({"metric": "lead_time", "worse_than": 2.5}, "worse_than", "use a whole number"),
        ({"metric": "uptime"}, "metric", "not a valid choice"),
        ({"key": "not a slug"}, "key", "slug"),
        ({"message": "x" * 501}, "message", "at most 500"),
    ],
)
def test_full_clean_refuses_what_the_file_refuses(
    cd_model: MaturityModel, changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        valid_check(cd_model, **changes).full_clean()
    assert message in " ".join(caught.value.message_dict[field])


def test_full_clean_refuses_a_category_of_another_model(cd_model: MaturityModel) -> None:
    other = MaturityModel.objects.create(name="Other", slug="other", version="1")
    Level.objects.create(model=other, value=2, name="Two")
    foreign = Category.objects.create(model=other, slug="testing", name="Elsewhere")
    with pytest.raises(ValidationError) as caught:
        valid_check(cd_model, category=foreign).full_clean()
    assert "category" in caught.value.message_dict


def test_full_clean_refuses_a_key_taken_in_the_model(cd_model: MaturityModel) -> None:
    with pytest.raises(ValidationError, match="already exists"):
        valid_check(cd_model, key="deploys-rarely").full_clean()
