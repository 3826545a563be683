from django.urls import path

from . import views

urlpatterns = [
    path("teams/<slug:slug>/", views.team_detail, name="team_detail"),
    path("teams/<slug:slug>/plan/", views.team_plan, name="team_plan"),
    path("teams/<slug:slug>/plan/add/", views.plan_add, name="plan_add"),
]
