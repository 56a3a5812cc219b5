from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "outfall.inspections"
    label = "inspections"
    verbose_name = "现场巡查"

    def ready(self) -> None:
        # STYLE rule 16: the outfall file shows the inspections panel and the 现场巡查 / 标志牌 links
        # through the registries the (lower) ledger owns.
        from outfall.inspections.panels import outfall_links, outfall_panel
        from outfall.ledger import panels

        if outfall_panel not in panels.detail_panels:
            panels.detail_panels.append(outfall_panel)
        if outfall_links not in panels.detail_links:
            panels.detail_links.append(outfall_links)
