"""A maturity model as plain, immutable data: what questionnaires, scoring and
result pages read. `load_tree` fetches it in two queries, whose SQL is compiled once per
process (maturity.compiled): most pages read a tree, and building the two queries with
the ORM cost more than running them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, partial
from itertools import chain
from typing import Any

from django.db.models import QuerySet

from . import generation
from .compiled import CompiledQuery, placeholder
from .models import Level, Practice


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

    @cached_property  # a page reads it a score of times; the tree is kept between requests
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


MODEL_ID = placeholder()  # stands for the model's id while the SQL is compiled

LEVELS = CompiledQuery(
    lambda: (
        Level.objects.filter(model_id=MODEL_ID)
        .order_by("value")
        .values_list("value", "name", "description")
    )
)


def _practices(*, include_retired: bool) -> QuerySet[Any]:
    practices = Practice.objects.filter(model_id=MODEL_ID)
    if not include_retired:
        practices = practices.filter(is_active=True, cell__category__is_active=True)
    return practices.order_by("order", "id").values_list(
        "id",
        "key",
        "text",
        "help",
        "order",
        "cell_id",
        "cell__summary",
        "cell__advice",
        "cell__level__value",
        "cell__category_id",
        "cell__category__slug",
        "cell__category__name",
        "cell__category__description",
        "cell__category__order",
    )


PRACTICES = {
    include_retired: CompiledQuery(partial(_practices, include_retired=include_retired))
    for include_retired in (True, False)
}


TREE_SECONDS = 5 * 60


def load_tree(model_id: int, *, include_retired: bool = False) -> ModelTree:
    """The model's levels, and its practices with their cells and categories (two queries,
    read as plain rows). With a shared cache the tree is kept under the data generation,
    which every write of a model, level, category, cell or practice moves on.

    Retired categories and practices are left out unless `include_retired`. A cell or
    category with no practice to answer is left out too: a category with nothing to
    fail would score the top, and a cell without practices is never shown.
    """
    return generation.cached(
        "model-tree",
        (model_id, include_retired),
        partial(_read_tree, model_id, include_retired=include_retired),
        TREE_SECONDS,
    )


def _read_tree(model_id: int, *, include_retired: bool) -> ModelTree:
    levels = tuple(LevelNode(*row) for row in LEVELS.rows({MODEL_ID: model_id}))
    categories: dict[int, tuple[str, str, str, int]] = {}
    cells: dict[int, dict[int, tuple[int, str, str]]] = {}  # category -> level -> cell
    by_cell: dict[int, list[PracticeNode]] = {}
    rows = PRACTICES[include_retired].rows({MODEL_ID: model_id})
    for pk, key, text, help_, order, cell, summary, advice, level, category, *about in rows:
        categories.setdefault(category, tuple(about))  # type: ignore[arg-type]
        cells.setdefault(category, {}).setdefault(level, (cell, summary, advice))
        by_cell.setdefault(cell, []).append(PracticeNode(pk, key, text, help_, order, level))
    return ModelTree(
        id=model_id,
        levels=levels,
        categories=tuple(
            CategoryNode(
                pk,
                slug,
                name,
                description,
                order,
                tuple(
                    CellNode(level, summary, advice, tuple(by_cell[cell]))
                    for level, (cell, summary, advice) in sorted(cells[pk].items())
                ),
            )
            for pk, (slug, name, description, order) in sorted(
                categories.items(), key=lambda item: (item[1][3], item[0])
            )
        ),
    )
