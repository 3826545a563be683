"""Writing HTML in Python, where pages write much of it: text that repeats from view to
view (a model's texts, names, labels, dates) escaped once per process, and strings marked
safe without django.utils.safestring.mark_safe's lazy-string wrapper, which costs more
than the marking. Nothing here knows the domain: every app and `config` may use it."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from django.utils.safestring import SafeString


@lru_cache(maxsize=4096)
def escaped(text: str) -> str:
    """html.escape(text), kept for the 4,096 texts last asked: not for what people write
    (notes), which seldom repeats."""
    return escape(text)


def safe(html: str) -> SafeString:
    """mark_safe(html) for a string of HTML the code wrote, every value in it escaped."""
    return SafeString(html)
