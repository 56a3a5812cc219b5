from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "outfall.accounts"
    verbose_name = "用户与镇街"
