"""What the two monthly report writers (``monthly_docx``, ``monthly_xlsx``) share: the title block and
the plain rules for writing a :class:`~outfall.reports.parts.Part` (is there anything to report,
how a cell and a share are written). Pure: no Django, no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from outfall.reports.parts import Part, Rate, Series

__all__ = ["TitleBlock", "has_data", "series_has_data", "cell", "percent", "NUMERALS", "NO_DATA", "NO_DATA_EN"]

#: Chinese section numbers of a report (一、二、…), as Chinese official documents number them.
NUMERALS = "一二三四五六七八九十"
NO_DATA = "本期无数据。"
NO_DATA_EN = "No data for this period."


@dataclass(frozen=True)
class TitleBlock:
    """The title block of a monthly report.

    ``area``: the area's name (莱西市); ``month``: ``YYYY-MM``; ``town``: a town's name, or None for
    the whole area; ``generated``: when the report was made, as it should be printed
    (``2026-11-02 09:30``); ``generated_by``: who made it (optional).
    """

    area: str
    month: str
    town: str | None
    generated: str
    generated_by: str = ""

    @property
    def scope(self) -> str:
        """What the report covers: the town's name, else 全域 (the whole area).

        >>> TitleBlock("莱西市", "2026-10", None, "").scope, TitleBlock("莱西市", "2026-10", "姜山镇", "").scope
        ('全域', '姜山镇')
        """
        return self.town or "全域"

    @property
    def title(self) -> str:
        """The report's title.

        >>> TitleBlock("莱西市", "2026-10", "姜山镇", "").title
        '莱西市姜山镇入河排污口监管月报（2026年10月）'
        """
        year, month = self.month.split("-")
        return f"{self.area}{self.town or ''}入河排污口监管月报（{int(year)}年{int(month)}月）"


def series_has_data(s: Series) -> bool:
    """Whether a trend has a value other than None and 0.

    >>> series_has_data(Series("t", ["2026-01"], {"a": [None]})), series_has_data(Series("t", ["2026-01"], {"a": [0, 2]}))
    (False, True)
    """
    return any(v not in (None, 0) for values in s.y.values() for v in values)


def has_data(part: Part) -> bool:
    """Whether a part has anything counted: a rate with a total, or a trend with a value.

    A part's tables may list its sites even when none has data (a section "无数据"), so they do not count.

    >>> has_data(Part("x", "X", rates=[Rate("a", 0, 0)])), has_data(Part("x", "X", rates=[Rate("a", 0, 3)]))
    (False, True)
    """
    return any(r.total for r in part.rates) or any(series_has_data(s) for s in part.series)


def percent(rate: Rate) -> float | None:
    """The share in percent to one decimal, None when there is nothing to count.

    >>> percent(Rate("a", 201, 202)), percent(Rate("a", 0, 0))
    (99.5, None)
    """
    return None if rate.share is None else round(100.0 * rate.share, 1)


def cell(value) -> str:
    """A table value as text: None → "—", a float to four decimals without trailing zeros (under 0.001 in
    e-notation), anything else as str.

    >>> cell(None), cell(3), cell(2.0), cell(99.54), cell(float("nan")), cell("达标"), cell(0.00012)
    ('—', '3', '2', '99.54', '—', '达标', '1.20e-04')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, float):
        if value != 0 and abs(value) < 1e-3:  # a small p-value keeps its digits
            return f"{value:.2e}"
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)
