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


#: The body of an error answer: ``detail`` (Chinese message), ``errors`` (file, sheet, row, column,
#: message) for refused rows, or one list of messages per field for a refused request body.
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "file": {"type": "string"}, "sheet": {"type": "string"}, "row": {"type": "integer"},
            "column": {"type": "string"}, "message": {"type": "string"}}}},
    },
    "additionalProperties": True,
}
_ERRORS = {"400": "请求有误 / bad request", "401": "未登录 / not authenticated",
           "403": "无权执行此操作 / permission denied", "404": "未找到 / not found"}


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the error answers that
    :func:`exception_handler` gives (400, 401, 403, 404) with :data:`ERROR_SCHEMA`."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for item in result.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                for code, text in _ERRORS.items():
                    op["responses"].setdefault(code, {"description": text,
                                                      "content": {"application/json": {"schema": ref}}})
    return result
