"""The `navigation` template tags, for base.html: what every page renders; and the links
to an object's pages, for the pages of teams and assessments (maturity/links.py)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString

from maturity.links import fixed_url, object_url
from maturity.markup import CSRF_MARK, safe, with_csrf_token
from teams.access import is_manager

register = template.Library()
register.simple_tag(fixed_url)
register.simple_tag(object_url)


@register.simple_tag(takes_context=True)
def navbar(context: template.Context) -> SafeString:
    """The navigation bar for the context's user, with the request's CSRF token in its
    sign-out form. Every page renders it, and for a user it differs only by their name
    and rights (read with the user on each request), and the script prefix and URL
    configuration that its links follow: written once per process for each of those."""
    user = context.get("user")
    request = getattr(context, "request", None)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    if user is None or request is None or not user.is_authenticated:
        return _navbar(False, "", False, False, get_script_prefix(), urlconf)
    bar = _navbar(
        True, user.get_username(), is_manager(user), user.is_staff, get_script_prefix(), urlconf
    )
    return with_csrf_token(request, bar)


@lru_cache(maxsize=1024)
def _navbar(
    signed_in: bool, username: str, manages: bool, is_staff: bool, prefix: str, urlconf: str
) -> SafeString:
    ctx = {
        "signed_in": signed_in,
        "username": username,
        "manages": manages,
        "is_staff": is_staff,
        "csrf_token": CSRF_MARK,
    }
    return safe(render_to_string("_navbar.html", ctx).strip())
