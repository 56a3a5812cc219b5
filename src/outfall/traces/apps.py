from django.apps import AppConfig


class TracesConfig(AppConfig):
    name = "outfall.traces"
    label = "traces"
    verbose_name = "溯源"

    def ready(self) -> None:
        # STYLE rule 16: the alert page and the section page show the trace panels through the
        # registries their (lower) apps own.
        from outfall.alerts import panels as alert_panels
        from outfall.monitoring import panels as section_panels
        from outfall.traces.panels import alert_panel, section_panel

        if alert_panel not in alert_panels.alert_detail_panels:
            alert_panels.alert_detail_panels.append(alert_panel)
        if section_panel not in section_panels.section_detail_panels:
            section_panels.section_detail_panels.append(section_panel)
