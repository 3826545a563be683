"""The widgets of the plan's forms, and each field with its label and errors, written out in
Python: the HTML of Django's widget templates, character for character
(tests/test_planning.py compares them). The plan page shows two dozen fields; through the
template engine, with an include per field, per option and per list of attributes, they
cost more than everything else on the page together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from html import escape
from typing import Any

from django import forms
from django.forms import BoundField
from django.forms.renderers import BaseRenderer
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.safestring import SafeString, mark_safe

from maturity.markup import escaped as escaped_text


def escaped(value: Any) -> str:
    """As Django's conditional_escape(): HTML kept as it is, the rest escaped; without its
    lazy-string wrapper, which cost more than the escaping (a plan page escapes some 200
    values, most of them the same names and classes on every view)."""
    if type(value) is str:
        return escaped_text(value)
    return str(value.__html__()) if hasattr(value, "__html__") else escape(str(value))


def _attrs(attrs: Mapping[str, Any]) -> str:
    """As django/forms/widgets/attrs.html writes them: True as a bare name, False left out."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Input(forms.widgets.Input):
    """django/forms/widgets/input.html"""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        kind, value = escaped(widget["type"]), widget["value"]
        shown = "" if value is None else f' value="{escaped(value)}"'
        written = _attrs(widget["attrs"])
        return mark_safe(f'<input type="{kind}" name="{escaped(name)}"{shown}{written}>')


class TextInput(Input, forms.TextInput):
    pass


class DateInput(Input, forms.DateInput):
    """A browser's date picker, its value as ISO 8601. A field given the class, not an
    instance, builds its own rather than deep-copying one (a plan page has seven)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None):
        super().__init__(attrs, format or "%Y-%m-%d")


class HiddenInput(Input, forms.HiddenInput):
    pass


class Choices(BaseChoiceIterator):
    """(value, label) pairs, taken by a field and its widget as they are (Django
    normalises a list of choices again for each: a plan page's selects have dozens), each
    option written once for every select that offers it (the targets' six)."""

    def __init__(self, pairs: Iterable[tuple[Any, str]]):
        self.pairs = list(pairs)

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        return iter(self.pairs)

    @cached_property
    def parts(self) -> list[str | Option]:
        return list(_option_parts(self.pairs))


class Select(forms.Select):
    """django/forms/widgets/select.html, with select_option.html for each option, written
    from the choices themselves: Django's context for them builds a dict for each."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        choices = self.choices
        parts = choices.parts if isinstance(choices, Choices) else _option_parts(choices)
        options = "".join(_written(parts, self.format_value(value)))
        written = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escaped(name)}"{written}>{options}\n</select>')


Option = tuple[str, str, str]  # an option's value as text, and the option unselected, selected


def _option_parts(choices: Iterable[tuple[Any, Any]]) -> Iterator[str | Option]:
    """Each option, and the markup of the groups around them where a choice holds a list
    of options."""
    for value, label in choices:
        group = "" if value is None else value
        nested = isinstance(label, (list, tuple))
        if nested and group:
            yield f'\n  <optgroup label="{escaped(group)}">'
        for option_value, option_label in label if nested else [(group, label)]:
            head = f'\n  <option value="{escaped(option_value)}"'
            tail = f">{escaped(option_label)}</option>\n"
            yield str(option_value), head + tail, f"{head} selected{tail}"
        if nested and group:
            yield "\n  </optgroup>"


def _written(parts: Iterable[str | Option], chosen: Sequence[str]) -> Iterator[str]:
    """The options with the chosen one selected: as ChoiceWidget.optgroups does, only the
    first option of a chosen value."""
    selected_one = False
    for part in parts:
        if isinstance(part, str):
            yield part
            continue
        text, unselected, selected = part
        if not selected_one and text in chosen:
            selected_one = True
            yield selected
        else:
            yield unselected


def with_label(field: BoundField) -> SafeString:
    """The field with its label shown above it, then its errors."""
    return _labelled(field, "form-label")


def with_hidden_label(field: BoundField) -> SafeString:
    """The field with a label for screen readers only (a table's header names it), then
    its errors."""
    return _labelled(field, "visually-hidden")


def _labelled(field: BoundField, label_class: str) -> SafeString:
    label = (
        f'<label class="{label_class}" for="{escaped(field.id_for_label)}">'
        f"{escaped(field.label)}</label>"
    )
    errors, found = "", field.errors
    if found:
        shown = " ".join(escaped(str(error)) for error in found)
        error_id = f"{escaped(field.auto_id)}-error"
        errors = f'<div class="invalid-feedback" id="{error_id}">{shown}</div>'
    return mark_safe(f"{label}\n{field}\n{errors}")
