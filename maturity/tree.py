"""A maturity model as plain, immutable data: what questionnaires, scoring and
result pages read. `load_tree` fetches it in four queries."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from django.core.cache import cache

from .models import Category, Cell, Level, MaturityModel, Practice

# A revision's tree never changes, so this only bounds how long an unused one is kept.
TREE_CACHE_SECONDS = 60 * 60


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
    cells: tuple[CellNode, ...]  # by level value, floor first

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
    """The model's levels, categories, cells and practices (four queries).

    Retired categories and practices are left out unless `include_retired`, and so is
    a category with no practice to answer: with nothing to fail it would score the top.
    """
    levels = tuple(
        LevelNode(level.value, level.name, level.description)
        for level in Level.objects.filter(model_id=model_id).order_by("value")
    )
    categories = Category.objects.filter(model_id=model_id)
    practices = Practice.objects.filter(model_id=model_id)
    if not include_retired:
        categories = categories.filter(is_active=True)
        practices = practices.filter(is_active=True)
    practices_by_cell: dict[int, list[PracticeNode]] = {}
    for practice in practices.select_related("cell__level").order_by("order", "id"):
        practices_by_cell.setdefault(practice.cell_id, []).append(
            PracticeNode(
                practice.pk,
                practice.key,
                practice.text,
                practice.help,
                practice.order,
                practice.cell.level.value,
            )
        )
    cells_by_category: dict[int, list[CellNode]] = {}
    cells = Cell.objects.filter(category__model_id=model_id).select_related("level")
    for cell in cells.order_by("level__value"):
        cells_by_category.setdefault(cell.category_id, []).append(
            CellNode(
                cell.level.value,
                cell.summary,
                cell.advice,
                tuple(practices_by_cell.get(cell.pk, ())),
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
                tuple(cells_by_category.get(category.pk, ())),
            )
            for category in categories.order_by("order", "id")
            if any(cell.practices for cell in cells_by_category.get(category.pk, ()))
        ),
    )


def cached_tree(model: MaturityModel, *, include_retired: bool = False) -> ModelTree:
    """`load_tree`, kept in the cache per model revision: no query when it is there."""
    key = f"maturity-tree:{model.pk}:{model.revision}:{int(include_retired)}"
    tree: ModelTree | None = cache.get(key)
    if tree is None:
        tree = load_tree(model.pk, include_retired=include_retired)
        cache.set(key, tree, TREE_CACHE_SECONDS)
    return tree
