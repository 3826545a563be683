"""The `navigation` template tags, for base.html: what every page renders."""

from __future__ import annotations

from functools import cache, lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    """`{% url name %}` for a view that takes no arguments, worked out once per process
    (and URL configuration): the navigation asks for several on every page, at about
    25 µs each."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@cache
def _reversed(name: str, prefix: str, urlconf: str) -> str:
    """Kept per script prefix too, which reverse() reads and puts in front."""
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def object_url(name: str, *args: int | str) -> str:
    """`{% url name arg... %}` for the page of an object (by its id or slug), the 4,096
    last asked kept per process (and URL configuration): the pages of a team or an
    assessment link to its other pages a few times each, and its members come back."""
    return _reversed_with(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@lru_cache(maxsize=4096)
def _reversed_with(name: str, args: tuple[int | str, ...], prefix: str, urlconf: str) -> str:
    """Kept per script prefix too, as _reversed."""
    return reverse(name, args=args, urlconf=urlconf)
