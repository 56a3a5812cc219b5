"""The trace page's chart: observed against explained concentration at each section in the model
(plotly figure JSON, drawn by the plotly.js the app serves)."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _
from plotly.subplots import make_subplots

from outfall.core.standards.parameters import registry
from outfall.monitoring.templatetags.waterclass import param_name


def series_figure(trace) -> dict:
    """One panel per section: readings (markers) and the trace's explained concentration (line)."""
    rows = trace.series or []
    p = registry().get(trace.parameter)
    unit = p.unit if p else ""
    n = max(len(rows), 1)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, vertical_spacing=0.06 if n > 1 else 0.1,
                        subplot_titles=[r["section"] for r in rows] or [""])
    for i, r in enumerate(rows, 1):
        fig.add_trace(go.Scatter(x=r["times"], y=r["observed"], mode="markers", name=_("实测"),
                                 marker={"size": 5, "color": "#1f3b63"}, showlegend=i == 1), row=i, col=1)
        fig.add_trace(go.Scatter(x=r["times"], y=r["explained"], mode="lines", name=_("模型解释"),
                                 line={"color": "#c0392b", "width": 1.5}, showlegend=i == 1), row=i, col=1)
        if trace.result.get("limit") is not None:
            fig.add_hline(y=trace.result["limit"], line={"color": "#888", "dash": "dot", "width": 1}, row=i, col=1)
    fig.add_vline(x=trace.at.isoformat(), line={"color": "#E02020", "dash": "dash", "width": 1})
    fig.update_layout(height=170 * n + 80, template="plotly_white", margin={"l": 50, "r": 20, "t": 40, "b": 30},
                      title=f"{param_name(trace.parameter)} ({unit})", legend={"orientation": "h"})
    return fig.to_plotly_json()
