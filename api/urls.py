"""The read API under /api/: version 1, its OpenAPI schema and the schema's docs page
(Swagger UI from the sidecar's static files; its start-up script is served as a file
of its own, so the page holds no inline script)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/units/", views.UnitList.as_view(), name="units"),
    path("v1/teams/", views.TeamList.as_view(), name="teams"),
    path("v1/teams/<slug:slug>/", views.TeamDetail.as_view(), name="team"),
    path(
        "v1/teams/<slug:slug>/assessments/",
        views.TeamAssessments.as_view(),
        name="team_assessments",
    ),
    path("v1/assessments/<int:pk>/", views.AssessmentDetail.as_view(), name="assessment"),
    path("v1/scores/", views.ScoreList.as_view(), name="scores"),
    path(
        "schema/", SpectacularAPIView.as_view(generator_class=views.SchemaMadeOnce), name="schema"
    ),
    path(
        "docs/",
        views.browser_signs_in(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    re_path(r"^(?P<rest>.*)$", views.UnknownPath.as_view()),
]
