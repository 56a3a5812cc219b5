from django.apps import AppConfig


class MapuiConfig(AppConfig):
    name = "outfall.mapui"
    verbose_name = "一张图"
