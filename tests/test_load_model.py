"""load_model and export_model against the database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.db.models import F

from maturity.loader import export_spec
from maturity.management.commands.load_model import BUNDLED_MODEL_FILES
from maturity.modelfile import CellSpec, ModelSpec, dump, parse
from maturity.models import Category, Cell, Level, MaturityModel, Practice

from .conftest import DEFAULT_MODEL_FILE, DEFAULT_VERSION, run_command

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int, int]:
    return (
        MaturityModel.objects.count(),
        Level.objects.count(),
        Category.objects.count(),
        Cell.objects.count(),
        Practice.objects.count(),
    )


def write(tmp_path: Path, text: str, name: str = "model.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_load_on_empty_database_creates_every_version_of_the_default_model(
    no_model: None,
) -> None:
    """Every bundled version, so an installation keeps the history of its teams; the
    newest, loaded last, is the one new assessments start on."""
    output = run_command("load_model")
    versions = len(BUNDLED_MODEL_FILES)
    models, levels, categories, cells, practices = counts()
    assert versions >= 2 and (models, levels, categories, cells) == (
        versions, 5 * versions, 6 * versions, 30 * versions
    )  # fmt: skip
    assert practices >= 48 * versions
    assert output.count("created") == versions
    model = MaturityModel.objects.order_by("pk").last()
    assert model is not None
    assert (model.slug, model.version, model.is_active) == (
        "continuous-delivery", DEFAULT_VERSION, True
    )  # fmt: skip
    assert list(model.categories.values_list("slug", flat=True)) == [
        "build",
        "environments",
        "release",
        "testing",
        "data",
        "configuration",
    ]
    assert model.floor_value() == -1


def test_every_practice_belongs_to_the_model_of_its_cell(cd_model: MaturityModel) -> None:
    assert Practice.objects.filter(model=cd_model).count() >= 48
    assert not Practice.objects.exclude(model=F("cell__category__model")).exists()
    assert not Practice.objects.filter(cell__level__value=-1).exists()


def test_second_load_changes_nothing(cd_model: MaturityModel) -> None:
    before = list(Practice.objects.values_list("pk", "key", "text", "order", "cell_id"))
    assert "changed 0 rows" in run_command("load_model", str(DEFAULT_MODEL_FILE))
    assert list(Practice.objects.values_list("pk", "key", "text", "order", "cell_id")) == before


def with_practice_text(spec: ModelSpec, key: str, text: str) -> ModelSpec:
    """A copy of `spec` in which the practice `key` reads `text`."""

    def cell_with(cell: CellSpec) -> CellSpec:
        practices = tuple(replace(p, text=text) if p.key == key else p for p in cell.practices)
        return replace(cell, practices=practices)

    categories = tuple(
        replace(category, cells=tuple(cell_with(cell) for cell in category.cells))
        for category in spec.categories
    )
    return replace(spec, categories=categories)


def test_texts_are_updated_in_place_matched_by_key(cd_model: MaturityModel, tmp_path: Path) -> None:
    practice = Practice.objects.get(key="build.0.versioned-scripts")
    spec = parse(DEFAULT_MODEL_FILE.read_text())
    edited = with_practice_text(spec, practice.key, "Our build script is in version control.")
    output = run_command("load_model", write(tmp_path, dump(edited)))
    assert "changed 1 rows (0 created, 1 updated, 0 retired)" in output
    practice_after = Practice.objects.get(key="build.0.versioned-scripts")
    assert practice_after.pk == practice.pk
    assert practice_after.text == "Our build script is in version control."


def test_practices_left_out_of_the_file_are_retired_not_deleted(
    cd_model: MaturityModel, tmp_path: Path
) -> None:
    spec = export_spec(cd_model)
    build = spec.categories[0]
    cell = build.cells[1]
    dropped = cell.practices[0].key
    smaller = dump(spec).replace(f"key: {dropped}", "key: build.0.brand-new", 1)
    output = run_command("load_model", write(tmp_path, smaller))
    assert "(1 created, 0 updated, 1 retired)" in output
    assert Practice.objects.get(key=dropped).is_active is False
    assert Practice.objects.get(key="build.0.brand-new").is_active is True


def test_export_then_load_round_trips_with_no_changes(
    cd_model: MaturityModel, tmp_path: Path
) -> None:
    exported = run_command("export_model", "continuous-delivery")
    assert "changed 0 rows" in run_command("load_model", write(tmp_path, exported))


def test_export_of_a_loaded_file_reproduces_its_content(cd_model: MaturityModel) -> None:
    exported = run_command("export_model", "continuous-delivery", "--version", DEFAULT_VERSION)
    assert parse(exported) == parse(DEFAULT_MODEL_FILE.read_text())


def test_export_writes_to_a_file(cd_model: MaturityModel, tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    run_command("export_model", "continuous-delivery", "--output", str(target))
    assert parse(target.read_text()) == export_spec(cd_model)


def test_export_of_an_unknown_model_names_the_known_ones(cd_model: MaturityModel) -> None:
    with pytest.raises(
        CommandError,
        match=rf"No model 'nope'\. Known: continuous-delivery --version {DEFAULT_VERSION}",
    ):
        run_command("export_model", "nope")


def test_export_asks_for_a_version_when_several_are_active(
    cd_model: MaturityModel, tmp_path: Path
) -> None:
    second = DEFAULT_MODEL_FILE.read_text().replace(f'version: "{DEFAULT_VERSION}"', 'version: "9"')
    run_command("load_model", write(tmp_path, second))
    with pytest.raises(
        CommandError, match=rf"several versions \({DEFAULT_VERSION}, 9\); choose one with --version"
    ):
        run_command("export_model", "continuous-delivery")
    assert "version: '9'" in run_command("export_model", "continuous-delivery", "--version", "9")


def test_malformed_file_is_refused_and_nothing_is_written(no_model: None, tmp_path: Path) -> None:
    broken = DEFAULT_MODEL_FILE.read_text().replace("- level: 2", "- level: 7", 1)
    with pytest.raises(CommandError) as caught:
        run_command("load_model", write(tmp_path, broken))
    assert "was refused, nothing was written" in str(caught.value)
    assert "level 7 is not one of the model's levels" in str(caught.value)
    assert counts() == (0, 0, 0, 0, 0)


def test_refused_file_leaves_an_existing_model_untouched(
    cd_model: MaturityModel, tmp_path: Path
) -> None:
    before = list(Practice.objects.values_list("key", "text"))
    # Valid YAML that changes texts but drops a level: refused as a whole, so no text changes.
    spec = parse(DEFAULT_MODEL_FILE.read_text())
    edited = with_practice_text(spec, "build.0.versioned-scripts", "Changed.")
    edited = replace(edited, description="Written before the level check fails.")
    without_top = (
        dump(edited)
        .replace("value: 3\n", "value: 30\n")
        .replace("level: 3\n", "level: 30\n")
        .replace("level_at_least: 3\n", "level_at_least: 30\n")
    )
    with pytest.raises(CommandError, match="leaves out level"):
        run_command("load_model", write(tmp_path, without_top))
    assert list(Practice.objects.values_list("key", "text")) == before
    assert MaturityModel.objects.get().description == spec.description
    assert not Level.objects.filter(value=30).exists()


def test_dry_run_reports_and_writes_nothing(no_model: None) -> None:
    output = run_command("load_model", "--dry-run")
    assert "would change" in output
    assert counts() == (0, 0, 0, 0, 0)


def test_unreadable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        run_command("load_model", str(tmp_path / "missing.yaml"))
