from django.urls import path

from . import views

urlpatterns = [
    path("teams/<slug:slug>/members/", views.team_members, name="team_members"),
]
