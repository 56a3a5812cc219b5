"""The monthly report (月报) of one month for one town or the whole area, as .docx or .xlsx bytes:
the registry's parts for that month, written by the pure writers of :mod:`outfall.reports`
(``monthly_docx``, ``monthly_xlsx``). The page and ``outfall report monthly`` both call
:func:`monthly_report`, so a file is the same whichever way it was asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.core.errors import InputError
from outfall.core.months import month_bounds, month_label
from outfall.dashboard.registry import collect_parts
from outfall.reports.monthly import TitleBlock

__all__ = ["FORMATS", "MonthlyFile", "monthly_report", "format_of"]

#: Suffix → MIME type of the formats a monthly report is written in.
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class MonthlyFile:
    name: str           # e.g. monthly-2026-10-all.docx
    content_type: str
    body: bytes


def format_of(suffix: str) -> str:
    """``docx`` or ``xlsx`` from a suffix or format name (``.DOCX`` too); a clear error otherwise."""
    fmt = (suffix or "").strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise InputError(f"bad format {suffix!r}", user_message=_("月报格式「%(fmt)s」不支持，请用 .docx 或 .xlsx")
                         % {"fmt": suffix})
    return fmt


def monthly_report(*, user, month: dt.date, town, fmt: str) -> MonthlyFile:
    """The report of ``month`` (its first day) for ``town`` (a Town, or None: the whole area) as ``fmt``
    (``docx``/``xlsx``), with the parts ``user`` may see."""
    from outfall.reports.monthly_docx import monthly_report_docx  # matplotlib and python-docx on first use
    from outfall.reports.monthly_xlsx import monthly_report_xlsx

    fmt = format_of(fmt)
    start, end = month_bounds(month)
    parts = collect_parts(user=user, town_id=town.pk if town else None, start=start, end=end)
    who = (user.get_full_name() or user.username) if user is not None else ""
    title = TitleBlock(area=settings.OUTFALL_AREA_NAME, month=month_label(month), town=town.name if town else None,
                       generated=timezone.localtime().strftime("%Y-%m-%d %H:%M"), generated_by=who)
    writer = monthly_report_docx if fmt == "docx" else monthly_report_xlsx
    name = f"monthly-{month_label(month)}-{town.code if town else 'all'}.{fmt}"
    return MonthlyFile(name, FORMATS[fmt], writer(parts, title))
