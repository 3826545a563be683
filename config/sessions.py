"""Sessions read from the shared cache and written through to the database (Django's
cached_db), with the data generation's token (maturity/generation.py) read in the same
round trip to Redis: most signed-in pages read it next, each read a network hop."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from maturity import generation


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        if settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:  # the token lives in that one
            return super().load()
        try:
            found = caches[DEFAULT_CACHE_ALIAS].get_many([self.cache_key, generation.KEY])
        except Exception:  # an invalid key: Django's load() starts a new session
            return super().load()
        generation.remember(found.get(generation.KEY))
        data: dict[str, Any] | None = found.get(self.cache_key)
        return data if data is not None else super().load()  # from the database
