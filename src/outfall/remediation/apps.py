from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "outfall.remediation"
    label = "remediation"
    verbose_name = "整治"

    def ready(self) -> None:
        # STYLE rule 16: the outfall page shows the task panel through the registry the ledger owns.
        from outfall.ledger import panels as ledger_panels
        from outfall.remediation.panels import outfall_panel
        from outfall.remediation.selectors import open_by_outfall
        from outfall.traces import inputs as trace_inputs

        if outfall_panel not in ledger_panels.detail_panels:
            ledger_panels.detail_panels.append(outfall_panel)
        # The tracer's history prior counts an outfall's open remediation tasks with its violations.
        if open_by_outfall not in trace_inputs.violation_sources:
            trace_inputs.violation_sources.append(open_by_outfall)
