"""The managers' dashboard and its CSV export."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from maturity import generation
from teams.access import require_manager
from teams.models import Team

from .data import ActiveModel, active_models, add_checks, add_details, load_dashboard
from .export import csv_rows
from .forms import DashboardForm, Selection
from .rollup import Units
from .sections import dashboard_context


def _selection(request: HttpRequest) -> Selection:
    """The selection of a manager; anyone else gets 404."""
    scope = require_manager(request.user)
    models = active_models()
    units = Units.load(None if scope.everything else scope.units)
    sent = DashboardForm(
        request.GET or None, models=[active.model for active in models], units=units
    )
    chosen = sent.chosen_model()
    active = next((active for active in models if active.model == chosen), None)
    unit = sent.chosen_unit()
    if unit is not None:
        teams: QuerySet[Team] | None = scope.teams().filter(unit__in=units.subtree(unit))
    else:
        teams = None if scope.everything else scope.teams()
    query = sent.understood_query(request.GET.getlist("teams"))
    return Selection(sent, query, active, units, unit, teams)


SECTIONS_SECONDS = 5 * 60


def _sections(request: HttpRequest, selection: Selection, active: ActiveModel) -> str:
    """The dashboard's sections as HTML. With a shared cache they are kept under the data
    generation (maturity.generation), the units the manager sees, the filters understood
    and the day, and rendered again once anything they show is written; without one they
    are rendered every time."""

    def render_sections() -> str:
        ctx = dashboard_context(active, selection)
        return render_to_string("dashboard/_sections.html", ctx, request)

    visible = selection.units.visible
    seen = "all" if visible is None else sorted(visible)
    depends_on = (seen, active.model.pk, selection.query.urlencode(), timezone.localdate())
    return generation.cached("dashboard", depends_on, render_sections, SECTIONS_SECONDS)


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    active = selection.active
    ctx: dict[str, object] = {
        "form": selection.sent,
        "active": active,
        "query": selection.query.urlencode(),
    }
    if active is not None:
        ctx["sections"] = mark_safe(_sections(request, selection, active))  # rendered
    return render(request, "dashboard/dashboard.html", ctx)


@require_safe
@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    selection = _selection(request)
    if selection.active is None:
        raise Http404("No active maturity model.")
    model = selection.active.model
    data = load_dashboard(model, selection.since, selection.teams)
    add_details(data.rows)
    add_checks(data.rows)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="maturity-{data.model.slug}-{stamp}.csv"'
    )
    csv.writer(response).writerows(csv_rows(data, selection.units))
    return response
