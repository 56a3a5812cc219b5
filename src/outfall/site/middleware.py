"""Every page and API needs a login, except the login page, static files, the language switch and
exactly ``/healthz``; every request gets an id and one log line."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

from outfall.site.logging_ import current_request, user_label

_OPEN_PREFIXES = ("/accounts/login/", "/i18n/", "/" + settings.STATIC_URL.lstrip("/"))
#: Paths open to anyone, matched exactly (the health check of a load balancer or container).
_OPEN_PATHS = frozenset({"/healthz"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STATIC = "/" + settings.STATIC_URL.lstrip("/")
request_log = logging.getLogger("outfall.request")


class RequestLogMiddleware:
    """Gives each request an id (a proxy's ``X-Request-ID`` if well-formed, else a new one), sends it
    back in ``X-Request-ID``, makes it, the user and the path known to every log record written while
    the request is served, and logs one line per request (method, path, status, user, duration in ms)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = current_request.set(request)
        start = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            ms = round((time.perf_counter() - start) * 1000, 1)
            level = logging.DEBUG if request.path.startswith(_STATIC) else logging.INFO
            request_log.log(level, "%s %s %s %s %.1fms", request.method, request.path, response.status_code,
                            user_label(request), ms,
                            extra={"method": request.method, "status": response.status_code, "duration_ms": ms})
            return response
        finally:
            current_request.reset(token)


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path in _OPEN_PATHS or request.user.is_authenticated or path.startswith(_OPEN_PREFIXES):
            return self.get_response(request)
        if path.startswith("/api/"):
            # DRF authenticates tokens itself; it answers 401/403 for anonymous requests.
            if request.headers.get("Authorization"):
                return self.get_response(request)
            return JsonResponse({"detail": "需要登录 / Authentication required"}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


class DomainErrorMiddleware:
    """Pages answer a domain error with 400/403/404 and its Chinese message, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from outfall.core.errors import OutfallError
        from outfall.site.api_errors import status_of

        if isinstance(exception, OutfallError) and not request.path.startswith("/api/"):
            code = status_of(exception)
            return render(request, "error.html", {"message": exception.user_message, "status": code}, status=code)
        return None


class ChineseFirstMiddleware:
    """Chinese UI by default: the browser's Accept-Language is ignored; the language chosen in the
    page (cookie) still applies. Runs before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
