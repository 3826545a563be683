"""The query parameters of the list endpoints, validated into domain values: a bad value
is a 400 naming it, an empty one means no filter, an unknown parameter is ignored. DRF's
character fields refuse NUL characters, so none reaches the database."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

from maturity.models import MaturityModel

from . import queries


class UnitFilter(serializers.Serializer):
    unit = serializers.SlugField(
        required=False,
        allow_null=True,
        help_text="Only the teams of this unit and of the units below it.",
    )

    def validate_unit(self, slug: str | None) -> frozenset[int] | None:
        """The ids of the unit and the units below it."""
        if not slug:
            return None
        subtree = queries.unit_subtree(self.context["user"], slug)
        if subtree is None:  # the same answer whether it exists or not
            raise serializers.ValidationError("You see no unit with this slug.", code="unknown")
        return subtree


class TeamFilter(UnitFilter):
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="true: only the teams overdue for an assessment; false: only the others.",
    )


class ScoreFilter(UnitFilter):
    model = serializers.CharField(
        required=False,
        allow_null=True,
        max_length=200,
        help_text="The model as slug or slug:version; by default the newest active model. "
        "A slug alone is its newest active version.",
    )
    since = serializers.DateField(
        required=False,
        allow_null=True,
        input_formats=["iso-8601"],
        help_text="Only assessments submitted on or after this day (YYYY-MM-DD).",
    )

    def validate_model(self, wanted: str | None) -> MaturityModel | None:
        if not wanted:
            return None
        slug, _, version = wanted.partition(":")
        model = queries.model_named(slug, version or None) if slug else None
        if model is None:
            raise serializers.ValidationError("There is no such model.", code="unknown")
        return model

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["model"] = attrs.get("model") or MaturityModel.objects.default()
        return attrs


def read_filters(kind: type[UnitFilter], request: Request) -> dict[str, Any]:
    """The request's query parameters of `kind`, validated (ValidationError: a 400)."""
    found = kind(data=request.query_params, context={"user": request.user})
    found.is_valid(raise_exception=True)
    return found.validated_data
