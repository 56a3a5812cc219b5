from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "outfall.site"
    label = "outfall_site"
    verbose_name = "站点"
