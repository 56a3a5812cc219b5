from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "outfall.history"
    verbose_name = "变更历史"
