"""One shape for every error of the API: `{"detail": "..."}`, and for invalid query
parameters `{"detail": "Invalid query parameters.", "errors": {parameter: [messages]}}`."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

INVALID = "Invalid query parameters."


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with one 404 message whatever was not found (a message naming the
    reason could tell an object that exists from one that does not) and validation
    errors under `errors`."""
    if isinstance(exc, Http404):
        exc = NotFound()
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ValidationError):
        response.data = {"detail": INVALID, "errors": response.data}
    return response
