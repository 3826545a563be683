"""The team's members page. Leads add, change roles and remove (teams.members holds the
rules); members and managers read the list; anyone else gets 404. Every write is a POST
that redirects, or shows the page again with what was refused and why."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import members
from .access import get_team_for_user
from .forms import AddMemberForm, MemberForm, RoleForm
from .models import Membership, Team

# What a refusal answers: a form naming nobody on the team 400, a change that the team
# as a teammate left it does not allow 409, someone who is not a lead 403. (Adding
# someone already on the team is an error on the add form: 400.)
REFUSAL_STATUS: dict[type[members.Refused], int] = {
    members.NotOnTeam: 400,
    members.LastLead: 409,
    members.ChangedMeanwhile: 409,
    members.NotALead: 403,
}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def team_members(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    if request.method != "POST":
        return _members_page(request, team)
    is_lead = Membership.objects.filter(
        team=team, user=request.user.pk, role=Membership.Role.LEAD
    ).exists()
    if not is_lead:
        message = "Only the team's leads change its members: nothing was changed."
        return _members_page(request, team, refusal=message, status=403)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        message = "Nothing was changed: the form sent no action this page knows."
        return _members_page(request, team, refusal=message, status=400)
    return action(request, team)


def _members_page(
    request: HttpRequest,
    team: Team,
    *,
    add_form: AddMemberForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    """The list; for a lead with its forms (a refused add's form as sent) and the log."""
    roster = members.roster(team)
    is_lead = any(m.user_id == request.user.pk and m.role == Membership.Role.LEAD for m in roster)
    log = members.log(team) if is_lead else []
    ctx = {
        "team": team,
        "roster": roster,
        "only_lead": members.only_lead(roster),
        "is_lead": is_lead,
        "add_form": (add_form or AddMemberForm()) if is_lead else None,
        "log": [(change, members.who(change), members.what(change)) for change in log],
        "refusal": refusal,
    }
    return render(request, "teams/members.html", ctx, status=status)


def _refused(request: HttpRequest, team: Team, refusal: members.Refused) -> HttpResponse:
    status = REFUSAL_STATUS[type(refusal)]
    message = f"Nothing was changed. {refusal}"
    return _members_page(request, team, refusal=message, status=status)


def _back(team: Team) -> HttpResponse:
    return redirect("team_members", slug=team.slug)


def _invalid(request: HttpRequest, team: Team) -> HttpResponse:
    message = "Nothing was changed: the form did not name a member and a role of this team."
    return _members_page(request, team, refusal=message, status=400)


def _add(request: HttpRequest, team: Team) -> HttpResponse:
    form = AddMemberForm(request.POST)
    if form.is_valid():
        user, role = form.cleaned_data["who"], form.cleaned_data["role"]
        try:
            change = members.add(team, user, role, by=request.user)
        except members.AlreadyOnTeam as exc:
            form.add_error("who", str(exc))
        except members.Refused as exc:
            return _refused(request, team, exc)
        else:
            messages.success(request, f"Done: you {members.what(change)}.")
            return _back(team)
    message = "Nobody was added: see what to correct below."
    return _members_page(request, team, add_form=form, refusal=message, status=400)


def _change_role(request: HttpRequest, team: Team) -> HttpResponse:
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _invalid(request, team)
    data = form.cleaned_data
    try:
        change = members.change_role(
            team, data["user"], data["role"], was=data["was"], by=request.user
        )
    except members.Refused as exc:
        return _refused(request, team, exc)
    if change is None:
        messages.info(request, "That member has that role already: nothing to change.")
    else:
        messages.success(request, f"Done: you {members.what(change)}.")
    return _back(team)


def _remove(request: HttpRequest, team: Team) -> HttpResponse:
    form = MemberForm(request.POST)
    if not form.is_valid():
        return _invalid(request, team)
    data = form.cleaned_data
    try:
        change = members.remove(team, data["user"], was=data["was"], by=request.user)
    except members.Refused as exc:
        return _refused(request, team, exc)
    if change.user_id == request.user.pk:
        messages.success(request, f"You left {team.name}.")
        return redirect("home")
    messages.success(request, f"Done: you {members.what(change)}.")
    return _back(team)


ACTIONS: dict[str, Callable[[HttpRequest, Team], HttpResponse]] = {
    "add": _add,
    "role": _change_role,
    "remove": _remove,
}
