from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from maturity.models import MaturityModel
from maturity.tree import CategoryNode, CellNode, PracticeNode

from .models import NOTE_MAX_LENGTH, AnswerState
from .scoring import Status

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
    unconfirmed: bool  # copied from it, and not yet confirmed or changed


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
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.new_practice_ids: set[int] = set()
        self.unconfirmed_ids: set[int] = set()
        self.category = category
        self.level_names = level_names
        self.practices = category.practices
        for practice in self.practices:
            self.fields[_status_field(practice.id)] = forms.ChoiceField(
                label=practice.text,
                help_text=practice.help,
                choices=Status.choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[_note_field(practice.id)] = forms.CharField(
                label="Note (optional)",
                required=False,
                max_length=NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def show(self, answers: Mapping[int, AnswerState], new_practice_ids: set[int]) -> None:
        """What the page shows besides the fields: the saved answers (of an unbound form),
        which of them are copied and unconfirmed, and which practices are new since the
        pre-fill. Saving needs none of it."""
        for practice_id, answer in answers.items():
            self.initial[_status_field(practice_id)] = answer.status
            self.initial[_note_field(practice_id)] = answer.note
        self.unconfirmed_ids = {pk for pk, answer in answers.items() if not answer.confirmed}
        self.new_practice_ids = new_practice_ids

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

    @property
    def has_unconfirmed(self) -> bool:
        """Whether an answer on this page was copied and is not yet confirmed."""
        return any(practice.id in self.unconfirmed_ids for practice in self.practices)

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
                        p.id in self.unconfirmed_ids,
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


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the team's history beside the struck-through assessment.",
        error_messages={"required": "Say why the assessment is voided."},
    )
