"""Where a request comes from, for the sign-in lock-out."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind our TLS proxy every request comes from the proxy, so
    the client is the last address the proxy appended to X-Forwarded-For (addresses
    before it are the client's own claims, and cannot be trusted)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR")
