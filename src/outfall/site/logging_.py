"""Logging set-up: plain text by default, JSON lines on stdout with ``OUTFALL_LOG_FORMAT=json``.

In JSON mode every record is one object a line (``time``, ``level``, ``logger``, ``message`` and any
``extra``); a record logged while a request is served also carries ``request_id``, ``user`` and
``path`` (set by :class:`outfall.site.middleware.RequestLogMiddleware` through :data:`current_request`).
This module is read by settings.py, so it imports nothing from Django's models.
"""

from __future__ import annotations

import contextvars
import logging

__all__ = ["FORMATS", "config_dict", "current_request", "RequestContextFilter", "user_label"]

FORMATS = ("text", "json")

#: The request being served by this thread (None outside a request).
current_request: contextvars.ContextVar = contextvars.ContextVar("outfall_request", default=None)


def user_label(request) -> str:
    """The username of the request's user, or "-" for an anonymous one (never a database query)."""
    from django.utils.functional import LazyObject, empty

    user = request.__dict__.get("user")  # DRF puts the token's user here once it has authenticated
    if isinstance(user, LazyObject):
        user = None if user._wrapped is empty else user._wrapped
    try:
        if user is not None and user.is_authenticated:
            return user.get_username()
    except Exception:  # a lazy user that cannot be resolved must not break logging
        return "-"
    return "-"


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``user`` and ``path`` of the request being served to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = current_request.get()
        if request is not None:
            record.request_id = getattr(request, "request_id", "")
            record.user = user_label(request)
            record.path = request.path
        return True


def config_dict(*, log_format: str, level: str) -> dict:
    """Django ``LOGGING`` for ``log_format`` ("text" or "json") and the outfall loggers' ``level``.

    Raises ``ValueError`` on another format, so a misspelt setting stops the start (STYLE rule 9).
    """
    log_format = (log_format or "text").strip().lower()
    if log_format not in FORMATS:
        raise ValueError(f"OUTFALL_LOG_FORMAT={log_format!r}: use one of {', '.join(FORMATS)}")
    level = level.upper()
    if log_format == "text":
        return {
            "version": 1,
            "disable_existing_loggers": False,
            "handlers": {"console": {"class": "logging.StreamHandler"}},
            "loggers": {"outfall": {"handlers": ["console"], "level": level, "propagate": False}},
        }
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json",
               "filters": ["request"]}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "outfall.site.logging_.RequestContextFilter"}},
        "formatters": {"json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601 in UTC
            "json_ensure_ascii": False,
        }},
        "handlers": {"stdout": handler},
        "root": {"handlers": ["stdout"], "level": "WARNING"},
        "loggers": {
            "outfall": {"handlers": ["stdout"], "level": level, "propagate": False},
            # huey's consumer adds a text handler of its own to a logger that has none.
            "huey": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
            "waitress": {"level": "INFO"},
            "django": {"level": "INFO"},
        },
    }
