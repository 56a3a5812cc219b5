"""The dashboard's charts: each monthly trend of a part (:class:`outfall.reports.parts.Series`) as a
plotly figure (JSON written directly, as ``monitoring.charts`` does), drawn by the plotly.js the app
serves itself (no CDN)."""

from __future__ import annotations

from outfall.reports.parts import Part, Series

__all__ = ["COLOURS", "trend_figure", "part_charts"]

#: Line colours, one per named line (the same as the report's figures).
COLOURS = ("#1f6fb4", "#c62828", "#2e7d32", "#e65100", "#6a1b9a", "#455a64")


def trend_figure(s: Series) -> dict:
    """A line per named line over the month labels; a rate (unit ``%``) on a 0–100 axis."""
    data = [{"type": "scatter", "mode": "lines+markers", "x": s.x, "y": values, "name": name,
             "line": {"width": 2, "color": COLOURS[i % len(COLOURS)]}, "marker": {"size": 5},
             "connectgaps": False}
            for i, (name, values) in enumerate(s.y.items())]
    grid = {"gridcolor": "#ebf0f8", "zerolinecolor": "#ebf0f8"}
    yaxis = {"title": {"text": s.unit}, "rangemode": "tozero", **grid}
    if s.unit == "%":
        yaxis["range"] = [0, 105]
    else:  # counts: whole numbers on the axis, one per tick while they are small
        yaxis["tickformat"] = ",d"
        top = max((v for values in s.y.values() for v in values if v is not None), default=0)
        if top <= 5:
            yaxis.update(dtick=1, range=[0, max(top, 1) + 0.5])
    layout = {"title": {"text": s.title, "font": {"size": 14}}, "height": 280,
              "margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "plot_bgcolor": "white", "paper_bgcolor": "white",
              "showlegend": len(data) > 1, "legend": {"orientation": "h", "y": -0.2},
              "xaxis": {"type": "category", **grid}, "yaxis": yaxis}
    return {"data": data, "layout": layout}


def part_charts(parts: list[Part]) -> list[dict]:
    """``[{"id", "figure"}]`` of every trend of every part, ids ``chart-<part key>-<n>``."""
    return [{"id": f"chart-{p.key}-{n}", "figure": trend_figure(s)} for p in parts for n, s in enumerate(p.series)]
