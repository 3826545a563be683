from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from maturity.models import MaturityModel
from maturity.tree import CategoryNode, CellNode, PracticeNode

from . import dora
from .agreement import NO_VOTES, Votes
from .answer_fields import STATUS_OPTIONS, AnswerFields
from .edits import Conflict, Edit, Outcome, Refusal, Sent, Stored, Whose, tidy
from .models import NOTE_MAX_LENGTH, AnswerState

ANSWER_FIELD_PREFIX = "p"
WAS = "-was"  # suffix of the hidden field that carries a field's value as rendered
STATUS_CHOICES = [("", "Not answered"), *STATUS_OPTIONS]
AUTO_ID = "id_%s"  # the ids a form gives its fields (its auto_id)


def field_name(practice_id: int, whose: Whose, field: str) -> str:
    """`p12-status`, `p12-note` (the team's answer), `p12-my-status`, `p12-my-note`."""
    mine = "my-" if whose is Whose.MINE else ""
    return f"{ANSWER_FIELD_PREFIX}{practice_id}-{mine}{field}"


def _status_field() -> forms.ChoiceField:
    return forms.ChoiceField(choices=STATUS_CHOICES, required=False)


class NoteField(forms.CharField):
    """A note, tidied (edits.tidy) before its length is checked: a browser sends each
    line break as two characters."""

    def to_python(self, value: Any) -> str:
        return tidy(super().to_python(value) or "")


def _was_field() -> forms.CharField:
    """A field's value as rendered. One that is no status, or longer than a note, can
    only differ from what is stored, which shows as a conflict: it needs no checks."""
    return forms.CharField(required=False, strip=False)


@dataclass(slots=True)  # as AnswerFields
class PracticeRow:
    practice: PracticeNode
    team: AnswerFields
    mine: AnswerFields
    votes: Votes
    is_new: bool  # not in the assessment this one was pre-filled from
    unconfirmed: bool  # copied from it, and not yet confirmed or changed


@dataclass(frozen=True)
class LevelSection:
    cell: CellNode
    level_name: str
    rows: list[PracticeRow]


@dataclass
class PageState:
    """What the page shows besides the fields' own values: the votes, which answers are
    copied and unconfirmed, which practices are new since the pre-fill, and what the
    last save could not write."""

    votes: Mapping[int, Votes] = field(default_factory=dict)
    unconfirmed: set[int] = field(default_factory=set)
    new: set[int] = field(default_factory=set)
    conflicts: Sequence[Conflict] = ()
    refusals: Sequence[Refusal] = ()
    kept: Mapping[str, str] = field(default_factory=dict)  # refused values, as sent


def stored_values(
    category: CategoryNode,
    answers: Mapping[int, AnswerState],
    mine: Mapping[int, Stored],
    state: PageState,
) -> dict[str, str]:
    """The category page's field values, by name, from the stored answers, each also as
    its "was". A field the last save could not write (in `state`) shows the value the
    user sent, with the stored one as its "was": saving again writes it (a conflict), or
    asks again (a refusal)."""
    on_page = {practice.id for practice in category.practices}
    stored = {
        (pk, Whose.TEAM): Stored(a.status, a.note) for pk, a in answers.items() if pk in on_page
    }
    stored.update({(pk, Whose.MINE): answer for pk, answer in mine.items()})
    values = {}
    for (pk, whose), answer in stored.items():
        for name, value in (("status", answer.status), ("note", answer.note)):
            key = field_name(pk, whose, name)
            values[key] = values[key + WAS] = value
    for conflict in state.conflicts:
        values[field_name(conflict.practice_id, conflict.whose, conflict.field)] = conflict.yours
    values.update(state.kept)
    return values


@dataclass(frozen=True)
class QuestionnairePage:
    """One category's page as the template writes it out (not a form's widgets: it has
    dozens of fields, and it is the most used page). `values` holds each field's value
    by name, and its "was"; `errors` each field's errors, `page_errors` the page's."""

    category: CategoryNode
    level_names: Mapping[int, str]
    values: Mapping[str, str]
    state: PageState
    errors: Mapping[str, Sequence[str]] = field(default_factory=dict)
    page_errors: Sequence[str] = ()

    @property
    def has_unconfirmed(self) -> bool:
        """Whether an answer on this page was copied and is not yet confirmed."""
        return any(p.id in self.state.unconfirmed for p in self.category.practices)

    def sections(self) -> list[LevelSection]:
        """The practices grouped by level, each with its fields."""
        return [
            LevelSection(
                cell,
                self.level_names[cell.level],
                [
                    PracticeRow(
                        p,
                        self._fields(p.id, Whose.TEAM),
                        self._fields(p.id, Whose.MINE),
                        self.state.votes.get(p.id, NO_VOTES),
                        p.id in self.state.new,
                        p.id in self.state.unconfirmed,
                    )
                    for p in cell.practices
                ],
            )
            for cell in self.category.cells
            if cell.practices
        ]

    def _fields(self, practice_id: int, whose: Whose) -> AnswerFields:
        status = field_name(practice_id, whose, "status")
        note = field_name(practice_id, whose, "note")
        values, errors, state = self.values, self.errors, self.state
        return AnswerFields(
            status,
            AUTO_ID % status,
            values.get(status) or "",
            values.get(status + WAS) or "",
            list(errors.get(status, ())) if errors else [],
            note,
            AUTO_ID % note,
            values.get(note) or "",
            values.get(note + WAS) or "",
            list(errors.get(note, ())) if errors else [],
            tuple(c for c in state.conflicts if (c.practice_id, c.whose) == (practice_id, whose))
            if state.conflicts
            else (),
            next(
                (
                    r.message
                    for r in state.refusals
                    if (r.practice_id, r.whose) == (practice_id, whose)
                ),
                "",
            )
            if state.refusals
            else "",
        )


class CategoryAnswersForm(forms.Form):
    """What one category's page sent: per practice the team's answer and the member's
    own, each a status and a note, and beside every field the value it was rendered
    with."""

    def __init__(self, *args: Any, category: CategoryNode, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.category = category
        self.practices = category.practices
        for practice in self.practices:
            for whose in Whose:
                status, note = (
                    field_name(practice.id, whose, "status"),
                    field_name(practice.id, whose, "note"),
                )
                self.fields[status] = _status_field()
                self.fields[status + WAS] = _was_field()
                self.fields[note] = NoteField(required=False, max_length=NOTE_MAX_LENGTH)
                self.fields[note + WAS] = _was_field()

    def as_sent(self, level_names: Mapping[int, str], state: PageState) -> QuestionnairePage:
        """The page as it was sent, with the errors that refused it whole."""
        return QuestionnairePage(
            self.category,
            level_names,
            {name: self[name].value() or "" for name in self.fields},
            state,
            errors={name: [str(error) for error in found] for name, found in self.errors.items()},
            page_errors=[str(error) for error in self.non_field_errors()],
        )

    def refused_values(self, refusals: Sequence[Refusal]) -> dict[str, str]:
        """What the user sent for answers that were refused, to show again: nothing typed
        is lost."""
        kept = {}
        for refusal in refusals:
            for name in ("status", "note"):
                key = field_name(refusal.practice_id, refusal.whose, name)
                if key in self.data:
                    kept[key] = self.cleaned_data[key]
        return kept

    def clean(self) -> dict[str, Any]:
        """Refuse answers to practices that are not on this page (a tampered form)."""
        cleaned = super().clean() or {}
        known = set(self.fields)
        foreign = sorted(
            name
            for name in self.data
            if name.startswith(ANSWER_FIELD_PREFIX) and name.endswith(("-status", "-note", WAS))
            if name not in known
        )
        if foreign:
            raise ValidationError(
                "This page was sent with answers to practices it does not ask about; "
                "nothing was saved. Reload the page and try again.",
                code="foreign_practice",
            )
        return cleaned

    def _sent(self, name: str, *, radio: bool) -> Sent:
        """A field as sent. A radio group with nothing chosen sends nothing, so its
        "was" alone means blank; any other field that did not come is not sent."""
        has_was = name + WAS in self.data
        if name not in self.data and not (radio and has_was):
            return Sent()
        value = self.cleaned_data[name]
        return Sent(value, self.cleaned_data[name + WAS] if has_was else None)

    def edits(self) -> list[Edit]:
        """What the page sent, per answer (only answers with a field sent)."""
        found = []
        for practice in self.practices:
            for whose in Whose:
                status = self._sent(field_name(practice.id, whose, "status"), radio=True)
                note = self._sent(field_name(practice.id, whose, "note"), radio=False)
                if status.value is not None or note.value is not None:
                    found.append(Edit(practice.id, whose, status, note))
        return found

    @property
    def practice_ids(self) -> list[int]:
        return [practice.id for practice in self.practices]


def saved_reply(outcome: Outcome, votes: Mapping[int, Votes]) -> dict[str, Any]:
    """What the page's script reads after a save: each sent field's value as stored now
    (its new "was"), the conflicts and refusals, and `votes`, those of the practices
    the user voted on (all zero once the last vote is withdrawn)."""
    values = {}
    for (practice_id, whose), answer in outcome.now.items():
        values[field_name(practice_id, whose, "status")] = answer.status
        values[field_name(practice_id, whose, "note")] = answer.note
    return {
        "values": values,
        "conflicts": [
            {
                "field": field_name(c.practice_id, c.whose, c.field),
                "theirs": c.theirs,
                "yours": c.yours,
            }
            for c in outcome.conflicts
        ],
        "refused": [
            {"field": field_name(r.practice_id, r.whose, "status"), "message": r.message}
            for r in outcome.refusals
        ],
        "votes": {str(pk): {**v.as_dict(), "spread": v.spread.value} for pk, v in votes.items()},
    }


class NewAssessmentForm(forms.Form):
    model = forms.ModelChoiceField(
        queryset=MaturityModel.objects.ready().order_by("-pk"),  # the newest loaded first
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


class OutcomesForm(forms.Form):
    """DORA's Quick Check: three answers on its six-step scale, two percentages; each
    optional."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for metric, options in dora.ORDINAL_OPTIONS.items():
            self.fields[metric] = forms.TypedChoiceField(
                label=dora.QUESTIONS[metric],
                choices=[(step, label) for step, label in enumerate(options, start=1)],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )
        for metric in dora.PERCENTAGES:
            self.fields[metric] = forms.IntegerField(
                label=dora.QUESTIONS[metric],
                min_value=0,
                max_value=100,
                required=False,
                help_text="A percentage from 0 to 100; leave it empty if you do not know.",
            )
        for metric in dora.METRICS:  # the value each was rendered with
            self.fields[metric + WAS] = forms.TypedChoiceField(
                choices=[("", ""), *((str(n), str(n)) for n in range(101))],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def shown(self) -> dict[str, int | None] | None:
        """The values the page was rendered with; None from a client that sent none."""
        if not any(metric + WAS in self.data for metric in dora.METRICS):
            return None
        return {metric: self.cleaned_data[metric + WAS] for metric in dora.METRICS}

    def answers(self) -> dict[str, int | None]:
        return {metric: self.cleaned_data[metric] for metric in dora.METRICS}

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            ("Throughput", [self[metric] for metric in dora.THROUGHPUT]),
            ("Instability", [self[metric] for metric in dora.INSTABILITY]),
        ]


class VoidForm(forms.Form):
    reason = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown in the team's history beside the struck-through assessment.",
        error_messages={"required": "Say why the assessment is voided."},
    )
