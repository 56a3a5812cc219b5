"""Time-series charts of a section (plotly figure JSON, drawn by the plotly.js the app serves).

A long series is thinned on the server to what the chart can show (:mod:`outfall.core.downsample`:
first, lowest, highest and last point of each of ``CHART_BUCKETS`` time intervals), so two years of
hourly readings cost a page ~1,200 points per chart, and every peak over a limit is still drawn at
its true value and time.
"""

from __future__ import annotations

import numpy as np
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.core.downsample import minmax_indices
from outfall.core.enums import WaterClass
from outfall.core.standards import limit
from outfall.core.standards.gb3838 import limits_for
from outfall.core.standards.parameters import registry

_CLASSES = [WaterClass.I, WaterClass.II, WaterClass.III, WaterClass.IV, WaterClass.V]
#: Time intervals a chart is thinned to (about its width in pixels / 2; ≤ 4 points each).
CHART_BUCKETS = 300


def series_figure(section, code: str, points: list[tuple], *, total: int | None = None) -> dict:
    """A figure of one parameter: the readings, GB 3838 class bands and the target line, labelled in
    the user's language. Written as plotly's figure JSON directly (the graph objects' validation
    and the expanded ``plotly_white`` template cost ~0.25 s and ~40 KB a chart). ``points`` are
    (time, value); ``total``: how many there were before they were thinned
    (:func:`outfall.monitoring.series.chart_series`), when they already are."""
    p = registry()[code]
    name = p.name_en if (get_language() or "").startswith("en") else p.name_zh
    total = len(points) if total is None else total
    if len(points) > 4 * CHART_BUCKETS:
        keep = minmax_indices(np.array([t.timestamp() for t, _v in points]),
                              np.array([v for _t, v in points], dtype=float), CHART_BUCKETS)
        points = [points[i] for i in keep]
    times = [t for t, _v in points]
    values = [v for _t, v in points]
    thinned = len(points) < total
    trace = {"type": "scatter", "x": times, "y": values, "mode": "lines" if thinned else "lines+markers",
             "marker": {"size": 3}, "name": name, "line": {"width": 1, "color": "#1f3b63"}}
    shapes, notes = [], []
    lim = limits_for(code, section.water_type)
    if lim is not None and lim.values:
        vmax = max([v for v in values if v is not None] + [lim.values[-1]]) * 1.1
        bounds = list(lim.values)
        if lim.direction == "min":  # DO: class I above 7.5 … V between 2 and 3, 劣V below 2
            edges = [vmax, *bounds, 0.0]
        else:
            edges = [0.0, *bounds, vmax]
        for i, cls in enumerate([*_CLASSES, WaterClass.WORSE_V]):
            lo, hi = sorted((edges[i], edges[i + 1]))
            if hi > lo:
                shapes.append({"type": "rect", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": lo, "y1": hi,
                               "fillcolor": cls.colour, "opacity": 0.10, "line": {"width": 0}, "layer": "below"})
                notes.append({"xref": "x domain", "yref": "y", "x": 1, "y": (lo + hi) / 2, "xanchor": "left",
                              "showarrow": False, "text": label_of(cls), "font": {"size": 10}})
        target = limit(code, section.target_class, section.water_type)
        if target is not None:
            shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": target,
                           "y1": target, "line": {"color": "#c0392b", "dash": "dash", "width": 1.5}})
            notes.append({"xref": "x domain", "yref": "y", "x": 0, "y": target, "xanchor": "left",
                          "yanchor": "bottom", "showarrow": False,
                          "text": _("目标 %(cls)s %(limit)s") % {"cls": label_of(WaterClass(section.target_class)),
                                                               "limit": target}})
    title = chart_title(code, len(points), total)
    grid = {"gridcolor": "#ebf0f8", "zerolinecolor": "#ebf0f8"}
    layout = {"title": {"text": title}, "height": 300, "margin": {"l": 50, "r": 70, "t": 40, "b": 30},
              "showlegend": False, "plot_bgcolor": "white", "paper_bgcolor": "white",
              "xaxis": {"type": "date", **grid}, "yaxis": dict(grid), "shapes": shapes, "annotations": notes}
    return {"data": [trace], "layout": layout}


def chart_title(code: str, shown: int, total: int) -> str:
    """A chart's title: the parameter and unit, and how it was thinned when it was."""
    p = registry()[code]
    name = p.name_en if (get_language() or "").startswith("en") else p.name_zh
    title = f"{name} ({p.unit})"
    if shown < total:
        title += " · " + _("每段显示最高、最低值 (%(shown)s / %(total)s 点)") % {"shown": shown, "total": total}
    return title
