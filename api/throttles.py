"""Rates for the read API (DRF's throttles; REST_FRAMEWORK's DEFAULT_THROTTLE_RATES come
from the environment): per token, and per user whatever the token or session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import AccessToken

if TYPE_CHECKING:  # DRF imports this module while it defines APIView
    from rest_framework.views import APIView


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not isinstance(request.auth, AccessToken):
            return None  # a session: the per-user rate applies
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
