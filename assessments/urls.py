from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("teams/<slug:slug>/assessments/new/", views.new_assessment, name="assessment_new"),
    path("assessments/<int:pk>/", views.result, name="assessment_result"),
    path("assessments/<int:pk>/edit/<slug:category>/", views.edit_category, name="assessment_edit"),
    path("assessments/<int:pk>/answers/", views.answers, name="assessment_answers"),
    path("assessments/<int:pk>/outcomes/", views.outcomes, name="assessment_outcomes"),
    path("assessments/<int:pk>/review/", views.review, name="assessment_review"),
    path("assessments/<int:pk>/discard/", views.discard, name="assessment_discard"),
    path("assessments/<int:pk>/void/", views.void, name="assessment_void"),
    path("assessments/<int:pk>/export.json", views.export_json, name="assessment_export"),
]
