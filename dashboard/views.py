"""The managers' dashboard and its CSV export."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from teams.access import require_manager

from .data import ActiveModel, active_models, load_dashboard
from .export import csv_rows
from .forms import DashboardForm
from .sections import dashboard_context


def _selection(request: HttpRequest) -> tuple[DashboardForm, ActiveModel | None]:
    """The filters as sent and the model they choose, for managers only."""
    require_manager(request.user)
    models = active_models()
    form = DashboardForm(request.GET or None, models=[active.model for active in models])
    chosen = form.chosen_model()
    return form, next((active for active in models if active.model == chosen), None)


def _since(form: DashboardForm) -> datetime | None:
    days = form.within_days()
    return timezone.now() - timedelta(days=days) if days else None


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, active = _selection(request)
    ctx: dict[str, object] = {"form": form, "active": active, "query": request.GET.urlencode()}
    if active is not None:
        ctx.update(dashboard_context(active, _since(form), form, request.GET))
    return render(request, "dashboard/dashboard.html", ctx)


@require_safe
@login_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    form, active = _selection(request)
    if active is None:
        raise Http404("No active maturity model.")
    data = load_dashboard(active.model, _since(form))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = (
        f'attachment; filename="maturity-{data.model.slug}-{stamp}.csv"'
    )
    csv.writer(response).writerows(csv_rows(data))
    return response
