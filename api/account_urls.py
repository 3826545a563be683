"""The account's pages that belong to the read API: the user's own access tokens."""

from django.urls import path

from . import account

urlpatterns = [
    path("tokens/", account.api_tokens, name="api_tokens"),
]
