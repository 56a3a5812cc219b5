"""Site pages: the error pages (400/403/404/500), which answer in the user's
language inside the site's layout (JSON under /api/, as the API documents it)."""

from __future__ import annotations

import logging

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

log = logging.getLogger("outfall.request")


def _titles() -> dict[int, tuple[str, str]]:
    """status → (title, explanation), in the active language."""
    return {
        400: (_("请求有误"), _("请求无法处理，请检查输入后重试。")),
        403: (_("无权访问"), _("您的账号无权执行此操作。如需权限，请联系系统管理员。")),
        404: (_("未找到"), _("页面或记录不存在，或不在您的账号可访问的范围内。")),
        500: (_("服务器错误"), _("系统出现错误，已记录。请稍后重试；如果问题持续，请联系系统管理员。")),
    }


def error_page(request, status: int, message: str | None = None):
    """The error page of ``status`` in the site's layout; ``message`` (already in the user's language)
    replaces the standard explanation. Under /api/ the answer is JSON ``{"detail": …}``."""
    title, explanation = _titles().get(status, (str(status), ""))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message or title}, status=status)
    return render(request, "error.html", {"status": status, "title": title, "message": message or explanation},
                  status=status)


def bad_request(request, exception):
    return error_page(request, 400)


def permission_denied(request, exception):
    return error_page(request, 403)


def csrf_failure(request, reason=""):
    """403 for a form whose CSRF check failed (an old tab, cookies blocked): the layout, and what to do."""
    return error_page(request, 403, _("表单已过期或浏览器未保存 Cookie：请刷新页面后重试。"))


def not_found(request, exception):
    return error_page(request, 404)


def server_error(request):
    """500: the layout when it can be drawn, else a bare page (the database may be what failed)."""
    try:
        return error_page(request, 500)
    except Exception:  # noqa: BLE001 — the error page must not fail in turn
        log.exception("the 500 page could not be rendered with the site's layout")
        title, explanation = _titles()[500]
        try:
            body = loader.get_template("error_bare.html").render({"status": 500, "title": title,
                                                                  "message": explanation})
        except Exception:  # noqa: BLE001
            body = f"<h1>500 {title}</h1><p>{explanation}</p>"
        return HttpResponse(body, status=500)


#: Where a role lands after logging in when no page was asked for (``next``); others: LOGIN_REDIRECT_URL.
LANDING = {"viewer": "dashboard:index"}


class LoginView(auth_views.LoginView):
    """The login page; a viewer (只读用户) lands on the dashboard (概览), every other role on the map.
    A ``next`` page always wins."""

    def get_default_redirect_url(self):
        name = LANDING.get(getattr(self.request.user, "role", None))
        if name:
            try:
                return reverse(name)
            except NoReverseMatch:  # the dashboard app is not installed
                pass
        return super().get_default_redirect_url()
