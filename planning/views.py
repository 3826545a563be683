"""The team page and the plan: targets per category and plan items. Members write their
team's plan; managers read it (a POST gets 403); anyone else gets 404. Every write is a
POST that redirects, or shows the page again with what was refused and why."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from assessments.models import Assessment
from maturity.markup import page_with
from teams.access import get_team_for_user
from teams.models import Team

from .board import plan_board, team_members
from .forms import AddPracticeForm, PlanItemForm, StatusForm, TargetsForm
from .models import OpenItemExists, PlanItem, Target
from .page import Refused, plan_content, team_content
from .steps import recorded_answer


@require_safe
@login_required
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    content = team_content(team, timezone.localdate())
    return page_with(request, "assessments/team.html", {"team": team}, content)


def _team_to_plan(request: HttpRequest, slug: str) -> Team | HttpResponse:
    """The team for a member; for a manager, who reads it, a 403 page; 404 for anyone else."""
    team = get_team_for_user(request.user, slug)
    if team.is_member:
        return team
    return render(request, "planning/read_only.html", {"team": team}, status=403)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def team_plan(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return _plan_page(request, get_team_for_user(request.user, slug))
    team = _team_to_plan(request, slug)
    if isinstance(team, HttpResponse):
        return team
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        message = "Nothing was changed: the form sent no action this page knows."
        return _plan_page(request, team, Refused(message), status=400)
    return action(request, team)


def _plan_page(
    request: HttpRequest, team: Team, refused: Refused | None = None, *, status: int = 200
) -> HttpResponse:
    """The plan page; for members with its forms, as sent when a POST was `refused`."""
    content = plan_content(team, timezone.localdate(), refused)
    return page_with(request, "planning/plan.html", {"team": team}, content, status)


def _back_to_plan(request: HttpRequest, team: Team) -> HttpResponse:
    return redirect("team_plan", slug=team.slug)


def _save_targets(request: HttpRequest, team: Team) -> HttpResponse:
    today = timezone.localdate()
    board = plan_board(team, today)
    targets = {row.slug: row.target for row in board.targets if row.target is not None}
    basis = board.basis
    form = TargetsForm(
        request.POST,
        categories=basis.categories,
        levels=basis.target_levels,
        targets=targets,
        today=today,
    )
    if not form.is_valid():
        message = "The targets were not saved: see what to correct below."
        return _plan_page(request, team, Refused(message, board, targets_form=form), status=400)
    wanted = form.wanted()
    if not wanted:
        messages.info(request, "The targets are as they were: nothing to save.")
        return _back_to_plan(request, team)
    Target.objects.set_for(team, wanted)
    messages.success(request, "Targets saved.")
    return _back_to_plan(request, team)


def _add_item(request: HttpRequest, team: Team) -> HttpResponse:
    today = timezone.localdate()
    board, members = plan_board(team, today), team_members(team)
    form = PlanItemForm(
        request.POST,
        categories=board.basis.categories,
        members=members,
        today=today,
        prefix="new",
    )
    if not form.is_valid():
        message = "The item was not added: see what to correct below."
        refused = Refused(message, board, members, add_form=form)
        return _plan_page(request, team, refused, status=400)
    data = form.cleaned_data
    PlanItem.objects.create(
        team=team,
        title=data["title"],
        category=data["category"],
        owner_id=data["owner"],
        due=data["due"],
    )
    messages.success(request, f"Added to the plan: {data['title']}")
    return _back_to_plan(request, team)


def _team_item(team: Team, request: HttpRequest) -> PlanItem:
    """The item the POST names, of this team (404 for any other: ids are not secrets,
    but another team's plan is not this page's to touch)."""
    raw = request.POST.get("item", "")
    return get_object_or_404(
        PlanItem.objects.select_related("owner"),
        pk=int(raw) if raw.isascii() and raw.isdigit() else 0,  # not "²": isdigit, no int
        team=team,
    )


def _edit_item(request: HttpRequest, team: Team) -> HttpResponse:
    item = _team_item(team, request)
    today = timezone.localdate()
    if not item.is_open:
        message = f"“{item.title}” is {item.get_status_display().lower()}: reopen it to edit it."
        return _plan_page(request, team, Refused(message), status=400)
    board, members = plan_board(team, today), team_members(team)
    form = PlanItemForm(
        request.POST,
        categories=board.basis.categories,
        members=members,
        today=today,
        item=item,
        prefix=f"item-{item.pk}",
    )
    if not form.is_valid():
        message = f"“{item.title}” was not saved: see what to correct below."
        refused = Refused(message, board, members, edited=(item.pk, form))
        return _plan_page(request, team, refused, status=400)
    if not form.has_changed():
        messages.info(request, f"“{item.title}” is as it was: nothing to save.")
        return _back_to_plan(request, team)
    data = form.cleaned_data
    item.title, item.category, item.owner_id, item.due = (
        data["title"],
        data["category"],
        data["owner"],
        data["due"],
    )
    item.save(update_fields=["title", "category", "owner", "due"])
    messages.success(request, f"Saved: {item.title}")
    return _back_to_plan(request, team)


STATUS_SAID = {
    PlanItem.Status.DONE: "Done: {title}",
    PlanItem.Status.DROPPED: "Dropped: {title}",
    PlanItem.Status.OPEN: "Open again: {title}",
}


def _set_status(request: HttpRequest, team: Team) -> HttpResponse:
    form = StatusForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _plan_page(request, team, Refused(f"Nothing was changed. {errors}"), status=400)
    item = _team_item(team, request)
    status = form.cleaned_data["status"]
    try:
        changed = item.set_status(status)
    except OpenItemExists as exc:
        message = (
            f"“{item.title}” was not reopened: “{exc.item.title}” is open for the same "
            "practice already."
        )
        return _plan_page(request, team, Refused(message), status=409)
    if changed:
        messages.success(request, STATUS_SAID[status].format(title=item.title))
    else:
        messages.info(request, f"“{item.title}” is {item.get_status_display().lower()} already.")
    if form.cleaned_data["back"] == "team":
        return redirect("team_detail", slug=team.slug)
    return _back_to_plan(request, team)


ACTIONS: dict[str, Callable[[HttpRequest, Team], HttpResponse]] = {
    "targets": _save_targets,
    "add": _add_item,
    "edit": _edit_item,
    "status": _set_status,
}


@require_POST
@login_required
def plan_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a next step of a submitted result to the plan: an open item titled with the
    practice as the result stated it. While one is open for that practice, say so."""
    team = _team_to_plan(request, slug)
    if isinstance(team, HttpResponse):
        return team
    form = AddPracticeForm(request.POST, members=team_members(team), today=timezone.localdate())
    if not form.is_valid():
        pk: int | None = form.cleaned_data.get("assessment")
        known = Assessment.objects.filter(team=team, submitted_at__isnull=False)
        return _add_refused(request, team, known.filter(pk=pk).first() if pk else None, form=form)
    data = form.cleaned_data
    assessment = _submitted_of(team, data["assessment"])
    if assessment.is_voided:
        message = "This result was voided: its next steps no longer count."
        return _add_refused(request, team, assessment, message=message)
    answer = recorded_answer(assessment.record or {"answers": []}, data["practice"])
    if answer is None:
        message = "That practice is not one this result answered."
        return _add_refused(request, team, assessment, message=message)
    item, created = PlanItem.add_practice(
        assessment,
        key=answer["key"],
        title=answer["text"],
        category=answer["category"],
        owner_id=data["owner"],
        due=data["due"],
    )
    if created:
        messages.success(request, f"Added to the plan: {item.title}")
    else:
        since = date_format(timezone.localtime(item.created_at), "j M Y")
        messages.info(request, f"Already in the plan, open since {since}: {item.title}")
    return redirect("assessment_result", pk=assessment.pk)


def _submitted_of(team: Team, pk: int) -> Assessment:
    """A submitted assessment of the team (voided ones too); 404 for any other."""
    return get_object_or_404(
        Assessment.objects.filter(team=team, submitted_at__isnull=False), pk=pk
    )


def _add_refused(
    request: HttpRequest,
    team: Team,
    assessment: Assessment | None,
    *,
    form: AddPracticeForm | None = None,
    message: str = "",
) -> HttpResponse:
    errors = [str(error) for errors in form.errors.values() for error in errors] if form else []
    ctx = {
        "team": team,
        "assessment": assessment,
        "errors": [message, *errors] if message else errors,
    }
    return render(request, "planning/add_refused.html", ctx, status=400)
