from __future__ import annotations

from django import template

from teams.access import is_manager
from teams.models import AnyUser

register = template.Library()


@register.filter(name="is_manager")
def is_manager_filter(user: AnyUser) -> bool:
    """Whether to offer the managers' pages (at most one query per request)."""
    return is_manager(user)
