"""The shared cache: Django's Redis cache, keeping one Redis client per connection pool.

Django's client makes a new redis.Redis, with its table of 80-odd reply parsers, for
every cache call: about 0.04 ms, paid on every signed-in request for the session alone.
A redis.Redis holds no connection of its own (its pool does, and the pool starts afresh
in a forked process), so one per pool serves every call."""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)  # type: ignore[attr-defined]
        if index not in self._clients:
            self._clients[index] = super().get_client(key, write=write)
        return self._clients[index]


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
