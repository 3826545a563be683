"""Links to pages, worked out once per process: reverse() costs about 15-25 µs, and every
page links to the same few pages (the navigation's) and to its objects' other pages,
which their people come back to. Kept per script prefix and URL configuration, which
reverse() reads. Nothing here knows the domain: every app and `config` may use it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def fixed_url(name: str) -> str:
    """reverse(name) for a view that takes no arguments."""
    return _reversed(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def object_url(name: str, *args: int | str) -> str:
    """reverse(name, args=args) for the page of an object (by its id or slug), the 4,096
    last asked kept."""
    return _reversed_with(name, args, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def object_urls(name: str, each: Iterable[tuple[int | str, ...]]) -> list[str]:
    """object_url(name, *args) for each of the `each` arguments: the script prefix and the
    URL configuration read once (each read costs as much as a link kept)."""
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    return [_reversed_with(name, args, prefix, urlconf) for args in each]


@cache
def _reversed(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


@lru_cache(maxsize=4096)
def _reversed_with(name: str, args: tuple[int | str, ...], prefix: str, urlconf: str) -> str:
    return reverse(name, args=args, urlconf=urlconf)
