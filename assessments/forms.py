from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from maturity.models import MaturityModel
from maturity.tree import CategoryNode, CellNode, PracticeNode

from .models import NOTE_MAX_LENGTH, Answer

ANSWER_FIELD_PREFIX = "p"


def _status_field(practice_id: int) -> str:
    return f"{ANSWER_FIELD_PREFIX}{practice_id}-status"


def _note_field(practice_id: int) -> str:
    return f"{ANSWER_FIELD_PREFIX}{practice_id}-note"


@dataclass(frozen=True)
class PracticeRow:
    practice: PracticeNode
    status: forms.BoundField
    note: forms.BoundField
    is_new: bool  # not in the assessment this one was pre-filled from


@dataclass(frozen=True)
class LevelSection:
    cell: CellNode
    level_name: str
    rows: list[PracticeRow]


class CategoryAnswersForm(forms.Form):
    """The answers to one category's practices: a status and an optional note each."""

    def __init__(
        self,
        *args: Any,
        category: CategoryNode,
        level_names: Mapping[int, str],
        answers: Mapping[int, Answer],
        new_practice_ids: set[int],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.new_practice_ids = new_practice_ids
        self.category = category
        self.level_names = level_names
        self.practices = category.practices
        for practice in self.practices:
            answer = answers.get(practice.id)
            self.fields[_status_field(practice.id)] = forms.ChoiceField(
                label=practice.text,
                help_text=practice.help,
                choices=Answer.Status.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=answer.status if answer else "",
            )
            self.fields[_note_field(practice.id)] = forms.CharField(
                label="Note (optional)",
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 1}),
                initial=answer.note if answer else "",
            )

    def clean(self) -> dict[str, Any]:
        """Refuse answers to practices that are not on this page (a tampered form)."""
        cleaned = super().clean() or {}
        known = set(self.fields)
        foreign = sorted(
            name
            for name in self.data
            if name.startswith(ANSWER_FIELD_PREFIX) and name.endswith(("-status", "-note"))
            if name not in known
        )
        if foreign:
            raise ValidationError(
                "This page was sent with answers to practices it does not ask about; "
                "nothing was saved. Reload the page and try again.",
                code="foreign_practice",
            )
        return cleaned

    def entries(self) -> list[tuple[int, str, str]]:
        """(practice id, status, note) for every practice on the page."""
        return [
            (
                practice.id,
                self.cleaned_data[_status_field(practice.id)],
                self.cleaned_data[_note_field(practice.id)].strip(),
            )
            for practice in self.practices
        ]

    def sections(self) -> list[LevelSection]:
        """The practices grouped by level, each with its fields, for the template."""
        return [
            LevelSection(
                cell,
                self.level_names[cell.level],
                [
                    PracticeRow(
                        p,
                        self[_status_field(p.id)],
                        self[_note_field(p.id)],
                        p.id in self.new_practice_ids,
                    )
                    for p in cell.practices
                ],
            )
            for cell in self.category.cells
            if cell.practices
        ]


class NewAssessmentForm(forms.Form):
    model = forms.ModelChoiceField(
        queryset=MaturityModel.objects.ready(),
        empty_label=None,
        label="Maturity model",
    )
    prefill = forms.BooleanField(
        required=False,
        initial=True,
        label="Start from our last submitted answers",
        help_text="Every answer and note is copied; change what has changed since.",
    )

    def __init__(self, *args: Any, can_prefill: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not can_prefill:
            del self.fields["prefill"]


WITHIN_DAYS = {"all": None, "365": 365, "90": 90}
MAX_OVERLAY = 5


class DashboardForm(forms.Form):
    """The dashboard's filters and sort order; anything invalid falls back to a default."""

    model = forms.TypedChoiceField(coerce=int, required=False, label="Maturity model")
    within = forms.ChoiceField(
        choices=[("all", "All time"), ("365", "Last year"), ("90", "Last 90 days")],
        required=False,
        label="Assessed within",
    )
    sort = forms.CharField(required=False, max_length=80)
    dir = forms.ChoiceField(choices=[("asc", "ascending"), ("desc", "descending")], required=False)

    def __init__(self, *args: Any, models: list[MaturityModel], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.models = {model.pk: model for model in models}
        model_field: Any = self.fields["model"]
        model_field.choices = [(model.pk, str(model)) for model in models]

    def chosen_model(self) -> MaturityModel | None:
        """The model asked for, or else the newest active one."""
        data = self.cleaned_data if self.is_valid() else {}
        newest = max(self.models.values(), key=lambda model: model.pk, default=None)
        return self.models.get(data.get("model") or 0) or newest

    def within_days(self) -> int | None:
        return (
            WITHIN_DAYS.get(self.cleaned_data.get("within") or "all") if self.is_valid() else None
        )

    def sort_order(self, keys: set[str]) -> tuple[str, bool]:
        """(sort key, descending); unknown keys sort by team name."""
        data = self.cleaned_data if self.is_valid() else {}
        key = data.get("sort") or "team"
        return (key if key in keys else "team"), data.get("dir") == "desc"


class OverlayForm(forms.Form):
    teams = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Overlay teams on the radar",
        help_text=f"Choose up to {MAX_OVERLAY} teams.",
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        teams_field: Any = self.fields["teams"]
        teams_field.choices = teams

    def clean_teams(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["teams"]
        if len(chosen) > MAX_OVERLAY:
            raise ValidationError(
                f"Choose at most {MAX_OVERLAY} teams to overlay; you chose {len(chosen)}.",
                code="too_many_teams",
            )
        return chosen

    def chosen(self) -> list[str]:
        return self.cleaned_data["teams"] if self.is_valid() else []
