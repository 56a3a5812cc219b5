"""The page django-axes answers with (HTTP 429) once a login is locked: Chinese first, how long."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page, for the login page and the admin login alike."""
    from axes.helpers import get_client_username

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"username": get_client_username(request, credentials) or "", "minutes": minutes,
               "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
