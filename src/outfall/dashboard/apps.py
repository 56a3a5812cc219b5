from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "outfall.dashboard"
    label = "dashboard"
    verbose_name = "概览与月报"
