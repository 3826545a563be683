"""The shapes the API sends, read-only, from the rows api.queries loads (every relation
a serializer follows is loaded with the row). Scores are as the records show them: one
decimal, null for a category that was not scored."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessments.models import Assessment
from planning.models import PlanItem, Target
from teams.models import Team, Unit

from .queries import TeamScores


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent = serializers.CharField(  # type: ignore[assignment]  # named like Field.parent
        source="parent_slug",
        allow_null=True,
        help_text="The parent unit's slug; null at the top, or when you do not see the parent.",
    )

    class Meta:
        model = Unit
        fields = ["slug", "name", "parent"]


class TeamSerializer(serializers.ModelSerializer[Team]):
    unit = serializers.CharField(source="unit.slug", allow_null=True)
    latest_overall = serializers.FloatField(
        allow_null=True,
        help_text="The overall score of the team's latest counted assessment, on any model; "
        "null when it has none.",
    )
    last_submitted = serializers.DateTimeField(
        allow_null=True, help_text="When the team last submitted an assessment that counts."
    )
    overdue = serializers.BooleanField(
        source="is_overdue", help_text="Whether its cadence has passed since then."
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="team_detail", lookup_field="slug", help_text="The team's page."
    )

    class Meta:
        model = Team
        fields = [
            "slug",
            "name",
            "unit",
            "cadence_days",
            "latest_overall",
            "last_submitted",
            "overdue",
            "url",
        ]


class TargetSerializer(serializers.ModelSerializer[Target]):
    class Meta:
        model = Target
        fields = ["category", "level", "due"]


class PlanItemSerializer(serializers.ModelSerializer[PlanItem]):
    owner = serializers.CharField(source="owner.username", allow_null=True)

    class Meta:
        model = PlanItem
        fields = ["title", "category", "practice_key", "owner", "due", "created_at"]


class TeamDetailSerializer(TeamSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    open_plan_items = PlanItemSerializer(
        source="open_items", many=True, read_only=True, help_text="Soonest due first."
    )

    class Meta(TeamSerializer.Meta):
        fields = [*TeamSerializer.Meta.fields, "targets", "open_plan_items"]


class AssessmentSummarySerializer(serializers.ModelSerializer[Assessment]):
    model = serializers.CharField(source="model.slug")
    model_version = serializers.CharField(source="model.version")
    overall = serializers.FloatField(source="recorded_overall", allow_null=True)

    class Meta:
        model = Assessment
        fields = ["id", "model", "model_version", "submitted_at", "overall", "voided_at"]
        extra_kwargs = {
            "voided_at": {"help_text": "Set when the assessment was voided: it no longer counts."}
        }


class CategoryScoreSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField(allow_null=True)


# Reads api.queries.TeamScores rows; a model serializer for the schema of `submitted_at`
# (the docstring would be the schema's description).
class ScoreSerializer(serializers.ModelSerializer[Assessment]):
    team = serializers.CharField()
    team_name = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    model = serializers.CharField()
    model_version = serializers.CharField()
    assessment = serializers.IntegerField()
    overall = serializers.FloatField(allow_null=True)
    categories = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "team",
            "team_name",
            "unit",
            "model",
            "model_version",
            "assessment",
            "submitted_at",
            "overall",
            "categories",
        ]

    @extend_schema_field(serializers.DictField(child=CategoryScoreSerializer()))
    def get_categories(self, row: TeamScores) -> dict[str, dict[str, Any]]:
        """Level and score by category slug, in the model's order."""
        return row.categories


# Examples of each shape, for the schema's documentation.
EXAMPLE_UNIT = {"slug": "payments-platform", "name": "Payments platform", "parent": "engineering"}
EXAMPLE_TEAM = {
    "slug": "payments",
    "name": "Payments",
    "unit": "payments-platform",
    "cadence_days": 90,
    "latest_overall": 1.4,
    "last_submitted": "2026-11-26T10:00:00Z",
    "overdue": False,
    "url": "https://maturity.example.com/teams/payments/",
}
EXAMPLE_TEAM_DETAIL = {
    **EXAMPLE_TEAM,
    "targets": [{"category": "build", "level": 2, "due": "2027-06-30"}],
    "open_plan_items": [
        {
            "title": "Notify the team when the build breaks",
            "category": "build",
            "practice_key": "build.1.team-notified",
            "owner": "mira",
            "due": "2027-01-31",
            "created_at": "2026-11-26T10:05:00Z",
        }
    ],
}
EXAMPLE_SUMMARY = {
    "id": 7,
    "model": "continuous-delivery",
    "model_version": "1",
    "submitted_at": "2026-11-26T10:00:00Z",
    "overall": 1.4,
    "voided_at": None,
}
EXAMPLE_RECORD = {
    "schema": 2,
    "id": 7,
    "team": {"slug": "payments", "name": "Payments"},
    "model": {"slug": "continuous-delivery", "version": "1", "name": "Continuous delivery"},
    "submitted_at": "2026-11-26T10:00:00Z",
    "submitted_by": "mira",
    "overall": 1.4,
    "categories": [
        {
            "slug": "build",
            "name": "Build management and continuous integration",
            "level": 1,
            "level_name": "Consistent",
            "score": 1.5,
            "agreement": 0.8,
            "advice": "Measure the build and act on what it shows.",
            "next_steps": ["Build metrics are gathered and shown to the team."],
        }
    ],
    "answers": [
        {
            "key": "build.0.versioned-scripts",
            "category": "build",
            "level": 0,
            "text": "Build scripts are kept in version control.",
            "status": "yes",
            "note": "",
            "votes": {"yes": 3, "partly": 1, "no": 0, "na": 0},
        }
    ],
    "delivery": None,
    "checks": [],
    "targets": [{"category": "build", "level": 2, "due": "2027-06-30"}],
}
EXAMPLE_SCORES = {
    "team": "payments",
    "team_name": "Payments",
    "unit": "payments-platform",
    "model": "continuous-delivery",
    "model_version": "1",
    "assessment": 7,
    "submitted_at": "2026-11-26T10:00:00Z",
    "overall": 1.4,
    "categories": {"build": {"level": 1, "score": 1.5}, "data": {"level": None, "score": None}},
}
