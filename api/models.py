"""Personal access tokens for the read API. A token is shown to its owner once, when it
is made; only its SHA-256 digest is kept (a token is 256 random bits, so a fast digest
is as safe to store as a slow password hash, and lets a request find its token in one
indexed lookup), with its first characters to tell tokens apart."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TOKEN_PREFIX = "mat_"  # says what the secret is when it turns up in a log or a paste
SHOWN_CHARACTERS = len(TOKEN_PREFIX) + 6
LAST_USED_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often


TOKEN_LENGTH = len(TOKEN_PREFIX) + 43  # secrets.token_urlsafe(32)
MAX_TOKENS_PER_USER = 20


def looks_like_a_token(plain: str) -> bool:
    """Whether a text could be a token at all: anything else is refused without a query."""
    return len(plain) == TOKEN_LENGTH and plain.startswith(TOKEN_PREFIX)


def digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


class TooManyTokens(Exception):
    """The user holds MAX_TOKENS_PER_USER tokens (or more) already."""

    def __init__(self, held: int):
        super().__init__(f"{held} tokens held")
        self.held = held


class AccessTokenQuerySet(models.QuerySet["AccessToken"]):
    def issue(self, user: User, name: str, expires_at: datetime | None) -> tuple[AccessToken, str]:
        """A new token for `user` and its plain text, which is never stored; TooManyTokens
        when the user holds the most already. The user's row stays locked from the count
        to the insert, so that tokens made at once cannot pass the cap together."""
        with transaction.atomic():
            get_user_model().objects.select_for_update(no_key=True).get(pk=user.pk)
            held = self.filter(user=user.pk).count()
            if held >= MAX_TOKENS_PER_USER:
                raise TooManyTokens(held)
            plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
            token = self.create(
                user=user,
                name=name,
                shown=plain[:SHOWN_CHARACTERS],
                digest=digest(plain),
                expires_at=expires_at,
            )
        return token, plain

    def find(self, plain: str) -> AccessToken | None:
        """The token with this plain text, with its user (one query), or None."""
        return self.select_related("user").filter(digest=digest(plain)).first()


class AccessToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for.")
    shown = models.CharField(
        "starts with",
        max_length=SHOWN_CHARACTERS,
        editable=False,
        help_text="To tell tokens apart.",
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.shown}…)"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def used(self, now: datetime | None = None) -> None:
        """Record a use, writing at most once every LAST_USED_EVERY (one query then)."""
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at >= LAST_USED_EVERY:
            self.last_used_at = now
            AccessToken.objects.filter(pk=self.pk).update(last_used_at=now)
