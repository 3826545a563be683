"""One answer's fields on the questionnaire page, written out in Python: a status radio
group and a note, each beside a hidden copy of the value it was rendered with ("was"),
so a save writes only what changed. Bootstrap's markup, as a form's widgets would write
it. The page has two or four dozen of these: through the template engine they cost more
than the rest of the page together. Every value that is not the code's own is escaped here,
as it is written in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape  # Django's escape() without its wrapper, which cost more than escaping

from django.utils.safestring import SafeString

from maturity.markup import safe

from .edits import Conflict
from .models import NOTE_MAX_LENGTH
from .records import status_label
from .scoring import Status

STATUS_OPTIONS = tuple(Status.choices)  # what an answer's radio group offers
RADIO = (
    '<div class="form-check form-check-inline">'
    '<input class="form-check-input{}" type="radio" name="{}" id="{}" value="{}"{}>'
    '<label class="form-check-label" for="{}">{}</label>'
    "</div>"
)
FIELDS = """<div class="answer-fields" data-answer="{name}">
  <fieldset class="mb-2" aria-labelledby="practice-{practice_id} {id}_legend"{described}>
    <legend class="form-label fs-6 mb-1{legend_hidden}" id="{id}_legend">{legend}</legend>
    <div class="answer-choices">
      {radios}
    </div>
    {errors}
  </fieldset>
  <input type="hidden" name="{name}-was" value="{was}">
  <details class="mb-2"{opened}>
    <summary class="small">{note_summary}</summary>
    <label class="form-label small mt-2" for="{note_id}">Note \
<span class="text-body-secondary">(needed for not applicable: say why)</span></label>
    <textarea class="form-control{note_invalid}" name="{note_name}" id="{note_id}" \
rows="1" maxlength="{note_max_length}">{note}</textarea>
    {note_errors}
  </details>
  <input type="hidden" name="{note_name}-was" value="{note_was}">
  {conflicts}
</div>"""
ERROR = '<div class="invalid-feedback d-block" id="{}_error">{}</div>'
NOTE_ERROR = '<div class="invalid-feedback d-block">{}</div>'
CONFLICT = """<div class="alert alert-warning py-2 small conflict" role="alert" \
data-field="{field}">
    <strong>Changed by a teammate while you were editing.</strong>
    {both}
    The field shows yours: save again to keep it, or choose theirs.
  </div>"""
STATUS_CONFLICT = "Saved now: <strong>{}</strong>. Yours, not saved: <strong>{}</strong>."
NOTE_CONFLICT = "Saved note now: <q>{}</q>. Yours, not saved: <q>{}</q>."


@dataclass(slots=True)  # not frozen: a frozen dataclass is built 7x slower, 24-48 a page
class AnswerFields:
    """One answer's fields: names, ids, the values shown and as rendered ("was"), errors,
    and what the last save said about them. Plain values, read once."""

    name: str  # of the status field; the note's is note_name
    id: str
    value: str
    was: str
    errors: list[str]
    note_name: str
    note_id: str
    note: str
    note_was: str
    note_errors: list[str]
    conflicts: tuple[Conflict, ...] = ()
    refusal: str = ""

    @property
    def invalid(self) -> bool:
        return bool(self.errors or self.refusal)

    def html(
        self, practice_id: int, legend: str, note_summary: str, *, legend_hidden: bool = False
    ) -> SafeString:
        """The fields, labelled by the practice's text and `legend`; the note folded away
        under `note_summary` unless there is one (or something to say about it)."""
        layout, radios = _layout(
            self.name,
            self.id,
            self.note_name,
            self.note_id,
            practice_id,
            legend,
            note_summary,
            legend_hidden,
            self.invalid,
        )
        return safe(
            layout.format(
                radios=radios.get(self.value, radios[""]),
                errors=self._errors() if self.invalid else "",
                was=escape(self.was),
                opened=" open" if self.note or self.note_errors or self.refusal else "",
                note_invalid=" is-invalid" if self.note_errors else "",
                note=escape(self.note),
                note_errors="".join(NOTE_ERROR.format(escape(error)) for error in self.note_errors),
                note_was=escape(self.note_was),
                conflicts="\n".join(_conflict(conflict) for conflict in self.conflicts),
            )
        )

    def _errors(self) -> str:
        shown = [*self.errors, *([self.refusal] if self.refusal else [])]
        return "".join(ERROR.format(escape(self.id), escape(error)) for error in shown)


# The slots of FIELDS that an answer's values fill; _layout writes the others.
VALUE_SLOTS = (
    "radios", "errors", "was", "opened", "note_invalid", "note", "note_errors", "note_was",
    "conflicts",
)  # fmt: skip


@lru_cache(maxsize=4096)
def _layout(
    name: str,
    field_id: str,
    note_name: str,
    note_id: str,
    practice_id: int,
    legend: str,
    note_summary: str,
    legend_hidden: bool,
    invalid: bool,
) -> tuple[str, dict[str, str]]:
    """What of an answer's fields its names and labels decide, written once per process
    (a page writes two or four dozen, the same ones on every view): FIELDS with the slots
    of the answer's values left to fill, and the radio group with each status checked
    (under "": none)."""
    fixed = {
        "name": escape(name),
        "practice_id": int(practice_id),
        "id": escape(field_id),
        "described": f' aria-describedby="{escape(field_id)}_error"' if invalid else "",
        "legend_hidden": " visually-hidden" if legend_hidden else "",
        "legend": escape(legend),
        "note_summary": escape(note_summary),
        "note_id": escape(note_id),
        "note_name": escape(note_name),
        "note_max_length": NOTE_MAX_LENGTH,
    }
    braced = {key: str(value).replace("{", "{{").replace("}", "}}") for key, value in fixed.items()}
    layout = FIELDS.format(**braced, **{slot: f"{{{slot}}}" for slot in VALUE_SLOTS})
    radio_class = " is-invalid" if invalid else ""

    def radios(checked: str) -> str:
        return "\n".join(
            RADIO.format(
                radio_class,
                fixed["name"],
                f"{fixed['id']}_{index}",
                value,
                " checked" if value == checked else "",
                f"{fixed['id']}_{index}",
                label,
            )
            for index, (value, label) in enumerate(STATUS_OPTIONS)
        )

    return layout, {checked: radios(checked) for checked in ("", *dict(STATUS_OPTIONS))}


def _conflict(conflict: Conflict) -> str:
    """What a teammate saved in a field while the user was editing it, and what the user
    sent."""
    if conflict.field == "status":
        theirs, yours = status_label(conflict.theirs), status_label(conflict.yours)
        both = STATUS_CONFLICT.format(escape(theirs), escape(yours))
    else:
        theirs, yours = conflict.theirs or "(empty)", conflict.yours or "(empty)"
        both = NOTE_CONFLICT.format(escape(theirs), escape(yours))
    return CONFLICT.format(field=escape(conflict.field), both=both)
