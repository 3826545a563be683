"""Write a validated `ModelSpec` into the database, and read one back out.

Loading matches rows by identity (model by slug and version, levels by value,
categories by slug, cells by category and level, practices and checks by key) and
updates their texts in place, so answers keep pointing at the same practices.
Categories and practices that the file no longer lists are retired, never deleted;
checks it no longer lists are deleted, since nothing answers them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models, transaction

from .modelfile import (
    CategorySpec,
    CellSpec,
    CheckSpec,
    LevelSpec,
    ModelFileError,
    ModelSpec,
    PracticeSpec,
)
from .models import Category, Cell, Check, Level, MaturityModel, Practice


class Action(models.TextChoices):
    ADDED = "added", "Added"
    CHANGED = "changed", "Changed"
    RETIRED = "retired", "Retired"
    REMOVED = "removed", "Removed"


@dataclass(frozen=True)
class RowChange:
    """One row that a load adds, changes, retires or removes; `fields` are those changed."""

    action: Action
    model: type[models.Model]
    label: str
    fields: tuple[str, ...] = ()
    before: tuple[str, ...] = ()  # the changed fields' values as they were, for the digest

    def __str__(self) -> str:
        row = f"{self.model._meta.verbose_name} {self.label}"
        return f"{row}: {', '.join(self.fields)}" if self.fields else row

    @property
    def permission(self) -> str:
        """The permission that making this change needs."""
        verb = {Action.ADDED: "add", Action.REMOVED: "delete"}.get(self.action, "change")
        return f"{self.model._meta.app_label}.{verb}_{self.model._meta.model_name}"


@dataclass
class LoadReport:
    """What a load changed, row by row. `retired` counts categories and practices
    retired and checks removed: what the file no longer lists."""

    model: MaturityModel
    rows: list[RowChange] = field(default_factory=list)

    @property
    def created(self) -> int:
        return self._count(Action.ADDED)

    @property
    def updated(self) -> int:
        return self._count(Action.CHANGED)

    @property
    def retired(self) -> int:
        return self._count(Action.RETIRED, Action.REMOVED)

    @property
    def changes(self) -> int:
        return len(self.rows)

    def _count(self, *actions: Action) -> int:
        return sum(row.action in actions for row in self.rows)

    def by_action(self) -> dict[str, list[RowChange]]:
        """The changed rows under their action's label, in the order of the actions."""
        return {
            action.label: rows
            for action in Action
            if (rows := [row for row in self.rows if row.action == action])
        }

    def permissions(self) -> set[str]:
        """The permissions that making these changes needs."""
        return {row.permission for row in self.rows}

    def digest(self) -> str:
        """A fingerprint of the changes, to tell whether a preview still holds."""
        lines = "\n".join(f"{row.action} {row} {row.before!r}" for row in self.rows)
        return hashlib.sha256(lines.encode()).hexdigest()

    def apply(self, obj: models.Model, **values: Any) -> None:
        """Save `obj` with `values` when it is new or a value differs, and note it."""
        if obj.pk is None:
            for name, value in values.items():
                setattr(obj, name, value)
            obj.save()
            self._note(Action.ADDED, obj)
            return
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            before = tuple(str(getattr(obj, name)) for name in changed)
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
            fields = tuple(name.removesuffix("_id") for name in changed)
            self.rows.append(RowChange(Action.CHANGED, type(obj), str(obj), fields, before))

    def retire(self, obj: Category | Practice) -> None:
        if obj.is_active:
            obj.is_active = False
            obj.save(update_fields=["is_active"])
            self._note(Action.RETIRED, obj)

    def remove(self, obj: Check) -> None:
        obj.delete()
        self._note(Action.REMOVED, obj)

    def _note(self, action: Action, obj: models.Model, *fields: str) -> None:
        self.rows.append(RowChange(action, type(obj), str(obj), fields))


@transaction.atomic
def load_spec(spec: ModelSpec) -> LoadReport:
    """Create or update the model that `spec` describes, all or nothing."""
    model = (
        MaturityModel.objects.select_for_update()
        .filter(slug=spec.slug, version=spec.version)
        .first()
    )
    report = LoadReport(model or MaturityModel(slug=spec.slug, version=spec.version))
    report.apply(report.model, name=spec.name, description=spec.description)
    levels = _load_levels(report, spec.levels)
    categories = {category.slug: category for category in report.model.categories.all()}
    cells = {
        (cell.category_id, cell.level_id): cell
        for cell in Cell.objects.filter(category__model=report.model).select_related(
            "category", "level"
        )
    }
    practices = {
        practice.key: practice
        for practice in report.model.practices.select_related("cell__category")
    }
    loaded: dict[str, Category] = {}
    for order, category_spec in enumerate(spec.categories, start=1):
        category = categories.pop(category_spec.slug, None) or Category(model=report.model)
        _load_category(report, category, category_spec, order)
        loaded[category.slug] = category
        for cell_spec in category_spec.cells:
            level = levels[cell_spec.level]
            cell = cells.get((category.pk, level.pk)) or Cell(category=category, level=level)
            _load_cell(report, cell, cell_spec, practices)
    for category in categories.values():
        report.retire(category)
    for practice in practices.values():
        report.retire(practice)
    _load_checks(report, spec.checks, loaded)
    return report


def _load_levels(report: LoadReport, specs: tuple[LevelSpec, ...]) -> dict[int, Level]:
    existing = {level.value: level for level in report.model.levels.all()}
    dropped = sorted(set(existing) - {spec.value for spec in specs})
    if dropped:
        raise ModelFileError(
            [
                f"levels: the file leaves out level(s) {', '.join(map(str, dropped))} of "
                f"{report.model}; levels cannot be removed, load the file as a new version"
            ]
        )
    for spec in specs:
        level = existing.setdefault(spec.value, Level(model=report.model, value=spec.value))
        report.apply(level, name=spec.name, description=spec.description)
    return existing


def _load_category(report: LoadReport, category: Category, spec: CategorySpec, order: int) -> None:
    report.apply(
        category,
        slug=spec.slug,
        name=spec.name,
        description=spec.description,
        order=order,
        is_active=spec.active,
    )


def _load_cell(
    report: LoadReport, cell: Cell, spec: CellSpec, practices: dict[str, Practice]
) -> None:
    report.apply(cell, summary=spec.summary, advice=spec.advice)
    for order, practice_spec in enumerate(spec.practices, start=1):
        practice = practices.pop(practice_spec.key, None) or Practice(key=practice_spec.key)
        report.apply(
            practice,
            cell=cell,  # a practice may move to another cell; its key stays
            text=practice_spec.text,
            help=practice_spec.help,
            order=order,
            is_active=practice_spec.active,
        )


def _load_checks(
    report: LoadReport, specs: tuple[CheckSpec, ...], categories: dict[str, Category]
) -> None:
    """Checks by key: created or updated in the file's order; those left out removed."""
    existing = {check.key: check for check in report.model.checks.all()}
    for order, spec in enumerate(specs, start=1):
        check = existing.pop(spec.key, None) or Check(model=report.model, key=spec.key)
        report.apply(
            check,
            category_id=categories[spec.category].pk,
            level_at_least=spec.level_at_least,
            metric=spec.metric,
            worse_than=spec.worse_than,
            message=spec.message,
            order=order,
        )
    for check in existing.values():
        report.remove(check)


def export_spec(model: MaturityModel) -> ModelSpec:
    """The model as a spec, retired rows included (five queries)."""
    levels = list(model.levels.all())
    value_of = {level.pk: level.value for level in levels}
    categories = model.categories.prefetch_related("cells__practices")
    return ModelSpec(
        slug=model.slug,
        version=model.version,
        name=model.name,
        description=model.description,
        levels=tuple(LevelSpec(lv.value, lv.name, lv.description) for lv in levels),
        categories=tuple(
            CategorySpec(
                slug=category.slug,
                name=category.name,
                description=category.description,
                active=category.is_active,
                cells=tuple(
                    CellSpec(
                        level=value_of[cell.level_id],
                        summary=cell.summary,
                        advice=cell.advice,
                        practices=tuple(
                            PracticeSpec(p.key, p.text, p.help, p.is_active)
                            for p in cell.practices.all()
                        ),
                    )
                    for cell in sorted(category.cells.all(), key=lambda c: value_of[c.level_id])
                ),
            )
            for category in categories
        ),
        checks=tuple(
            CheckSpec(
                key=check.key,
                category=check.category.slug,
                level_at_least=check.level_at_least,
                metric=check.metric,
                worse_than=check.worse_than,
                message=check.message,
            )
            for check in model.checks.select_related("category").order_by("order", "id")
        ),
    )


@transaction.atomic
def create_inactive(spec: ModelSpec) -> MaturityModel:
    """A new model, or a new version of one, from `spec`; inactive until an admin
    activates it. Refused when that slug and version exist already."""
    if MaturityModel.objects.filter(slug=spec.slug, version=spec.version).exists():
        raise ModelFileError(
            [f"{spec.slug} version {spec.version} exists already: give the file a new version"]
        )
    model = load_spec(spec).model
    model.is_active = False
    model.save(update_fields=["is_active"])
    return model


def clone_model(model: MaturityModel, version: str) -> MaturityModel:
    """A deep copy of `model` under `version`: levels, categories, cells and practices
    with the same keys, retired ones included, and its checks; inactive until an admin
    activates it."""
    return create_inactive(replace(export_spec(model), version=version))
