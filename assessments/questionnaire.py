"""What a set of answers means against a model tree: progress, gaps and the
input to scoring. Plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from maturity.tree import CategoryNode, ModelTree, PracticeNode

from . import scoring

# practice id -> status ("yes", "partly", "no", "na"; "" or absent: not answered)
Statuses = Mapping[int, str]


@dataclass(frozen=True)
class CategoryProgress:
    category: CategoryNode
    answered: int
    total: int
    missing: tuple[PracticeNode, ...]
    unconfirmed: tuple[PracticeNode, ...] = ()  # copied from the last assessment, unchecked

    @property
    def done(self) -> bool:
        return self.answered == self.total


@dataclass(frozen=True)
class Progress:
    rows: list[CategoryProgress]

    @property
    def answered(self) -> int:
        return sum(row.answered for row in self.rows)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def complete(self) -> bool:
        return all(row.done for row in self.rows)

    @property
    def gaps(self) -> list[CategoryProgress]:
        return [row for row in self.rows if not row.done]

    @property
    def unconfirmed(self) -> int:
        return sum(len(row.unconfirmed) for row in self.rows)


def progress(
    tree: ModelTree, statuses: Statuses, unconfirmed: Collection[int] = frozenset()
) -> Progress:
    """Per category: how many practices are answered, which are not, and which answers
    (practice ids in `unconfirmed`) were copied and not yet confirmed."""
    rows = []
    for category in tree.categories:
        missing = tuple(p for p in category.practices if not statuses.get(p.id))
        unchecked = tuple(p for p in category.practices if p.id in unconfirmed)
        total = len(category.practices)
        rows.append(CategoryProgress(category, total - len(missing), total, missing, unchecked))
    return Progress(rows)


def scoring_categories(
    tree: ModelTree, statuses: Statuses, *, answered_only: bool = False
) -> list[scoring.Category]:
    """The tree with its answers, as scoring reads it. `answered_only` keeps just the
    practices that have an answer: those of a submitted assessment."""
    return [
        scoring.Category(
            slug=category.slug,
            name=category.name,
            order=category.order,
            practices=tuple(
                scoring.Practice(
                    key=practice.key,
                    level=practice.level,
                    text=practice.text,
                    order=practice.order,
                    status=statuses.get(practice.id) or None,
                )
                for practice in category.practices
                if not answered_only or statuses.get(practice.id)
            ),
            advice={cell.level: cell.advice for cell in category.cells},
        )
        for category in tree.categories
    ]
