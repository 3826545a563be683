"""A maturity model as plain, immutable data: what questionnaires, scoring and
result pages read. `load_tree` fetches it in two queries."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from .models import Category, Cell, Level, Practice


@dataclass(frozen=True)
class LevelNode:
    value: int
    name: str
    description: str


@dataclass(frozen=True)
class PracticeNode:
    id: int
    key: str
    text: str
    help: str
    order: int
    level: int


@dataclass(frozen=True)
class CellNode:
    level: int
    summary: str
    advice: str
    practices: tuple[PracticeNode, ...]


@dataclass(frozen=True)
class CategoryNode:
    id: int
    slug: str
    name: str
    description: str
    order: int
    cells: tuple[CellNode, ...]  # the cells holding practices, by level value

    @property
    def practices(self) -> tuple[PracticeNode, ...]:
        return tuple(chain.from_iterable(cell.practices for cell in self.cells))


@dataclass(frozen=True)
class ModelTree:
    id: int
    levels: tuple[LevelNode, ...]  # by value, floor first
    categories: tuple[CategoryNode, ...]  # in category order

    @property
    def level_values(self) -> list[int]:
        return [level.value for level in self.levels]

    @property
    def floor(self) -> int:
        return self.levels[0].value

    @property
    def top(self) -> int:
        return self.levels[-1].value

    def level_name(self, value: int) -> str:
        return next((level.name for level in self.levels if level.value == value), str(value))

    def category(self, slug: str) -> CategoryNode | None:
        return next((category for category in self.categories if category.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[CategoryNode | None, CategoryNode | None]:
        """The categories before and after `slug` in questionnaire order."""
        slugs = [category.slug for category in self.categories]
        index = slugs.index(slug)
        before = self.categories[index - 1] if index > 0 else None
        after = self.categories[index + 1] if index + 1 < len(slugs) else None
        return before, after

    @property
    def practices(self) -> tuple[PracticeNode, ...]:
        return tuple(chain.from_iterable(category.practices for category in self.categories))


def load_tree(model_id: int, *, include_retired: bool = False) -> ModelTree:
    """The model's levels, and its practices with their cells and categories (two queries).

    Retired categories and practices are left out unless `include_retired`. A cell or
    category with no practice to answer is left out too: a category with nothing to
    fail would score the top, and a cell without practices is never shown.
    """
    levels = tuple(
        LevelNode(level.value, level.name, level.description)
        for level in Level.objects.filter(model_id=model_id).order_by("value")
    )
    practices = Practice.objects.filter(model_id=model_id)
    if not include_retired:
        practices = practices.filter(is_active=True, cell__category__is_active=True)
    categories: dict[int, Category] = {}
    cells: dict[int, dict[int, Cell]] = {}  # category id -> level value -> cell
    by_cell: dict[int, list[PracticeNode]] = {}
    for practice in practices.select_related("cell__category", "cell__level"):
        cell = practice.cell
        categories.setdefault(cell.category_id, cell.category)
        cells.setdefault(cell.category_id, {}).setdefault(cell.level.value, cell)
        by_cell.setdefault(cell.pk, []).append(
            PracticeNode(
                practice.pk,
                practice.key,
                practice.text,
                practice.help,
                practice.order,
                cell.level.value,
            )
        )
    return ModelTree(
        id=model_id,
        levels=levels,
        categories=tuple(
            CategoryNode(
                category.pk,
                category.slug,
                category.name,
                category.description,
                category.order,
                tuple(
                    CellNode(
                        value,
                        cell.summary,
                        cell.advice,
                        tuple(sorted(by_cell[cell.pk], key=lambda p: (p.order, p.id))),
                    )
                    for value, cell in sorted(cells[category.pk].items())
                ),
            )
            for category in sorted(categories.values(), key=lambda c: (c.order, c.pk))
        ),
    )
