from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "outfall.ledger"
    verbose_name = "排污口台账"
