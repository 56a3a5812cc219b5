"""Every page and API needs a login, except the login page, static files, the language switch and the
one-time setup page (/setup/, which itself answers only while there is no user)."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect

#: The one-time page that creates the first administrator (it answers 404 once a user exists).
SETUP_PATH = "/setup/"
_OPEN_PREFIXES = ("/accounts/login/", "/i18n/", "/" + settings.STATIC_URL.lstrip("/"))


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if request.user.is_authenticated or path.startswith(_OPEN_PREFIXES) or path == SETUP_PATH:
            return self.get_response(request)
        if path.startswith("/api/"):
            # DRF authenticates tokens itself; it answers 401/403 for anonymous requests.
            if request.headers.get("Authorization"):
                return self.get_response(request)
            return JsonResponse({"detail": "需要登录 / Authentication required"}, status=401)
        from outfall.accounts.setup import setup_open

        if setup_open():  # a new system: the first visit creates the first administrator
            return redirect(SETUP_PATH)
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
