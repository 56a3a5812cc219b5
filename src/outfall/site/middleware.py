"""Every page and API needs a login, except the login page, static files, the language switch,
exactly ``/healthz`` and the one-time setup page (/setup/, which itself answers only while there is
no user); every request gets an id and one log line."""

import logging
import re
import time
import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect

from outfall.site.logging_ import current_request, user_label

#: The one-time page that creates the first administrator (it answers 404 once a user exists).
SETUP_PATH = "/setup/"
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
        if path in _OPEN_PATHS or request.user.is_authenticated or path.startswith(_OPEN_PREFIXES) \
                or path == SETUP_PATH:
            return self.get_response(request)
        if path.startswith("/api/"):
            # Only a request that the API's own authentication classes accept goes on; the mere
            # presence of an Authorization header (Basic, Bearer, a bad token) is not enough.
            refused = _api_refusal(request)
            if refused is None:
                return self.get_response(request)
            return refused
        from outfall.accounts.setup import setup_open

        if setup_open():  # a new system: the first visit creates the first administrator
            return redirect(SETUP_PATH)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


def _api_refusal(request):
    """None when DRF's authentication classes authenticate ``request``, else the 401 to answer."""
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    authenticators = [cls() for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    detail = "需要登录 / Authentication required"
    session_user = request.user  # DRF's Request sets request.user as a side effect: put it back, or
    try:                          # the view's SessionAuthentication would take a token user for a session
        user = Request(request, authenticators=authenticators).user
    except AuthenticationFailed as exc:
        user, detail = None, str(exc.detail)
    finally:
        request.user = session_user
    if user is not None and user.is_authenticated:
        return None
    challenge = next((h for a in authenticators if (h := a.authenticate_header(request))), None)
    response = JsonResponse({"detail": detail}, status=401)
    if challenge:
        response["WWW-Authenticate"] = challenge
    return response


class DomainErrorMiddleware:
    """Pages answer a domain error with 400/403/404 and its Chinese message, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from outfall.core.errors import OutfallError
        from outfall.site.api_errors import status_of
        from outfall.site.views import error_page

        if isinstance(exception, OutfallError) and not request.path.startswith("/api/"):
            return error_page(request, status_of(exception), str(exception.user_message))
        return None


class ChineseFirstMiddleware:
    """Chinese UI by default: the browser's Accept-Language is ignored; the language chosen in the
    page (cookie) still applies. Runs before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
