"""`Authorization: Bearer <token>` for the read API: the token's owner, while the owner
is active and the token has not expired or been revoked (checked on every request)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .models import AccessToken, looks_like_a_token

KEYWORD = b"bearer"
REFUSED = "The token is not valid: it may have expired or been revoked."


class BearerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD:
            return None  # not ours: the session may authenticate the request
        if len(words) != 2:
            raise AuthenticationFailed("Send the token as 'Authorization: Bearer <token>'.")
        try:
            plain = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(REFUSED) from None
        token = AccessToken.objects.find(plain) if looks_like_a_token(plain) else None
        if token is None or token.is_expired() or not token.user.is_active:
            raise AuthenticationFailed(REFUSED)
        token.used()
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
