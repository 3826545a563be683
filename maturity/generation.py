"""A generation token for the data that managers' pages show, and that a team's pages
read on every view (the team with its members, its plan), kept in the shared cache.

Every write of such data moves it on: the models inherit `AdvancesGeneration`, whose
save() and delete() advance it, and whose querysets' bulk writes (update, delete,
bulk_create, bulk_update: the admin's "delete selected" among them) do too; so do a
user's deletion and renaming (below). A page cached under the current token is never
stale.
Only a cache that every process and server shares (Redis) can carry the token: with the
default per-process cache, `current()` is None and such pages are not cached. Writes
that go around the ORM (COPY, raw SQL) call `advance()` themselves.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any, TypeVar, cast
from uuid import uuid4

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

KEY = "data-generation"
T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


def is_shared() -> bool:
    return bool(settings.CACHES["default"]["BACKEND"].endswith("RedisCache"))


# The token as a request first read it, kept for the rest of that request (a page may ask
# for several cached parts): None until it is read, OUTSIDE_REQUESTS where every call reads
# it. A part cached under a token is still computed after that token was read, and a write
# during the request makes the next call read the new token.
OUTSIDE_REQUESTS = ""
_request_token: ContextVar[str | None] = ContextVar("request_token", default=OUTSIDE_REQUESTS)


def current() -> str | None:
    """The current token (one cache read per request), or None without a shared cache."""
    if not is_shared():
        return None
    kept = _request_token.get()
    if kept:
        return kept
    token: str | None = cache.get(KEY)
    if token is None:  # evicted or never set: a fresh token, never an old one again
        cache.add(KEY, uuid4().hex, None)
        token = cache.get(KEY)
    if kept is None:
        _request_token.set(token)
    return token


def remember(token: str | None) -> None:
    """Keep `token`, read from the cache along with something else (config/sessions.py),
    as the request's own, as current() keeps the token it reads first."""
    if token and _request_token.get() is None:
        _request_token.set(token)


_MISSING = object()


class ProcessCopies:
    """The values a process has read from the shared cache or kept itself, as the objects
    themselves (not pickled copies, as Django's local-memory cache keeps: unpickling a
    model tree cost a questionnaire page about 0.3 ms). Each is kept until its time is up,
    at most `size` of them, the least recently read dropped first. Under its token a value
    never changes, and the pages that read one never change it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> object:
        with self._lock:
            expires, value = self._values.get(key, (0.0, _MISSING))
            if expires < time.monotonic():
                return _MISSING
            self._values.move_to_end(key)
            return value

    def set(self, key: Hashable, value: object, seconds: int) -> None:
        with self._lock:
            self._values[key] = (time.monotonic() + seconds, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


# A dashboard's sections are the largest value, up to about 400 KB.
process_copies = ProcessCopies(size=64)
# What kept_in_process() keeps: a draft's questionnaire and review pages' content, about
# 20-40 KB each, and their keys' rows (the draft's answers, notes included).
kept_by_process = ProcessCopies(size=128)


def cached(name: str, depends_on: object, compute: Callable[[], T], seconds: int) -> T:
    """`compute()` kept in the shared cache for `seconds` under the current token and
    `depends_on` (whatever else the value depends on, such as whose it is and the day, as
    a value with a stable repr); computed every time without a shared cache. Each process
    keeps the value too (process_copies), which its callers must not change. None, for
    nothing found, is not kept: asking for any number of things that do not exist (ids in
    URLs, say) fills no cache."""
    token = current()
    if token is None:
        return compute()
    digest = hashlib.blake2s(repr((token, depends_on)).encode(), digest_size=16).hexdigest()
    key = f"{name}:{digest}"
    value = process_copies.get(key)
    if value is _MISSING:
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = compute()
            if value is None:
                return cast(T, value)
            cache.add(key, value, seconds)  # under one token, any process computes the same
        process_copies.set(key, value, seconds)
    return cast(T, value)


def kept_in_process(name: str, depends_on: Hashable, compute: Callable[[], T], seconds: int) -> T:
    """compute() kept by this process alone for `seconds`, under the current token and
    `depends_on`, compared whole (not through a digest of its repr, as cached() does). For
    a value that follows from rows a query has just read, such as a draft's answers, which
    change with every save: writing each to the shared cache would cost more than the
    few reads another process makes of it. Computed every time without a shared cache,
    as cached() is: only the token says when the rest of what it shows changed."""
    token = current()
    if token is None:
        return compute()
    key = (name, token, depends_on)
    value = kept_by_process.get(key)
    if value is _MISSING:
        value = compute()
        kept_by_process.set(key, value, seconds)
    return cast(T, value)


def cached_copy(
    name: str, depends_on: object, compute: Callable[[], M | None], seconds: int
) -> M | None:
    """cached() for a model object (None when there is none), each caller getting its own
    copy: a view may change its object's fields."""
    kept = cached(name, depends_on, compute, seconds)
    return copy.copy(kept) if kept is not None else None


def advance() -> None:
    """Make every page cached under the current token unused: now, and again when the
    writer's transaction commits, since another process may render the data as it was
    before the commit between the two and cache it under the first new token."""
    if is_shared():
        _new_token()
        transaction.on_commit(_new_token)


def _new_token() -> None:
    cache.set(KEY, uuid4().hex, None)
    if _request_token.get() != OUTSIDE_REQUESTS:
        _request_token.set(None)


def _request_started(**kwargs: Any) -> None:
    _request_token.set(None)


def _request_finished(**kwargs: Any) -> None:
    _request_token.set(OUTSIDE_REQUESTS)


request_started.connect(_request_started, dispatch_uid="generation-request-started")
request_finished.connect(_request_finished, dispatch_uid="generation-request-finished")


def _user_deleted(**kwargs: Any) -> None:
    """The database cleared what named the user (an assessment's author, a plan item's
    owner) in a cascade that goes around save(): values kept under the token show it."""
    advance()


def _user_saved(update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    """A user's name shows in values kept under the token (a team's members); a sign-in,
    which saves the time of it alone, moves nothing."""
    if update_fields is None or get_user_model().USERNAME_FIELD in update_fields:
        advance()


post_delete.connect(
    _user_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="generation-user-deleted"
)
post_save.connect(
    _user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="generation-user-saved"
)


class AdvancingQuerySet(models.QuerySet[M]):
    """The queryset of an AdvancesGeneration model: its bulk writes, which skip the
    models' save() and delete(), advance the generation too."""

    def update(self, **kwargs: Any) -> int:
        updated = super().update(**kwargs)
        advance()
        return updated

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = super().delete()
        advance()
        return deleted

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[M]:
        created = super().bulk_create(*args, **kwargs)
        advance()
        return created

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        updated = super().bulk_update(*args, **kwargs)
        advance()
        return updated


class AdvancesGeneration(models.Model):
    """A model whose rows managers' pages show: saving or deleting one advances the
    generation, as do the bulk writes of its queryset, an AdvancingQuerySet (each model
    says so: `objects = AdvancingQuerySet.as_manager()`, or its own queryset extends it;
    tests/test_generation.py checks)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        advance()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        deleted = super().delete(*args, **kwargs)
        advance()
        return deleted
