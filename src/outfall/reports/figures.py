"""Report images drawn offline with matplotlib's Agg canvas (no pyplot, no global backend, no display).

Chinese labels need a CJK font: :func:`cjk_font` looks for one among the fonts matplotlib finds
(fontconfig's list and its own); without one every label in an image is kept ASCII (codes, numbers,
English words) so that no tofu box appears. Images are PNG at 150 dpi and stay near or under 150 KB.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from datetime import datetime, timedelta
from functools import cache

import numpy as np

__all__ = ["CJK_FAMILIES", "DPI", "ascii_only", "cjk_font", "label", "located", "map_png", "series_png", "trend_png"]

#: CJK font families tried in this order (Debian: fonts-noto-cjk, fonts-wqy-zenhei, fonts-wqy-microhei).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Sarasa Gothic SC", "Droid Sans Fallback",
                "AR PL UMing CN", "AR PL UKai CN", "SimHei", "Microsoft YaHei", "PingFang SC")
DPI = 150
UPSTREAM_RGB, OTHER_RGB = "#1f6fb4", "#b8c4cc"
SECTION_RGB, OUTFALL_RGB, LIMIT_RGB = "#2e7d32", "#e65100", "#c62828"
MAX_ARROWS = 60


@cache
def cjk_font() -> str | None:
    """The family of a CJK font that matplotlib can draw with here, or None (then labels stay ASCII).

    First a family of :data:`CJK_FAMILIES` in matplotlib's font list; else the first font that
    fontconfig lists for Chinese (``fc-list :lang=zh``), added to matplotlib's list (its cache does
    not see fonts installed after it was built). Looked up once per process.
    """
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    found = next((n for n in CJK_FAMILIES if n in names), None)
    if found or not shutil.which("fc-list"):
        return found
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "--format", "%{file}\\n"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for path in sorted(p for p in out.splitlines() if p.lower().endswith((".ttf", ".otf", ".ttc"))):
        try:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def label(zh: str, en: str, *, cjk: bool) -> str:
    """An image label: "中文 English" when a CJK font is there, else the ASCII part alone.

    >>> label("断面", "section", cjk=False), label("断面", "section", cjk=True)
    ('section', '断面 section')
    """
    return f"{zh} {en}" if cjk and zh else ascii_only(en)


def ascii_only(text: str) -> str:
    """``text`` with every non-ASCII character replaced by "?" (what an image without a CJK font can show).

    >>> ascii_only("W-01"), ascii_only("个/L")
    ('W-01', '?/L')
    """
    return text if text.isascii() else "".join(c if c.isascii() else "?" for c in text)


def _figure(w_in: float, h_in: float, margins: tuple[float, float, float, float]):
    """A figure on its own Agg canvas with fixed margins (left, bottom, right, top) in inches: constrained
    layout would measure every label first, doubling the drawing time."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w_in, h_in), dpi=DPI)
    FigureCanvasAgg(fig)
    le, bo, ri, to = margins
    fig.subplots_adjust(left=le / w_in, bottom=bo / h_in, right=1 - ri / w_in, top=1 - to / h_in)
    return fig


def _text_kw(font: str | None) -> dict:
    """Keyword arguments of a text from the data: never parsed as mathtext (a "$" in a name), CJK font."""
    return {"parse_math": False, "fontfamily": [font, "DejaVu Sans"]} if font else {"parse_math": False}


def _legend_font(font: str | None) -> dict:
    return {"size": 6, "family": [font, "DejaVu Sans"]} if font else {"size": 6}


def _png(fig) -> bytes:
    """The figure as a 256-colour PNG: a quarter of the size of matplotlib's RGBA PNG, and as quick."""
    from PIL import Image

    fig.canvas.draw()
    w, h = fig.canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (w, h), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buf = io.BytesIO()
    img.quantize(256, method=Image.Quantize.FASTOCTREE).save(buf, format="PNG", dpi=(DPI, DPI))
    return buf.getvalue()


def _arrows(reaches: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Middle of each reach's middle segment and its downstream direction, upstream reaches first."""
    pts, dirs = [], []
    for r in sorted(reaches, key=lambda r: not r["upstream"])[:MAX_ARROWS]:
        c = r["coords"]
        if len(c) < 2:
            continue
        k = (len(c) - 1) // 2
        (x0, y0), (x1, y1) = c[k][:2], c[k + 1][:2]
        if x0 == x1 and y0 == y1:
            continue
        pts.append(((x0 + x1) / 2, (y0 + y1) / 2))
        dirs.append((x1 - x0, y1 - y0))
    return np.array(pts, dtype=float).reshape(-1, 2), np.array(dirs, dtype=float).reshape(-1, 2)


def located(p: dict) -> bool:
    """Whether a map point has both coordinates."""
    return p["lon"] is not None and p["lat"] is not None


def map_png(m: dict, *, font: str | None = None, width_in: float = 6.3) -> bytes:
    """The trace map: reaches (upstream ones highlighted) with flow arrows, sections as triangles and
    candidate outfalls as circles whose area grows with their share, each labelled with its code.

    ``m`` is the report's ``map`` (lon/lat in degrees, WGS 84). With ``font`` None labels stay ASCII.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    cjk = font is not None
    tk = _text_kw(font)
    reaches = [r for r in m["reaches"] if len(r["coords"]) >= 2]
    pts = [(p["lon"], p["lat"]) for p in (*m["sections"], *m["outfalls"]) if located(p)]
    xy = np.array([c[:2] for r in reaches for c in r["coords"]] + pts, dtype=float).reshape(-1, 2)
    lat0 = float(np.nanmean(xy[:, 1])) if xy.size else 0.0
    aspect = 1.0 / max(math.cos(math.radians(lat0)), 0.1)  # degrees of lat per degree of lon, drawn equal
    if xy.size:
        extent = np.nanmax(xy, axis=0) - np.nanmin(xy, axis=0)
        ratio = float(np.clip(aspect * extent[1] / max(extent[0], 1e-9), 0.5, 1.0))
    else:
        ratio = 0.8
    margins = (0.55, 0.4, 0.1, 0.1)
    fig = _figure(width_in, (width_in - margins[0] - margins[2]) * ratio + margins[1] + margins[3], margins)
    ax = fig.add_subplot()
    ax.set_aspect(aspect)
    for up in (False, True):
        lines = [np.asarray([c[:2] for c in r["coords"]], dtype=float) for r in reaches if bool(r["upstream"]) == up]
        if lines:
            ax.add_collection(LineCollection(lines, colors=UPSTREAM_RGB if up else OTHER_RGB,
                                             linewidths=2.0 if up else 0.9, zorder=2 if up else 1))
    if xy.size:
        (x0, y0), (x1, y1) = np.nanmin(xy, axis=0), np.nanmax(xy, axis=0)
        w, h = max(x1 - x0, 1e-3) * 1.12, max(y1 - y0, 1e-3) * 1.12
        if h * aspect / w < ratio:  # widen the short side so the window fills the axes box exactly
            h = ratio * w / aspect
        else:
            w = h * aspect / ratio
        ax.set_xlim((x0 + x1 - w) / 2, (x0 + x1 + w) / 2)
        ax.set_ylim((y0 + y1 - h) / 2, (y0 + y1 + h) / 2)
        span = math.sqrt(w * h)  # arrow length scale
        at, d = _arrows(reaches)
        if len(at):
            d = d / np.hypot(d[:, 0], d[:, 1])[:, None] * span * 0.03
            ax.quiver(at[:, 0], at[:, 1], d[:, 0], d[:, 1], angles="xy", scale_units="xy", scale=1, pivot="mid",
                      color="#0d3b66", width=0.004, headwidth=4, headlength=5, zorder=3)
    outs = [o for o in m["outfalls"] if located(o)]
    if outs:
        share = np.clip(np.array([o["share"] or 0.0 for o in outs], dtype=float), 0, 1)
        ax.scatter([o["lon"] for o in outs], [o["lat"] for o in outs], s=18 + 600 * share, c=OUTFALL_RGB,
                   alpha=0.65, edgecolors="#6d2600", linewidths=0.6, zorder=4)
        for o, s in zip(outs, share, strict=True):
            ax.annotate(ascii_only(o["code"]) if not cjk else o["code"], (o["lon"], o["lat"]),
                        xytext=(4 + 7 * math.sqrt(s), 3), textcoords="offset points", fontsize=6, zorder=6, **tk)
    secs = [s for s in m["sections"] if located(s)]
    if secs:
        ax.scatter([s["lon"] for s in secs], [s["lat"] for s in secs], marker="^", s=70, c=SECTION_RGB,
                   edgecolors="black", linewidths=0.6, zorder=5)
        for s in secs:
            ax.annotate(s["code"] if cjk else ascii_only(s["code"]), (s["lon"], s["lat"]), xytext=(5, -9),
                        textcoords="offset points", fontsize=7, color="#1b4d1e", zorder=6, **tk)
    handles = [Line2D([], [], color=UPSTREAM_RGB, lw=2, label=label("上游河段", "upstream reach", cjk=cjk)),
               Line2D([], [], color=OTHER_RGB, lw=1, label=label("其他河段", "other reach", cjk=cjk)),
               Line2D([], [], ls="", marker="^", color=SECTION_RGB, mec="black", label=label("断面", "section", cjk=cjk)),
               Line2D([], [], ls="", marker="o", color=OUTFALL_RGB, alpha=0.65,
                      label=label("排污口(大小=份额)", "outfall (size = share)", cjk=cjk))]
    ax.legend(handles=handles, loc="best", framealpha=0.85, prop=_legend_font(font))
    ax.tick_params(labelsize=6)
    ax.set_xlabel(label("经度", "longitude (deg E)", cjk=cjk), fontsize=7, **tk)
    ax.set_ylabel(label("纬度", "latitude (deg N)", cjk=cjk), fontsize=7, **tk)
    ax.grid(True, lw=0.3, alpha=0.4)
    return _png(fig)


def _wall(text: str) -> datetime:
    """An ISO time as the wall-clock time it was written in (offset dropped, so +08:00 shows as local)."""
    return datetime.fromisoformat(text).replace(tzinfo=None)


def series_png(s: dict, *, parameter: str, unit: str, limit: float | None, at: str | None = None,
               title: str | None = None, font: str | None = None, width_in: float = 6.3) -> bytes:
    """One section's chart: observed and model-explained concentration against time, the limit as a
    dashed line and the trace time as a dotted one. ``s`` is one item of the report's ``series``."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    cjk = font is not None
    tk = _text_kw(font)
    t = [_wall(x) for x in s["times"]]
    obs = np.array([np.nan if v is None else v for v in s["observed"]], dtype=float)
    exp = np.array([np.nan if v is None else v for v in s["explained"]], dtype=float)
    fig = _figure(width_in, 2.3, (0.55, 0.45, 0.1, 0.25))
    ax = fig.add_subplot()
    ax.plot(t, obs, "o-", ms=2.5, lw=0.9, color="#263238", label=label("实测", "observed", cjk=cjk))
    ax.plot(t, exp, "-", lw=1.6, color=UPSTREAM_RGB, label=label("模型解释", "explained by candidates", cjk=cjk))
    if limit is not None:
        ax.axhline(limit, ls="--", lw=1.0, color=LIMIT_RGB, label=label("限值", f"limit {limit:g} {unit}".rstrip(), cjk=cjk))
    if at is not None:
        ax.axvline(_wall(at), ls=":", lw=0.9, color="#757575")
    if t:
        if min(t) == max(t):  # one time: a two-hour window around it, else the locator has no range
            ax.set_xlim(t[0] - timedelta(hours=1), t[0] + timedelta(hours=1))
        loc = AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))
        ax.xaxis.get_offset_text().set_fontsize(6)
    top = np.nanmax(np.r_[obs, exp, limit if limit is not None else np.nan, 0.0])
    ax.set_ylim(0, top * 1.12 if top > 0 else 1.0)  # headroom: the limit line never sits on the frame
    ax.set_ylabel(f"{ascii_only(parameter)} ({ascii_only(unit)})" if not cjk else f"{parameter} ({unit})",
                  fontsize=7, **tk)
    if title:
        ax.set_title(title if cjk else ascii_only(title), fontsize=8, loc="left", **tk)
    ax.tick_params(labelsize=6)
    ax.grid(True, lw=0.3, alpha=0.4)
    ax.legend(loc="upper right", framealpha=0.85, prop=_legend_font(font))
    return _png(fig)


#: Line colours of a trend chart, one per named line.
TREND_COLOURS = ("#1f6fb4", "#c62828", "#2e7d32", "#e65100", "#6a1b9a", "#455a64")


def trend_png(x: list[str], y: dict[str, list[float | None]], *, unit: str = "", title: str | None = None,
              font: str | None = None, width_in: float = 6.3) -> bytes:
    """A monthly trend (a summary's :class:`~outfall.reports.parts.Series`): one line with markers per
    named line over the month labels ``x``; a None value leaves a gap. ``unit`` labels the y axis
    (``%`` for a rate, which then runs from 0 to 100). Without ``font`` every label stays ASCII and a
    line whose name has no ASCII is called "series N"."""
    cjk = font is not None
    tk = _text_kw(font)
    fig = _figure(width_in, 2.4, (0.55, 0.5, 0.1, 0.3))
    ax = fig.add_subplot()
    pos = np.arange(len(x))
    top = 0.0
    for i, (name, values) in enumerate(y.items()):
        v = np.array([np.nan if a is None else a for a in values], dtype=float)
        if np.isfinite(v).any():
            top = max(top, float(np.nanmax(v)))
        shown = name if cjk else (ascii_only(name) if any(c.isascii() and c.isalnum() for c in name)
                                  else f"series {i + 1}")
        ax.plot(pos, v, "o-", ms=3, lw=1.2, color=TREND_COLOURS[i % len(TREND_COLOURS)], label=shown)
    ax.set_xticks(pos)
    ax.set_xticklabels([s if cjk else ascii_only(s) for s in x], fontsize=6, rotation=0 if len(x) <= 8 else 45, **tk)
    if unit == "%":
        ax.set_ylim(0, 105)
    else:
        from matplotlib.ticker import MaxNLocator

        ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts
    if unit:
        ax.set_ylabel(unit if cjk else ascii_only(unit), fontsize=7, **tk)
    if title:
        ax.set_title(title if cjk else ascii_only(title), fontsize=8, loc="left", **tk)
    ax.tick_params(labelsize=6)
    ax.grid(True, lw=0.3, alpha=0.4)
    if y:
        ax.legend(loc="best", framealpha=0.85, prop=_legend_font(font))
    return _png(fig)
