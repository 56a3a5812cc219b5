from django.urls import path

from outfall.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("dashboard/", views.dashboard, name="index"),
    path("reports/monthly/", views.monthly, name="monthly"),
    path("reports/monthly/download/", views.monthly_download, name="monthly-download"),
]
