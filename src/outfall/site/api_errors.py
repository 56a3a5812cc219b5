"""The one place that maps domain errors (outfall.core.errors) to HTTP status codes."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from outfall.core import errors

STATUS_BY_ERROR = [
    (errors.RowErrors, status.HTTP_400_BAD_REQUEST),
    (errors.InputError, status.HTTP_400_BAD_REQUEST),
    (errors.NotFoundError, status.HTTP_404_NOT_FOUND),
    (errors.PermissionDeniedError, status.HTTP_403_FORBIDDEN),
    (errors.OutfallError, status.HTTP_400_BAD_REQUEST),
]


def status_of(exc: errors.OutfallError) -> int:
    for cls, code in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return code
    return status.HTTP_400_BAD_REQUEST


def exception_handler(exc, context):
    if isinstance(exc, errors.OutfallError):
        body = {"detail": exc.user_message}
        if isinstance(exc, errors.RowErrors):
            body["errors"] = [e.as_dict() for e in exc.errors]
        return Response(body, status=status_of(exc))
    return drf_exception_handler(exc, context)
