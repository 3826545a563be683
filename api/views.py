"""The read API, version 1: GET, HEAD and OPTIONS only. Each endpoint shows exactly what
the same user sees in the pages, through the same access helpers, and answers 404 for the
rest (never 403, which would tell that it exists)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.access import get_record_for_user
from assessments.models import Assessment
from maturity import generation
from teams.access import get_team_for_user, teams_seen_by
from teams.models import Team, Unit

from . import queries
from .filters import ScoreFilter, TeamFilter, read_filters
from .pagination import PageNumbers
from .renderers import RenderedJson
from .serializers import (
    EXAMPLE_RECORD,
    EXAMPLE_SCORES,
    EXAMPLE_SUMMARY,
    EXAMPLE_TEAM,
    EXAMPLE_TEAM_DETAIL,
    EXAMPLE_UNIT,
    AssessmentSummarySerializer,
    ScoreSerializer,
    TeamDetailSerializer,
    TeamSerializer,
    UnitSerializer,
)


class JsonOnly(DefaultContentNegotiation):
    """JSON is the only format: `?format=` is ignored as any unknown parameter is, where
    DRF would answer 404."""

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        return list(renderers)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema names api.authentication's personal access tokens."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return build_bearer_security_scheme_object("Authorization", "Bearer")


class SchemaMadeOnce(SchemaGenerator):
    """drf-spectacular's generator, making the site's public schema in the default language
    once per process: it depends only on the code (it lists no servers, leaves out no view
    for the user, and no view's schema reads the request). A schema in another language
    (`?lang=`) or version (`?version=`) is made afresh, as before, so that what requests
    name cannot fill the memory."""

    def get_schema(self, request: Request | None = None, public: bool = False) -> Any:
        of_the_site = (self.urlconf, self.patterns, self.api_version) == (None, None, None)
        if public and of_the_site and translation.get_language() == settings.LANGUAGE_CODE:
            return site_schema()
        return super().get_schema(request, public)


@cache
def site_schema() -> Any:
    """The public schema of the site's URLs in the default language (made once)."""
    return SchemaGenerator().get_schema(request=None, public=True)


class JsonOnlyMixin:
    """What every endpoint shares: JSON only; any method but GET, HEAD and OPTIONS is a
    405 before the session's CSRF check could answer 403; the first throttle that refuses
    a request stops it, so that a token over its rate does not use up its owner's."""

    content_negotiation_class: type[BaseContentNegotiation] = JsonOnly

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if request.method not in SAFE_METHODS:
            raise MethodNotAllowed(request.method or "")
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    def check_throttles(self, request: Request) -> None:
        for throttle in self.get_throttles():  # type: ignore[attr-defined]
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())  # type: ignore[attr-defined]


TEAM_SLUG = OpenApiParameter(
    "slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The team's slug."
)
ERROR = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="For invalid query parameters: the messages by parameter.",
        ),
    },
)
SIGNED_OUT = {401: ERROR}
NOT_FOUND = {401: ERROR, 404: ERROR}
INVALID = {400: ERROR, 401: ERROR}


@extend_schema(
    description="The units you may see, by name: every unit for a global manager; the units "
    "you manage and those below them; the units of your teams. `parent` is null at the top "
    "of what you see.",
    responses={200: UnitSerializer(many=True), **SIGNED_OUT},
    examples=[OpenApiExample("A unit", value=EXAMPLE_UNIT, response_only=True)],
)
class UnitList(JsonOnlyMixin, ListAPIView[Unit]):
    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        return queries.visible_units(self.request.user).order_by("name", "pk")


@extend_schema(
    description="The teams you may see, by name, with the overall score of their latest "
    "counted assessment and whether they are overdue for the next. `unit` must be a unit "
    "you see (GET /api/v1/units/); it lists the teams of that unit and the units below it.",
    parameters=[TeamFilter],
    responses={200: TeamSerializer(many=True), **INVALID},
    examples=[OpenApiExample("A team", value=EXAMPLE_TEAM, response_only=True)],
)
class TeamList(JsonOnlyMixin, ListAPIView[Team]):
    serializer_class = TeamSerializer

    def get_queryset(self) -> QuerySet[Team]:
        wanted = read_filters(TeamFilter, self.request)
        return queries.teams(
            self.request.user, units=wanted.get("unit"), overdue=wanted.get("overdue")
        )


@extend_schema(
    description="A team with its targets and its open plan items; 404 exactly when its page "
    "(/teams/<slug>/) is.",
    parameters=[TEAM_SLUG],
    responses={200: TeamDetailSerializer, **NOT_FOUND},
    examples=[OpenApiExample("A team", value=EXAMPLE_TEAM_DETAIL, response_only=True)],
)
class TeamDetail(JsonOnlyMixin, RetrieveAPIView[Team]):
    serializer_class = TeamDetailSerializer

    def get_object(self) -> Team:
        return queries.team_detail(get_team_for_user(self.request.user, self.kwargs["slug"]))


@extend_schema(
    description="The team's submitted assessments, newest first. Voided ones are listed "
    "too, with `voided_at` set: they stay in the history but count in no score.",
    parameters=[TEAM_SLUG],
    responses={200: AssessmentSummarySerializer(many=True), **NOT_FOUND},
    examples=[OpenApiExample("An assessment", value=EXAMPLE_SUMMARY, response_only=True)],
)
class TeamAssessments(JsonOnlyMixin, ListAPIView[Assessment]):
    serializer_class = AssessmentSummarySerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        return queries.history(get_team_for_user(self.request.user, self.kwargs["slug"]))


@extend_schema(
    description="The record of a submitted assessment, exactly as its export.json: what the "
    "team answered and scored, with the texts as they were at submission. 404 exactly when "
    "its export.json is (a draft, or a team you do not see).",
    parameters=[
        OpenApiParameter(
            "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The assessment's id."
        )
    ],
    responses={200: OpenApiTypes.OBJECT, **NOT_FOUND},
    examples=[OpenApiExample("A record", value=EXAMPLE_RECORD, response_only=True)],
)
class AssessmentDetail(JsonOnlyMixin, APIView):
    def get(self, request: Request, pk: int) -> Response:
        return Response(get_record_for_user(request.user, pk).record)


SCORES_SECONDS = 5 * 60
# What the scores endpoint reads of a query: its filters and its paginator's parameters.
READ_PARAMETERS = {
    *ScoreFilter().fields,
    PageNumbers.page_query_param,
    PageNumbers.page_size_query_param,
}


@extend_schema(
    description="The latest scores of each team you see that has a counted assessment on "
    "the model, by team name: overall and per category (level and score, null where the "
    "category was not scored), as the assessment's record shows them.",
    parameters=[ScoreFilter],
    responses={200: ScoreSerializer(many=True), **INVALID},
    examples=[OpenApiExample("A team's scores", value=EXAMPLE_SCORES, response_only=True)],
)
class ScoreList(JsonOnlyMixin, ListAPIView[Assessment]):
    serializer_class = ScoreSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page as rendered under the data generation (maturity.generation), the teams
        the user sees, the URL asked (the page's links hold its host and query) and the
        indent asked for; computed every time without a shared cache, or when the query
        holds a parameter the endpoint does not read (such URLs, without end, would only
        fill the cache). A 400 or 404 is raised again each time."""
        unread = set(request.query_params) - READ_PARAMETERS
        if unread or not generation.is_shared():  # nothing kept: spare the key's query
            return super().list(request, *args, **kwargs)
        renderer, context = request.accepted_renderer, self.get_renderer_context()
        media_type = request.accepted_media_type

        def render() -> RenderedJson:
            data = super(ScoreList, self).list(request, *args, **kwargs).data
            return RenderedJson(renderer.render(data, media_type, context))

        indent = renderer.get_indent(media_type, context)  # type: ignore[attr-defined]
        asked = (teams_seen_by(request.user), request.build_absolute_uri(), indent)
        return Response(generation.cached("api-scores", asked, render, SCORES_SECONDS))

    def get_queryset(self) -> queries.ScoreRows:  # type: ignore[override]  # for the paginator
        wanted: dict[str, Any] = read_filters(ScoreFilter, self.request)
        return queries.latest_scores(
            self.request.user, wanted["model"], units=wanted.get("unit"), since=wanted.get("since")
        )


def browser_signs_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for people as well as tokens: a browser that is not signed in (no session,
    no Bearer token) is sent to sign in, as on every page; a token is checked by the
    view."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bearer = request.headers.get("Authorization", "").lower().startswith("bearer")
        if not request.user.is_authenticated and not bearer:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


@extend_schema(exclude=True)
class UnknownPath(JsonOnlyMixin, APIView):
    """Any other path under /api/: a JSON 404, as the endpoints answer."""

    def get(self, request: Request, rest: str) -> Response:
        raise NotFound
