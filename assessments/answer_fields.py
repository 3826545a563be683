"""One answer's fields on the questionnaire page, written out in Python: a status radio
group and a note, each beside a hidden copy of the value it was rendered with ("was"),
so a save writes only what changed. Bootstrap's markup, as a form's widgets would write
it. The page has two or four dozen of these: through the template engine they cost more
than the rest of the page together. Every value that is not the code's own is escaped here,
as it is written in."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape  # Django's escape() without its wrapper, which cost more than escaping

from django.utils.safestring import SafeString, mark_safe

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


@dataclass(frozen=True)
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
        shown_errors = [*self.errors, *([self.refusal] if self.refusal else [])]
        field_id = escape(self.id)
        return mark_safe(
            FIELDS.format(
                name=escape(self.name),
                practice_id=int(practice_id),
                id=field_id,
                described=f' aria-describedby="{field_id}_error"' if self.invalid else "",
                legend_hidden=" visually-hidden" if legend_hidden else "",
                legend=escape(legend),
                radios=self._radios(),
                errors="".join(ERROR.format(field_id, escape(error)) for error in shown_errors),
                was=escape(self.was),
                opened=" open" if self.note or self.note_errors or self.refusal else "",
                note_summary=escape(note_summary),
                note_id=escape(self.note_id),
                note_invalid=" is-invalid" if self.note_errors else "",
                note_name=escape(self.note_name),
                note_max_length=NOTE_MAX_LENGTH,
                note=escape(self.note),
                note_errors="".join(NOTE_ERROR.format(escape(error)) for error in self.note_errors),
                note_was=escape(self.note_was),
                conflicts="\n".join(_conflict(conflict) for conflict in self.conflicts),
            )
        )

    def _radios(self) -> SafeString:
        """The status's radio buttons, the one shown checked."""
        invalid = " is-invalid" if self.invalid else ""
        name, field_id = escape(self.name), escape(self.id)
        return mark_safe(
            "\n".join(
                RADIO.format(
                    invalid,
                    name,
                    f"{field_id}_{index}",
                    value,
                    " checked" if value == self.value else "",
                    f"{field_id}_{index}",
                    label,
                )
                for index, (value, label) in enumerate(STATUS_OPTIONS)
            )
        )


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
