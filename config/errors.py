"""Finished 400 pages for requests Django would answer with a 500: a form that is not
UTF-8, a filter on an admin list that the database cannot take. (A failed CSRF check
gets templates/403_csrf.html from Django's own view.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.handlers.wsgi import WSGIRequest
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.log import log_response

URLENCODED = "application/x-www-form-urlencoded"
# What a filter in an admin list's query string can raise once the list is built: a year
# past datetime's range (OverflowError), a NUL character, which PostgreSQL refuses in text
# (ValueError from psycopg2, DataError from psycopg 3).
BAD_FILTER_ERRORS = (ValueError, OverflowError, DataError)


def bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    """The finished 400 page, logged as Django logs its own 400s."""
    response = render(request, "400.html", status=400)
    log_response("Bad request (%s): %s", reason, request.path, response=response, request=request)
    return response


class ReadableContentTypeRequest(WSGIRequest):
    """A request whose Content-Type Django cannot parse (a parameter in RFC 2231 form with
    an unknown charset raises ValueError before any middleware runs: a 500) is read as
    having none and marked, for FormCharsetMiddleware to answer 400."""

    unreadable_content_type = False

    def _set_content_type_params(self, meta: dict[str, Any]) -> None:
        try:
            super()._set_content_type_params(meta)  # type: ignore[misc]  # not in the stubs
        except ValueError:
            self.content_type, self.content_params = "", {}
            self.unreadable_content_type = True


class FormCharsetMiddleware:
    """Form posts are UTF-8: no charset, or charset=utf-8. Django refuses any other known
    charset on a url-encoded form with BadRequest and then fails again reading the form
    for its 400 page (a 500), so answer 400 here, before the CSRF check or any view reads
    the form; and 400 for a Content-Type that cannot be read at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "unreadable_content_type", False):
            return bad_request(request, "unreadable Content-Type")
        if request.method == "POST" and request.content_type == URLENCODED:
            charset = (request.content_params or {}).get("charset", "utf-8")
            if charset.lower() != "utf-8":
                return bad_request(request, f"form charset {charset}")
        return self.get_response(request)


class AdminFilterMiddleware:
    """A filter in an admin list's query string that the database or the date hierarchy
    cannot take is the client's mistake: answer 400, not 500, on every change list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        match = request.resolver_match
        if (
            isinstance(exception, BAD_FILTER_ERRORS)
            and request.method == "GET"  # a POST's error is an action's: ours
            and request.GET  # without a query string the list renders, or the bug is ours
            and match is not None
            and match.app_name == "admin"
            and (match.url_name or "").endswith("_changelist")
        ):
            return bad_request(request, f"admin filter: {exception}")
        return None
