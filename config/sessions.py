"""Sessions read from the shared cache and written through to the database (Django's
cached_db), with the data generation's token (maturity/generation.py) read in the same
round trip to Redis: most signed-in pages read it next, each read a network hop."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from maturity import generation


class SessionStore(cached_db.SessionStore):
    def load(self) -> dict[str, Any]:
        if self._cache is not caches[DEFAULT_CACHE_ALIAS]:  # the token lives in that one
            return super().load()
        try:
            found = self._cache.get_many([self.cache_key, generation.KEY])
        except Exception:  # an invalid key: Django's load() starts a new session
            return super().load()
        generation.remember(found.get(generation.KEY))
        data = found.get(self.cache_key)
        return data if data is not None else super().load()  # from the database
