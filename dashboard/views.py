"""The managers' dashboard and its CSV export."""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from maturity import generation
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


SECTIONS_SECONDS = 5 * 60


def _sections(request: HttpRequest, form: DashboardForm, active: ActiveModel) -> str:
    """The dashboard's sections as HTML. With a shared cache they are kept under the data
    generation (maturity.generation), the filters and the day, and rendered again once
    anything they show is written; without one they are rendered every time."""

    def render_sections() -> str:
        ctx = dashboard_context(active, _since(form), form, request.GET)
        return render_to_string("dashboard/_sections.html", ctx, request)

    token = generation.current()
    if token is None:
        return render_sections()
    state = (token, active.model.pk, sorted(request.GET.lists()), timezone.now().date())
    key = "dashboard:" + hashlib.blake2s(repr(state).encode(), digest_size=16).hexdigest()
    return str(cache.get_or_set(key, render_sections, SECTIONS_SECONDS))


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form, active = _selection(request)
    ctx: dict[str, object] = {"form": form, "active": active, "query": request.GET.urlencode()}
    if active is not None:
        ctx["sections"] = mark_safe(_sections(request, form, active))  # a rendered template
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
