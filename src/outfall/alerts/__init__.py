"""Early warning (超标预警): alerts raised from readings, their lifecycle, receptors and notifications.

The rules are the core's (:mod:`outfall.core.warning`); this app loads readings, stores alerts and
their steps, and sends notifications. It sits above monitoring (STYLE rule 16): monitoring calls it
through ``outfall.monitoring.hooks``, registered in :class:`outfall.alerts.apps.AlertsConfig`.
"""
