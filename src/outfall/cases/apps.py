from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "outfall.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        # STYLE rule 16: the alert, verification task and outfall pages show the case panels through
        # the registries their (lower) apps own.
        from outfall.alerts import panels as alert_panels
        from outfall.cases.panels import alert_panel, outfall_panel, task_panel
        from outfall.cases.selectors import substantiated_by_outfall
        from outfall.ledger import panels as ledger_panels
        from outfall.traces import inputs as trace_inputs
        from outfall.traces import panels as trace_panels

        for registry, panel in ((alert_panels.alert_detail_panels, alert_panel),
                                (trace_panels.task_detail_panels, task_panel),
                                (ledger_panels.detail_panels, outfall_panel)):
            if panel not in registry:
                registry.append(panel)
        # The tracer's history prior counts the substantiated cases of an outfall as past violations.
        if substantiated_by_outfall not in trace_inputs.violation_sources:
            trace_inputs.violation_sources.append(substantiated_by_outfall)
