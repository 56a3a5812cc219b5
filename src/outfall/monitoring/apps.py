from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "outfall.monitoring"
    verbose_name = "监测与断面"
