"""Writing HTML in Python, where pages write much of it: text that repeats from view to
view (a model's texts, names, labels, dates) escaped once per process, strings marked
safe without django.utils.safestring.mark_safe's lazy-string wrapper, which costs more
than the marking, and content rendered without the request (to be kept, and shown to many
requests) given each request's CSRF token. Nothing here knows the domain: every app and
`config` may use it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from html import escape

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
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


# Where a page's template has the content kept for it (page_with). Safe, as CSRF_MARK is.
CONTENT_MARK = safe("<page-content>")


def kept_content(html: str) -> bytes:
    """Content rendered without the request, as page_with() takes it: encoded once, when it
    is rendered (encoding a page of 100 KB that holds any character beyond ASCII cost about
    0.1 ms a request)."""
    return html.encode()


def page_with(
    request: HttpRequest,
    template_name: str,
    context: Mapping[str, object],
    content: bytes,
    status: int = 200,
) -> HttpResponse:
    """render() of a page whose template writes its `content` (kept_content(), with
    CSRF_MARK for its forms' token) as {{ content }}: the rest of the page rendered and
    encoded, the content put in as it is, with the request's CSRF token."""
    if CSRF_MARK.encode() in content:
        content = content.replace(CSRF_MARK.encode(), get_token(request).encode())
    page = render_to_string(template_name, {**context, "content": CONTENT_MARK}, request)
    before, mark, after = page.partition(CONTENT_MARK)
    if not mark:
        raise ImproperlyConfigured(f"{template_name} does not write {{{{ content }}}}.")
    return HttpResponse(b"".join((before.encode(), content, after.encode())), status=status)
