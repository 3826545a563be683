"""The pages of teams, questionnaires and results. Views stay thin: the rules live in
models, scoring, reports and history. SVG from charts is marked safe as it is: charts
escape every text they put in.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods, require_safe

from maturity.markup import page_with
from maturity.models import MaturityModel
from maturity.tree import CategoryNode, ModelTree, load_tree
from teams.access import get_team_for_user, managed
from teams.models import Team

from . import dora
from .access import (
    get_assessment_for_user,
    get_assessment_to_void,
    get_record_for_user,
    get_result_for_user,
)
from .agreement import NO_VOTES
from .cadence import overdue_managed
from .display import time_to_answer
from .draft_pages import ReviewStep, Unsaved, questionnaire_content, review_content
from .edits import Whose
from .forms import (
    CategoryAnswersForm,
    NewAssessmentForm,
    OutcomesForm,
    VoidForm,
    saved_reply,
)
from .home import drafts, team_summaries
from .models import (
    AlreadySubmitted,
    AlreadyVoided,
    Assessment,
    Discarded,
    DraftUnderWay,
    Incomplete,
)
from .reports import ANSWERS_PARTS, RESULT_PARTS


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    my_teams = team_summaries(request.user)
    scope = managed(request.user)
    ctx = {
        "my_teams": my_teams,
        "managed": overdue_managed(scope) if scope else None,
        "drafts": drafts(request.user) if my_teams else [],
    }
    return render(request, "assessments/home.html", ctx)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def new_assessment(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug, to_edit=True)
    under_way = Assessment.objects.drafts().filter(team=team).select_related("created_by").first()
    if under_way is not None:
        return _draft_under_way(request, team, under_way)
    last = Assessment.objects.submitted().filter(team=team).order_by("-submitted_at").first()
    form = NewAssessmentForm(request.POST or None, can_prefill=last is not None)
    if request.method == "POST" and form.is_valid():
        prefill = last if form.cleaned_data.get("prefill") else None
        try:
            assessment = Assessment.start(
                team, form.cleaned_data["model"], request.user, prefill_from=prefill
            )
        except DraftUnderWay as exc:  # a teammate started one a moment ago
            return _draft_under_way(request, team, exc.draft)
        first = assessment.tree().categories[0]
        return redirect("assessment_edit", pk=assessment.pk, category=first.slug)
    models = list(MaturityModel.objects.ready().order_by("-pk"))  # as the form offers them
    tree = load_tree(models[0].pk) if models else None  # what the first one asks
    ctx = {
        "team": team,
        "form": form,
        "last": last,
        "models": models,
        "tree": tree,
        "time_needed": time_to_answer(len(tree.practices)) if tree else "",
    }
    return render(request, "assessments/new.html", ctx)


def _draft_under_way(request: HttpRequest, team: Team, draft: Assessment) -> HttpResponse:
    """A team has one draft at a time: offer to resume or discard it."""
    status = 409 if request.method == "POST" else 200
    ctx = {"team": team, "draft": draft}
    return render(request, "assessments/draft_under_way.html", ctx, status=status)


def _discarded(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """A teammate discarded the draft a moment ago: nothing left to save or submit."""
    ctx = {"assessment": assessment}
    return render(request, "assessments/discarded_conflict.html", ctx, status=409)


def _read_only(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """A submitted assessment cannot change: GET goes to the result, a POST is refused."""
    if request.method == "POST":
        ctx = {"assessment": assessment}
        return render(request, "assessments/submitted_conflict.html", ctx, status=409)
    messages.info(request, "This assessment was submitted; its answers can no longer change.")
    return redirect("assessment_result", pk=assessment.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def edit_category(request: HttpRequest, pk: int, category: str) -> HttpResponse:
    """One category's questionnaire page. A POST writes only what the user changed
    (edits.py); the page's script sends each change as it is made and reads JSON back."""
    assessment = get_assessment_for_user(request.user, pk, to_edit=True)
    if not assessment.is_draft:
        return _read_only(request, assessment)
    tree = assessment.tree()
    node = tree.category(category)
    if node is None:
        raise Http404("This model has no such category.")
    if request.method != "POST":
        return _questionnaire(request, assessment, tree, node)
    form = CategoryAnswersForm(request.POST, category=node)
    wants_json = request.headers.get("Accept") == "application/json"
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"errors": form.errors}, status=400)
        return _questionnaire(request, assessment, tree, node, Unsaved(refused=form), 400)
    target = request.POST.get("go")
    confirm = form.practice_ids if target == "confirm" else ()
    try:
        outcome = assessment.save_edits(request.user, form.edits(), confirm=confirm)
        filled = (
            assessment.use_agreed_answers(request.user, form.practice_ids)
            if target == "agreed"
            else None
        )
    except AlreadySubmitted:
        return _read_only(request, assessment)
    except Discarded:
        return _discarded(request, assessment)
    if wants_json:
        voted = {pk for pk, whose in outcome.writes if whose is Whose.MINE}
        votes = assessment.votes(on=voted) if voted else {}
        return JsonResponse(saved_reply(outcome, {pk: votes.get(pk, NO_VOTES) for pk in voted}))
    if outcome.clean:
        _say_saved(request, node.name, target, filled)
        return _after_save(assessment, tree, node.slug, target)
    unsaved = Unsaved(outcome=outcome, kept=form.refused_values(outcome.refusals))
    return _questionnaire(
        request, assessment, tree, node, unsaved, 409 if outcome.conflicts else 400
    )


def _say_saved(request: HttpRequest, name: str, target: str | None, filled: int | None) -> None:
    if filled is not None:
        agreed = f"{filled} team answer{pluralize(filled)} set from the members' agreed answers"
        messages.success(request, f"Saved your answers for {name}; {agreed}.")
        return
    done = "Confirmed and saved" if target == "confirm" else "Saved"
    messages.success(request, f"{done} your answers for {name}.")


def _after_save(
    assessment: Assessment, tree: ModelTree, slug: str, target: str | None
) -> HttpResponse:
    before, after = tree.neighbours(slug)
    if target == "next":
        if after is None:
            return redirect("assessment_review", pk=assessment.pk)
        return redirect("assessment_edit", pk=assessment.pk, category=after.slug)
    if target == "back" and before is not None:
        return redirect("assessment_edit", pk=assessment.pk, category=before.slug)
    return redirect("assessment_edit", pk=assessment.pk, category=slug)


def _questionnaire(
    request: HttpRequest,
    assessment: Assessment,
    tree: ModelTree,
    node: CategoryNode,
    unsaved: Unsaved | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page with the stored answers, or with what a POST left `unsaved`."""
    content = questionnaire_content(request.user, assessment, tree, node, unsaved)
    ctx = {"assessment": assessment, "category": node}
    return page_with(request, "assessments/edit.html", ctx, content, status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    """The optional delivery metrics, on DORA's Quick Check."""
    assessment = get_assessment_for_user(request.user, pk, to_edit=True)
    if not assessment.is_draft:
        return _read_only(request, assessment)
    stored = assessment.delivery_answers()
    form = OutcomesForm(request.POST if request.method == "POST" else None, initial=stored)
    conflicts: list[tuple[str, int | None, int | None]] = []
    if form.is_valid():
        try:
            conflicts = assessment.save_delivery(form.answers(), form.shown())
        except AlreadySubmitted:
            return _read_only(request, assessment)
        except Discarded:
            return _discarded(request, assessment)
        if not conflicts:
            messages.success(request, "Saved your delivery outcomes.")
            return redirect("assessment_review", pk=assessment.pk)
        stored = assessment.delivery_answers()  # the user's values show, theirs are "was"
    status = 409 if conflicts else 400 if form.errors else 200
    ctx = {
        "assessment": assessment,
        "form": form,
        "progress": assessment.progress(assessment.tree(), assessment.answers_by_practice()),
        "credit": dora.CREDIT,
        "shown": stored,  # each field's "was": what is stored now
        "conflicts": [
            (dora.LABELS[metric], dora.answer_text(metric, theirs), dora.answer_text(metric, yours))
            for metric, theirs, yours in conflicts
        ],
    }
    return render(request, "assessments/outcomes.html", ctx, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """What is missing, then submit in two steps: a POST asks for confirmation, a POST
    with confirm=yes submits."""
    assessment = get_assessment_for_user(request.user, pk, to_edit=True)
    if not assessment.is_draft:
        return _read_only(request, assessment)
    step = None
    if request.method == "POST":
        step = ReviewStep.ASKED
        if request.POST.get("confirm") == "yes":
            try:
                assessment.submit(request.user)
            except AlreadySubmitted:
                return _read_only(request, assessment)
            except Discarded:
                return _discarded(request, assessment)
            except Incomplete:
                step = ReviewStep.INCOMPLETE
            else:
                messages.success(request, "Submitted. Here is where your team stands.")
                return redirect("assessment_result", pk=assessment.pk)
    content, refused = review_content(assessment, step)
    ctx = {"assessment": assessment}
    return page_with(request, "assessments/review.html", ctx, content, 400 if refused else 200)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then delete a draft for good (POST)."""
    assessment = get_assessment_for_user(request.user, pk, to_edit=True)
    if not assessment.is_draft:
        return _read_only(request, assessment)
    if request.method == "POST":
        try:
            assessment.discard()
        except AlreadySubmitted:  # submitted a moment ago
            return _read_only(request, assessment)
        except Discarded:  # by a teammate a moment ago: the same outcome
            pass
        messages.success(request, "The draft was discarded.")
        return redirect("team_detail", slug=assessment.team.slug)
    answered = assessment.progress(assessment.tree(), assessment.answers_by_practice())
    ctx = {"assessment": assessment, "progress": answered}
    return render(request, "assessments/discard.html", ctx)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def void(request: HttpRequest, pk: int) -> HttpResponse:
    """A lead leaves a mistaken submission out of every score, with a reason."""
    assessment = get_assessment_to_void(request.user, pk)
    form = VoidForm(request.POST or None)
    try:
        if request.method == "POST" and form.is_valid():
            assessment.void(request.user, form.cleaned_data["reason"])
            messages.success(request, "Voided: it no longer counts, and stays in the history.")
            return redirect("assessment_result", pk=assessment.pk)
        if assessment.is_voided:
            raise AlreadyVoided
    except AlreadyVoided:
        if request.method == "POST":
            ctx = {"assessment": assessment}
            return render(request, "assessments/voided_conflict.html", ctx, status=409)
        messages.info(request, "This assessment is voided already.")
        return redirect("assessment_result", pk=assessment.pk)
    page: dict[str, object] = {"assessment": assessment, "form": form}
    return render(request, "assessments/void.html", page, status=400 if form.errors else 200)


@require_safe
@login_required
def result(request: HttpRequest, pk: int) -> HttpResponse:
    kept = RESULT_PARTS.kept(pk)
    assessment = get_result_for_user(request.user, pk, with_record=kept is None)
    ctx = {
        "assessment": assessment,
        "parts": RESULT_PARTS.of(assessment, kept),
        "can_edit": assessment.is_member and assessment.is_draft,
    }
    return render(request, "assessments/result.html", ctx)


@require_safe
@login_required
def answers(request: HttpRequest, pk: int) -> HttpResponse:
    kept = ANSWERS_PARTS.kept(pk)
    assessment = get_result_for_user(request.user, pk, with_record=kept is None)
    ctx = {"assessment": assessment, "parts": ANSWERS_PARTS.of(assessment, kept)}
    return render(request, "assessments/answers.html", ctx)


@require_safe
@login_required
def export_json(request: HttpRequest, pk: int) -> JsonResponse:
    assessment = get_record_for_user(request.user, pk)
    # Keys sorted: PostgreSQL keeps JSON keys in an order of its own, SQLite as written.
    response = JsonResponse(assessment.record, json_dumps_params={"indent": 2, "sort_keys": True})
    filename = f"{assessment.team.slug}-assessment-{assessment.pk}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
