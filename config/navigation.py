"""The `navigation` template tags, for base.html: what every page renders."""

from __future__ import annotations

from functools import cache

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
