"""The `navigation` template tags, for base.html: what every page renders; and the links
to an object's pages, for the pages of teams and assessments (maturity/links.py)."""

from __future__ import annotations

from django import template

from maturity.links import fixed_url, object_url

register = template.Library()
register.simple_tag(fixed_url)
register.simple_tag(object_url)
