"""The plan's forms: they validate what a member sent and convert it to domain values
(levels as integers, owners as user ids, dates); the views write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString

from maturity.limits import KEY_LENGTH

from . import widgets
from .models import TITLE_LENGTH, PlanItem, Target

DATE_ERRORS = {"invalid": "Enter a date as YYYY-MM-DD, for example 2027-06-30."}
OWNER_ERRORS = {"invalid_choice": "Choose a member of the team as the owner, or nobody."}
NO_OWNER = ("", "Nobody yet")
HIDDEN = widgets.HiddenInput()


def _date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d"],
        widget=widgets.DateInput,
        error_messages=DATE_ERRORS,
    )


def _owner_field(members: Sequence[tuple[int, str]]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Owner",
        choices=widgets.Choices([NO_OWNER, *members]),
        widget=widgets.Select,
        coerce=int,
        empty_value=None,
        required=False,
        error_messages=OWNER_ERRORS,
    )


def _not_past(due: date | None, today: date) -> None:
    if due is not None and due < today:
        raise ValidationError("This date has passed: choose today or a later day.", code="past")


class BootstrapForm(forms.Form):
    """Fields styled as Bootstrap's; those with errors marked invalid and pointing at their
    message (planning/widgets.py writes it)."""

    compact = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._style()

    def _style(self) -> None:
        size = "-sm" if self.compact else ""
        for field in self.fields.values():
            if field.widget.is_hidden:
                continue
            select = isinstance(field.widget, forms.Select)
            kind = "form-select" if select else "form-control"
            # Compact selects are as wide as their longest choice, not squeezed by a table.
            width = " w-auto" if self.compact and select else ""
            field.widget.attrs["class"] = (f"{kind} {kind}{size}" if size else kind) + width

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"


@dataclass(frozen=True)
class TargetFields:
    """One category's row of the targets form."""

    slug: str
    name: str
    level: forms.BoundField
    due: forms.BoundField
    was: SafeString  # the target as the page showed it, a hidden input sent back with it


def shown(level: int | None, due: date | None) -> str:
    """A target as a page showed it ("2|2027-06-30"; "" for none), sent back with a save."""
    return "" if level is None or due is None else f"{level}|{due:%Y-%m-%d}"


class TargetsForm(BootstrapForm):
    """A target level and a due date for each category of the model, both or neither: a
    category left blank has no target. Only the targets the member changed on the page
    are written, so a teammate's save of another target meanwhile stays."""

    compact = True

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        categories: Sequence[tuple[str, str]],
        levels: Sequence[tuple[int, str]],
        targets: Mapping[str, Target],
        today: date,
    ):
        initial: dict[str, object] = {}
        for slug, target in targets.items():
            initial[f"{slug}-level"], initial[f"{slug}-due"] = target.level, target.due
        super().__init__(data, initial=initial)
        self.shown = {slug: shown(target.level, target.due) for slug, target in targets.items()}
        self.categories, self.today = list(categories), today
        choices = widgets.Choices(
            [("", "No target"), *((value, f"{value} · {name}") for value, name in levels)]
        )
        for slug, name in self.categories:
            self.fields[f"{slug}-level"] = forms.TypedChoiceField(
                label=f"Target level for {name}",
                choices=choices,
                widget=widgets.Select,
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={
                    "invalid_choice": "Choose one of the model's levels above its lowest one."
                },
            )
            self.fields[f"{slug}-due"] = _date_field(f"Due date for {name}")
        self._style()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for slug, _ in self.categories:
            level_name, due_name = f"{slug}-level", f"{slug}-due"
            if level_name in self.errors or due_name in self.errors:
                continue
            level, due = cleaned.get(level_name), cleaned.get(due_name)
            if level is None and due is not None:
                message = "Choose a level for this due date, or clear the date."
                self.add_error(level_name, ValidationError(message, code="level_missing"))
            elif level is not None and due is None:
                message = "A target needs a due date too."
                self.add_error(due_name, ValidationError(message, code="due_missing"))
            elif due is not None and self._touched(slug, cleaned):
                try:
                    _not_past(due, self.today)
                except ValidationError as error:
                    self.add_error(due_name, error)
        return cleaned

    def _was(self, slug: str) -> str:
        """The category's target as the page showed it (as stored, when the page did not
        say): a hidden value sent back with the form, not a field, as it needs no checks
        (one that is no target can only differ from what is stored)."""
        name = f"{slug}-was"
        return str(self.data[name]) if name in self.data else self.shown.get(slug, "")

    def _touched(self, slug: str, cleaned: Mapping[str, Any]) -> bool:
        """Whether the member changed the category's target from what the page showed."""
        return shown(cleaned.get(f"{slug}-level"), cleaned.get(f"{slug}-due")) != self._was(slug)

    @property
    def rows(self) -> list[TargetFields]:
        return [
            TargetFields(
                slug,
                name,
                self[f"{slug}-level"],
                self[f"{slug}-due"],
                HIDDEN.render(f"{slug}-was", self._was(slug), {"id": f"id_{slug}-was"}),
            )
            for slug, name in self.categories
        ]

    def wanted(self) -> dict[str, tuple[int, date] | None]:
        """Category slug -> (level, due), or None to clear, of each target the member
        changed (a valid form only): empty when there is nothing to save."""
        wanted: dict[str, tuple[int, date] | None] = {}
        for slug, _ in self.categories:
            if self._touched(slug, self.cleaned_data):
                level = self.cleaned_data[f"{slug}-level"]
                due = self.cleaned_data[f"{slug}-due"]
                wanted[slug] = None if level is None else (level, due)
        return wanted


class PlanItemForm(BootstrapForm):
    """A plan item's title, category, owner and due date, to add one or edit it."""

    title = forms.CharField(
        max_length=TITLE_LENGTH,
        widget=widgets.TextInput,
        error_messages={
            "required": "Give the item a title: what will the team do?",
            "max_length": f"Keep the title to {TITLE_LENGTH} characters or fewer.",
        },
    )
    category = forms.ChoiceField(
        required=False,
        widget=widgets.Select,
        error_messages={"invalid_choice": "Choose one of the model's categories, or none."},
    )
    owner = forms.TypedChoiceField(required=False)  # choices set per team
    due = _date_field("Due")

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        categories: Sequence[tuple[str, str]],
        members: Sequence[tuple[int, str]],
        today: date,
        item: PlanItem | None = None,
        prefix: str | None = None,
    ):
        initial = {}
        category_choices, member_choices = list(categories), list(members)
        if item is not None:
            initial = {
                "title": item.title,
                "category": item.category,
                "owner": item.owner_id,
                "due": item.due,
            }
            # What the item says stays a choice, though the model or the team changed.
            if item.category and item.category not in dict(category_choices):
                category_choices.append((item.category, item.category))
            if item.owner_id is not None and item.owner_id not in dict(member_choices):
                name = item.owner.get_username() if item.owner else str(item.owner_id)
                member_choices.append((item.owner_id, f"{name} (not on the team)"))
        super().__init__(data, initial=initial, prefix=prefix)
        self.today = today
        cast(forms.ChoiceField, self.fields["category"]).choices = widgets.Choices(
            [("", "No category"), *category_choices]
        )
        self.fields["owner"] = _owner_field(member_choices)
        self._style()

    def clean_title(self) -> str:
        return str(self.cleaned_data["title"]).strip()

    def clean_due(self) -> date | None:
        due: date | None = self.cleaned_data["due"]
        if "due" in self.changed_data:
            _not_past(due, self.today)
        return due


class StatusForm(forms.Form):
    """Mark an item done, dropped or open again."""

    item = forms.IntegerField(
        min_value=1, error_messages={"required": "Which item?", "invalid": "Unknown item."}
    )
    status = forms.ChoiceField(
        choices=PlanItem.Status.choices,
        error_messages={
            "required": "Say what the item is now: open, done or dropped.",
            "invalid_choice": "Unknown status: an item is open, done or dropped.",
        },
    )
    back = forms.ChoiceField(choices=[("plan", "plan"), ("team", "team")], required=False)


class AddPracticeForm(forms.Form):
    """A next step of a result, added to the plan with an optional owner and due date."""

    assessment = forms.IntegerField(
        min_value=1, error_messages={"required": "Which result?", "invalid": "Unknown result."}
    )
    practice = forms.CharField(
        max_length=KEY_LENGTH,
        error_messages={"required": "Which practice?", "max_length": "Unknown practice."},
    )
    due = _date_field("Due")

    def __init__(self, data: Mapping[str, Any], *, members: Sequence[tuple[int, str]], today: date):
        super().__init__(data)
        self.today = today
        self.fields["owner"] = _owner_field(members)

    def clean_due(self) -> date | None:
        due: date | None = self.cleaned_data["due"]
        _not_past(due, self.today)
        return due
