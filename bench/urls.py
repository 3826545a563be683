from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def trivial(request: HttpRequest) -> HttpResponse:
    """The bare floor: a plain response through the same middleware, no template, no query."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in(request: HttpRequest) -> HttpResponse:
    """The signed-in floor: what every page pays (session, user, base.html), and no more."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/signed-in", signed_in),
    *app_urlpatterns,
]
