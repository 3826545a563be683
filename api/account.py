"""The account's API tokens page: a user lists, makes and revokes their own tokens,
signed in with the session (a token cannot manage tokens). A new token is shown once, on
the response to the POST that made it, never stored; revoking is a POST that redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import NewTokenForm, RevokeTokenForm
from .models import MAX_TOKENS_PER_USER, AccessToken, TooManyTokens


@never_cache  # the response to making a token holds it: no cache may keep a copy
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _tokens_page(request)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        message = "Nothing was changed: the form sent no action this page knows."
        return _tokens_page(request, refusal=message, status=400)
    return action(request)


def _tokens_page(
    request: HttpRequest,
    *,
    form: NewTokenForm | None = None,
    new: AccessToken | None = None,
    plain: str = "",
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    """The user's tokens and the form to make one (none once they hold the most); after
    making one, its plain text, this once."""
    tokens = list(AccessToken.objects.filter(user=request.user.pk))
    if form is None and len(tokens) < MAX_TOKENS_PER_USER:
        form = NewTokenForm()
    ctx = {
        "tokens": tokens,
        "form": form,
        "most": MAX_TOKENS_PER_USER,
        "new": new,
        "plain": plain,
        "example_url": request.build_absolute_uri(reverse("api:teams")),
        "refusal": refusal,
    }
    return render(request, "api/tokens.html", ctx, status=status)


def _make(request: HttpRequest) -> HttpResponse:
    form = NewTokenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        owner = cast(User, request.user)  # signed in: login_required
        try:
            token, plain = AccessToken.objects.issue(owner, data["name"], data["expires"])
        except TooManyTokens as refused:
            form.refuse_too_many(refused.held)
        else:
            return _tokens_page(request, new=token, plain=plain)
    message = "No token was made: see what to correct below."
    return _tokens_page(request, form=form, refusal=message, status=400)


def _revoke(request: HttpRequest) -> HttpResponse:
    form = RevokeTokenForm(request.POST)
    if not form.is_valid():
        raise Http404("No such token of yours.")
    token = get_object_or_404(AccessToken, pk=form.cleaned_data["token"], user=request.user.pk)
    token.delete()
    messages.success(request, f"Revoked {token}: requests that send it are refused from now on.")
    return redirect("api_tokens")


ACTIONS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "make": _make,
    "revoke": _revoke,
}
