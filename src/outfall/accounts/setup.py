"""Who may open the one-time setup page (/setup/) that creates the first administrator.

The page exists only while there is no user. It answers a request from this machine (loopback
address, with no proxy header: behind a reverse proxy every request comes from loopback), or
one that carries a setup token made by ``outfall setup-token``: a signed, timestamped value (the
secret key signs it; nothing is stored) valid for :data:`SETUP_TOKEN_MAX_AGE_S`.
"""

from __future__ import annotations

import ipaddress

from django.contrib.auth import get_user_model
from django.core import signing

__all__ = ["SETUP_TOKEN_MAX_AGE_S", "make_setup_token", "setup_token_ok", "setup_open", "request_is_local"]

SETUP_TOKEN_MAX_AGE_S = 24 * 3600
_SALT = "outfall.accounts.setup"
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def make_setup_token() -> str:
    return signing.TimestampSigner(salt=_SALT).sign("first-admin")


def setup_token_ok(token: str | None) -> bool:
    if not token:
        return False
    try:
        return signing.TimestampSigner(salt=_SALT).unsign(token, max_age=SETUP_TOKEN_MAX_AGE_S) == "first-admin"
    except signing.BadSignature:  # also SignatureExpired
        return False


def setup_open() -> bool:
    """The setup page exists only while there is no user at all."""
    return not get_user_model().objects.exists()


def request_is_local(request) -> bool:
    """A request from a loopback address that did not pass through a proxy."""
    if any(request.META.get(h) for h in _PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
