from django.apps import AppConfig


class RiversConfig(AppConfig):
    name = "outfall.rivers"
    verbose_name = "河网"
