from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from outfall.accounts import views as account_views
from outfall.mapui import views as map_views
from outfall.site import health
from outfall.site import views as site_views

urlpatterns = [
    path("", map_views.map_page, name="home"),  # the one map is the home page
    path("healthz", health.healthz, name="healthz"),
    path("accounts/login/", site_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("setup/", account_views.setup_page, name="setup"),
    path("towns/", include("outfall.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("ledger/", include("outfall.ledger.urls")),
    path("map/", include("outfall.mapui.urls")),
    path("sections/", include("outfall.monitoring.urls")),
    path("rivers/", include("outfall.rivers.urls")),
    path("alerts/", include("outfall.alerts.urls")),
    path("traces/", include("outfall.traces.urls")),
    path("remediation/", include("outfall.remediation.urls")),
    path("cases/", include("outfall.cases.urls")),
    path("inspections/", include("outfall.inspections.urls")),
    path("", include("outfall.dashboard.urls")),  # dashboard/ and reports/monthly/
    path("api/", include("outfall.site.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

handler400 = "outfall.site.views.bad_request"
handler403 = "outfall.site.views.permission_denied"
handler404 = "outfall.site.views.not_found"
handler500 = "outfall.site.views.server_error"
