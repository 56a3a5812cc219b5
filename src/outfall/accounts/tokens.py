"""API tokens that expire: DRF's Token (one per user, ``created`` kept) refused once older than
``OUTFALL_TOKEN_DAYS`` days (default 90). ``outfall drf_create_token -r USER`` makes a new one."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

__all__ = ["ExpiringTokenAuthentication", "token_lifetime", "token_expires_at"]


def token_lifetime() -> dt.timedelta:
    """How long a token is accepted after it was made (``settings.OUTFALL_TOKEN_DAYS`` days)."""
    return dt.timedelta(days=settings.OUTFALL_TOKEN_DAYS)


def token_expires_at(token) -> dt.datetime:
    return token.created + token_lifetime()


class ExpiringTokenAuthentication(TokenAuthentication):
    """``Authorization: Token <key>``; a key older than the lifetime answers 401 with why and what to do."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires = token_expires_at(token)
        if timezone.now() >= expires:
            day = timezone.localtime(expires).date().isoformat()
            raise AuthenticationFailed(
                f"令牌已于 {day} 过期（有效期 {settings.OUTFALL_TOKEN_DAYS} 天），请管理员用 "
                "outfall drf_create_token -r 用户名 重新生成 / "
                f"Token expired on {day} (tokens last {settings.OUTFALL_TOKEN_DAYS} days); "
                f"ask an administrator for a new one", code="token_expired")
        return user, token
