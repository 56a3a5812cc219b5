"""The security settings of outfall, built from its OUTFALL_* settings (site/config.py).

``settings.py`` applies :func:`django_settings` once; tests call it with an environment of their own.

- Logins: django-axes locks a username from one IP address out after ``LOGIN_FAILURE_LIMIT`` wrong
  passwords for ``LOGIN_COOLOFF_MINUTES`` minutes (login page and admin alike; a Chinese page says so).
- Passwords: Django's validators (user-attribute similarity, ``PASSWORD_MIN_LENGTH``, common, numeric)
  and a mix of at least 3 character classes (accounts/passwords.py).
- Sessions last ``SESSION_HOURS`` hours (optionally ending when the browser closes); API tokens
  ``TOKEN_DAYS`` days (accounts/tokens.py).
- ``HTTPS=true`` (behind a TLS-terminating proxy that sets ``X-Forwarded-Proto``): redirect to HTTPS,
  HSTS for ``HSTS_SECONDS`` seconds, secure cookies; ``check --deploy`` then has nothing to say.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ImproperlyConfigured

from outfall.site import config

__all__ = ["django_settings", "AUTHENTICATION_BACKENDS"]

#: axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]


def _positive(name: str) -> int:
    value = config.get(name)
    if value < 1:
        raise ImproperlyConfigured(f"{config.env_name(name)} must be at least 1, not {value}")
    return value


def django_settings() -> dict:
    """The Django settings (name → value) that the current OUTFALL_* environment asks for."""
    out: dict = {
        "AUTHENTICATION_BACKENDS": AUTHENTICATION_BACKENDS,
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
             "OPTIONS": {"min_length": _positive("PASSWORD_MIN_LENGTH")}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
            {"NAME": "outfall.accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
        ],
        # django-axes: per (username, IP address), reset by a successful login
        "AXES_FAILURE_LIMIT": _positive("LOGIN_FAILURE_LIMIT"),
        "AXES_COOLOFF_TIME": dt.timedelta(minutes=_positive("LOGIN_COOLOFF_MINUTES")),
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_LOCKOUT_CALLABLE": "outfall.accounts.lockout.lockout_response",
        "AXES_VERBOSE": False,
        # sessions and API tokens
        "SESSION_COOKIE_AGE": _positive("SESSION_HOURS") * 3600,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": config.get("SESSION_EXPIRE_AT_BROWSER_CLOSE"),
        "OUTFALL_TOKEN_DAYS": _positive("TOKEN_DAYS"),
    }
    if config.get("HTTPS"):
        hsts = config.get("HSTS_SECONDS")
        preload = config.get("HSTS_PRELOAD")
        out.update({
            "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
            "SECURE_SSL_REDIRECT": True,
            # a load balancer's plain-HTTP health probe must not be redirected
            "SECURE_REDIRECT_EXEMPT": [r"^healthz/?$"],
            "SECURE_HSTS_SECONDS": hsts,
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": preload,
            "SECURE_HSTS_PRELOAD": preload,
            "SESSION_COOKIE_SECURE": True,
            "CSRF_COOKIE_SECURE": True,
        })
    return out
