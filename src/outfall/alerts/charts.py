"""The alert's chart: readings around the episode, the limit line and the episode shaded (plotly)."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from outfall.core.standards.parameters import registry
from outfall.monitoring.templatetags.waterclass import param_name


def alert_figure(alert, points: list[tuple]) -> dict:
    p = registry().get(alert.parameter)
    name = param_name(alert.parameter)
    fig = go.Figure(go.Scatter(x=[t for t, _ in points], y=[v for _, v in points], mode="lines+markers",
                               marker={"size": 4}, line={"width": 1, "color": "#1f3b63"}, name=name))
    fig.add_vrect(x0=alert.opened_at, x1=alert.last_time, fillcolor="#E02020", opacity=0.12, line_width=0)
    if alert.limit is not None:
        fig.add_hline(y=alert.limit, line={"color": "#c0392b", "dash": "dash", "width": 1.5},
                      annotation_text=_("限值 %(limit)s") % {"limit": f"{alert.limit:g}"}, annotation_position="top left")
    fig.update_layout(title=f"{name} ({p.unit if p else ''})", height=320, showlegend=False, template="plotly_white",
                      margin={"l": 50, "r": 30, "t": 40, "b": 30})
    return fig.to_plotly_json()
