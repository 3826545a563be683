"""Writing HTML in Python, where pages write much of it: text that repeats from view to
view (a model's texts, names, labels, dates) escaped once per process, strings marked
safe without django.utils.safestring.mark_safe's lazy-string wrapper, which costs more
than the marking, and content rendered without the request (to be kept, and shown to many
requests) given each request's CSRF token. Nothing here knows the domain: every app and
`config` may use it."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString


@lru_cache(maxsize=4096)
def escaped(text: str) -> str:
    """html.escape(text), kept for the 4,096 texts last asked: not for what people write
    (notes), which seldom repeats."""
    return escape(text)


def safe(html: str) -> SafeString:
    """mark_safe(html) for a string of HTML the code wrote, every value in it escaped."""
    return SafeString(html)


# What content rendered without the request has where a CSRF token goes. Safe, so that a
# template writes it as it is, while any text that holds it is escaped: only the marks a
# template wrote are replaced.
CSRF_MARK = safe("<csrf-token>")


def with_csrf_token(request: HttpRequest, content: SafeString) -> SafeString:
    """Content rendered with CSRF_MARK for its forms' token, with the request's own."""
    if CSRF_MARK not in content:
        return content
    return safe(content.replace(CSRF_MARK, get_token(request)))
