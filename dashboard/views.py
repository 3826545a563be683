"""The managers' dashboard and its CSV export."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.views.decorators.http import require_safe

from maturity import generation
from maturity.markup import kept_content, page_with
from teams.access import require_manager
from teams.models import Team

from .data import active_models, add_checks, add_details, load_dashboard
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


CONTENT_SECONDS = 5 * 60


def _content(selection: Selection) -> bytes:
    """The dashboard below the navigation, as maturity.markup.page_with() takes it: the
    filters, and the sections when a model is active. With a shared cache it is kept
    under the data generation, the units the manager sees, the filters understood (and
    whether some were not), the day and the script prefix, and rendered again once
    anything it shows is written; without one it is rendered every time. The filters
    show what was understood: that is all the sections depend on."""
    active = selection.active
    not_understood = bool(selection.sent.errors)

    def render_content() -> bytes:
        ctx: dict[str, object] = {
            "form": selection.form,
            "active": active,
            "not_understood": not_understood,
        }
        if active is not None:
            ctx.update(dashboard_context(active, selection))
        return kept_content(render_to_string("dashboard/_content.html", ctx))

    visible = selection.units.visible
    depends_on = (
        "all" if visible is None else sorted(visible),
        active.model.pk if active else None,
        selection.query.urlencode(),
        not_understood,
        timezone.localdate(),
        get_script_prefix(),
    )
    return generation.cached("dashboard", depends_on, render_content, CONTENT_SECONDS)


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return page_with(request, "dashboard/dashboard.html", {}, _content(_selection(request)))


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
