"""The dashboard's filters, sort order and radar overlay, and what a manager asked to
see from them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from maturity.models import MaturityModel
from teams.models import Team

from .data import ActiveModel
from .rollup import UnitRow, Units

WITHIN_DAYS = {"all": None, "365": 365, "90": 90}
MAX_OVERLAY = 5
# Values that ask for what leaving the filter out asks for (within_days, sort_order,
# page_number): understood_query leaves them out.
DEFAULTS: dict[str, object] = {"within": "all", "dir": "asc", "page": 1}


class DashboardForm(forms.Form):
    """The dashboard's filters, sort order and heatmap page; a field not understood
    falls back to its default, the others are kept."""

    model = forms.TypedChoiceField(coerce=int, required=False, label="Maturity model")
    unit = forms.ChoiceField(required=False, label="Unit")
    within = forms.ChoiceField(
        choices=[("all", "All time"), ("365", "Last year"), ("90", "Last 90 days")],
        required=False,
        label="Assessed within",
    )
    sort = forms.CharField(required=False, max_length=80)
    dir = forms.ChoiceField(choices=[("asc", "ascending"), ("desc", "descending")], required=False)
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, models: list[MaturityModel], units: Units, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.models = {model.pk: model for model in models}
        self.units = units
        model_field: Any = self.fields["model"]
        model_field.choices = [(model.pk, str(model)) for model in models]
        unit_field: Any = self.fields["unit"]
        unit_field.choices = [("", "All teams"), *units.choices]

    def _understood(self) -> dict[str, Any]:
        """The fields sent and understood (cleaned once)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # a field not understood is left out of cleaned_data
        return self.cleaned_data

    def chosen_model(self) -> MaturityModel | None:
        """The model asked for, or else the newest active one."""
        data = self._understood()
        newest = max(self.models.values(), key=lambda model: model.pk, default=None)
        return self.models.get(data.get("model") or 0) or newest

    def chosen_unit(self) -> UnitRow | None:
        """The unit asked for, or None for every team the manager sees."""
        return self.units.by_slug(self._understood().get("unit") or "")

    def within_days(self) -> int | None:
        return WITHIN_DAYS.get(self._understood().get("within") or "all")

    def sort_order(self, keys: set[str]) -> tuple[str, bool]:
        """(sort key, descending); unknown keys sort by team name."""
        data = self._understood()
        key = data.get("sort") or "team"
        return (key if key in keys else "team"), data.get("dir") == "desc"

    def page_number(self) -> int:
        """The heatmap page asked for, 1 by default (a page past the last shows the last)."""
        return self._understood().get("page") or 1

    def understood_query(self, teams: Collection[str]) -> QueryDict:
        """The filters understood, in the fields' order, leaving out those that ask for
        the default, then the overlay's `teams` once each and sorted (OverlayForm checks
        them): the same for any two requests that ask for the same, whatever the order
        of their parameters or what else they carry."""
        query = QueryDict(mutable=True)
        for name, value in self._understood().items():
            if value not in (None, "", DEFAULTS.get(name)):
                query[name] = str(value)
        if teams:
            query.setlist("teams", sorted(set(teams)))
        return query


@dataclass(frozen=True)
class Selection:
    """What a manager asked to see: the filters as sent and as understood, the model and
    unit they choose, and the teams shown (those the manager sees, in the unit's subtree
    when one is chosen; None for every team, which the queries then need not filter by)."""

    sent: DashboardForm  # as sent: the page says when some were not understood
    query: QueryDict  # the filters understood (DashboardForm.understood_query)
    active: ActiveModel | None
    units: Units
    unit: UnitRow | None
    teams: QuerySet[Team] | None

    @cached_property
    def form(self) -> DashboardForm:
        """The filters bound to `query` only: what the dashboard's sections show and are
        cached by depends on nothing else that was sent."""
        return DashboardForm(self.query, models=list(self.sent.models.values()), units=self.units)

    @property
    def since(self) -> datetime | None:
        days = self.form.within_days()
        return timezone.now() - timedelta(days=days) if days else None


class OverlayForm(forms.Form):
    teams = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Overlay teams on the radar",
        help_text=f"Choose up to {MAX_OVERLAY} teams: those on this page of the heatmap, "
        "and those chosen before.",
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        teams_field: Any = self.fields["teams"]
        teams_field.choices = teams

    def clean_teams(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["teams"]
        if len(chosen) > MAX_OVERLAY:
            raise ValidationError(
                f"Choose at most {MAX_OVERLAY} teams to overlay; you chose {len(chosen)}.",
                code="too_many_teams",
            )
        return chosen

    def chosen(self) -> list[str]:
        return self.cleaned_data["teams"] if self.is_valid() else []
