"""The result of one assessment, as its page and its export show it."""

from __future__ import annotations

from dataclasses import dataclass

from maturity.tree import ModelTree

from . import scoring
from .models import Assessment
from .questionnaire import scoring_categories


@dataclass(frozen=True)
class CategoryRow:
    slug: str
    name: str
    level: int
    level_name: str
    score: float
    previous_score: float | None

    @property
    def change(self) -> float | None:
        """The change since the previous assessment, as shown (one decimal)."""
        return scoring.change(self.score, self.previous_score)


@dataclass(frozen=True)
class Report:
    assessment: Assessment
    tree: ModelTree
    rows: list[CategoryRow]
    overall: float | None
    next_steps: list[scoring.NextStep]
    previous: Assessment | None

    @property
    def level_names(self) -> dict[int, str]:
        return {level.value: level.name for level in self.tree.levels}

    @property
    def provisional(self) -> bool:
        """A draft's report is a preview: scores from the answers so far."""
        return self.assessment.is_draft


def build_report(assessment: Assessment) -> Report:
    """Levels, scores and changes per category, and the next steps (about eight queries).

    A submitted assessment shows its frozen results; a draft, what its answers so far
    would score, counting unanswered practices as not done.
    """
    tree = assessment.tree()
    statuses = assessment.statuses()
    categories = scoring_categories(tree, statuses, answered_only=not assessment.is_draft)
    if assessment.is_draft:
        results = scoring.score_categories(tree.level_values, categories)
    else:
        results = [result.as_result() for result in assessment.results.in_category_order()]
    by_slug = {result.slug: result for result in results}
    categories = [category for category in categories if category.slug in by_slug]
    previous = _previous(assessment)
    previous_scores = (
        {result.category.slug: result.score for result in previous.results.all()}
        if previous
        else {}
    )
    rows = [
        CategoryRow(
            slug=result.slug,
            name=result.name,
            level=result.level,
            level_name=tree.level_name(result.level),
            score=result.score,
            previous_score=previous_scores.get(result.slug),
        )
        for result in results
    ]
    return Report(
        assessment=assessment,
        tree=tree,
        rows=rows,
        overall=scoring.overall(result.score for result in results),
        next_steps=scoring.next_steps(tree.level_values, categories, by_slug),
        previous=previous,
    )


def _previous(assessment: Assessment) -> Assessment | None:
    """The team's submitted assessment before this one, with its results (two queries)."""
    earlier = Assessment.objects.submitted().filter(team_id=assessment.team_id).with_results()
    if assessment.submitted_at is not None:
        earlier = earlier.filter(submitted_at__lt=assessment.submitted_at)
    return earlier.order_by("-submitted_at", "-pk").first()
