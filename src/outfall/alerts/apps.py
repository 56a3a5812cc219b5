from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "outfall.alerts"
    label = "alerts"
    verbose_name = "超标预警"

    def ready(self) -> None:
        from outfall.alerts.checking import on_readings_written
        from outfall.alerts.panels import outfall_panel
        from outfall.ledger import panels
        from outfall.monitoring import hooks

        if on_readings_written not in hooks.readings_written:
            hooks.readings_written.append(on_readings_written)
        if outfall_panel not in panels.detail_panels:
            panels.detail_panels.append(outfall_panel)
