"""Who may see which assessment: the object for a user allowed to see it, Http404 for
anyone else, so outsiders learn nothing, not even that it exists."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404

from maturity import generation
from maturity.compiled import CompiledQuery, placeholder, possible_key
from teams.access import managed
from teams.models import AnyUser

from .models import Assessment
from .reports import shown_assessment

# Stand for the request's user and assessment while FOR_PAGES's SQL is compiled.
USER_ID, ASSESSMENT_ID = placeholder(), placeholder()

# The assessment as its pages read it (Assessment.objects.for_pages), on every view of the
# questionnaire, review and outcomes: compiled once per process (maturity.compiled).
FOR_PAGES = CompiledQuery(
    lambda: Assessment.objects.for_pages(get_user_model()(pk=USER_ID)).filter(pk=ASSESSMENT_ID)
)


ASSESSMENT_SECONDS = 5 * 60


def _for_pages(user: AnyUser, pk: int) -> Assessment:
    """The assessment as FOR_PAGES reads it for the user (one query), kept under the data
    generation, which every write of what it reads moves on (the assessment, its team,
    model and delivery metrics, the team's memberships; a draft's answers are not read
    here). Each caller gets its own copy: a view may change its assessment's fields."""
    assessment: Assessment | None = (
        generation.cached_copy(
            "assessment-for-pages",
            (user.pk, pk),
            lambda: next(iter(FOR_PAGES.objects({USER_ID: user.pk, ASSESSMENT_ID: pk})), None),
            ASSESSMENT_SECONDS,
        )
        if possible_key(Assessment, pk)
        else None
    )
    if assessment is None:
        raise Http404("No assessment matches the given query.")
    return assessment


def get_assessment_for_user(user: AnyUser, pk: int, *, to_edit: bool = False) -> Assessment:
    """Members see and edit their team's assessments; its managers see submitted ones."""
    return _if_visible(user, _for_pages(user, pk), to_edit=to_edit)


def get_result_for_user(user: AnyUser, pk: int, *, with_record: bool = True) -> Assessment:
    """As get_assessment_for_user, for the pages that show an assessment's record (its
    result, answers and export): read with its team and the user's role only, and without
    the record where the page has no use for it (reports.shown_assessment)."""
    assessment = shown_assessment(user, pk, with_record=with_record)
    if assessment is None:
        raise Http404("No assessment matches the given query.")
    return _if_visible(user, assessment, to_edit=False)


def _if_visible(user: AnyUser, assessment: Assessment, *, to_edit: bool) -> Assessment:
    readable = not to_edit and not assessment.is_draft
    if assessment.is_member or (readable and managed(user).covers(assessment.team)):
        return assessment
    raise Http404("No assessment matches the given query.")


def get_record_for_user(user: AnyUser, pk: int) -> Assessment:
    """A submitted assessment, with its record, for a user who may see it (export.json and
    the API): Http404 for a draft as for anything the user may not see."""
    assessment = get_result_for_user(user, pk)
    if assessment.record is None:
        raise Http404("Only submitted assessments have a record.")
    return assessment


def get_assessment_to_void(user: AnyUser, pk: int) -> Assessment:
    """A submitted assessment of a team the user leads (staff void in the admin)."""
    assessment = _for_pages(user, pk)
    if assessment.is_lead and not assessment.is_draft:
        return assessment
    raise Http404("No assessment matches the given query.")
