"""A section's chart series read for drawing (issue #12): the measured values of each parameter in a
time range, thinned to what a chart can show (:func:`outfall.core.downsample.minmax_indices`: the
first, lowest, highest and last reading of each of ``buckets`` time intervals).

The rows are read raw (time as Unix seconds computed by PostgreSQL, or SQLite's UTC text read by
numpy; no datetime object per row), so two years of hourly readings cost tens of milliseconds, and only the points kept are
turned into times. The values are those :func:`outfall.monitoring.selectors.series_of_samples`
draws: one value per parameter and time (the row written last wins), measured values only (not
below detection, not missing, finite value and detection limit).

Times are sent as local wall-clock text of the site's time zone (``YYYY-MM-DD HH:MM:SS``), which is
what plotly draws on a date axis and what it hands back when the user zooms.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import connection
from django.db.models import Case, CharField, F, FloatField, Func, Q, When
from django.utils import timezone

from outfall.core.downsample import minmax_indices
from outfall.monitoring.models import SectionReading
from outfall.monitoring.periods import _finite

__all__ = ["Epoch", "chart_series", "parse_range", "RangeError"]


class Epoch(Func):
    """Unix time in seconds (float) of a datetime column, computed by the database."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)",
                           **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="date_part('epoch', %(expressions)s)", **extra)

    def as_sql(self, compiler, connection, template=None, **extra):
        return super().as_sql(compiler, connection, template=template or "EXTRACT(EPOCH FROM %(expressions)s)",
                              **extra)


class _Text(Func):
    """SQLite's stored text of a column as an expression: no declared type, so the driver hands the
    text over instead of parsing a datetime per row."""

    template = "(%(expressions)s || '')"
    output_field = CharField()


def _drawn() -> Q:
    return Q(qualifier="", value__isnull=False) & _finite("value") & _finite("detection_limit")


def chart_series(section, *, start: dt.datetime | None = None, end: dt.datetime | None = None,
                 codes=None, buckets: int) -> dict[str, dict]:
    """parameter → {"x": local times (text), "y": values in the registry unit, "total": measured
    values in the range, "shown": points kept} of ``section`` between ``start`` and ``end``
    (inclusive, aware datetimes; None: open), thinned to ``buckets`` intervals per parameter."""
    qs = SectionReading.objects.filter(section=section)
    if start is not None:
        qs = qs.filter(time__gte=start)
    if end is not None:
        qs = qs.filter(time__lte=end)
    codes = sorted(codes) if codes else sorted(set(qs.values_list("parameter", flat=True).distinct()))
    tz = timezone.get_current_timezone()
    out: dict[str, dict] = {}
    for code in codes:
        tt, vv = _points(qs.filter(parameter=code))
        if len(tt):
            idx = minmax_indices(tt, vv, buckets)
            out[code] = {"x": [_local(x, tz) for x in tt[idx]], "y": [float(y) for y in vv[idx]],
                         "total": int(len(tt)), "shown": int(len(idx))}
    return out


def _points(qs) -> tuple[np.ndarray, np.ndarray]:
    """(Unix seconds, values) of one parameter's drawn values, in time order, one per time. Two
    columns a row in the unique key's order (no sort, no per-row converters); only when two rows
    share a time (several sources or bases) are they read again with their pks, the last written
    winning."""
    sqlite = connection.vendor == "sqlite"  # SQLite keeps UTC text, which numpy reads faster than julianday()
    drawn = Case(When(_drawn(), then=F("value")), default=None, output_field=FloatField())
    cols = [_Text("time") if sqlite else Epoch("time"), drawn]
    rows = _raw(qs.order_by("time").values_list(*cols))
    t = _seconds([r[0] for r in rows], sqlite)
    if len(t) > 1 and bool(np.any(t[1:] == t[:-1])):
        rows = _raw(qs.order_by("time", "pk").values_list(*cols))
        t = _seconds([r[0] for r in rows], sqlite)
    v = np.fromiter((np.nan if r[1] is None else r[1] for r in rows), dtype=float, count=len(rows))
    last_of_time = np.r_[t[1:] != t[:-1], True] if len(t) else np.zeros(0, dtype=bool)
    keep = last_of_time & ~np.isnan(v)
    return t[keep], v[keep]


def _raw(qs) -> list[tuple]:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _seconds(times: list, sqlite: bool) -> np.ndarray:
    if sqlite:
        return np.array(times, dtype="datetime64[us]").astype(np.int64) / 1e6
    return np.round(np.array(times, dtype=float), 6)


def _local(epoch: float, tz) -> str:
    d = dt.datetime.fromtimestamp(epoch, tz)
    return d.strftime("%Y-%m-%d %H:%M:%S") + (f".{d.microsecond // 1000:03d}" if d.microsecond else "")


class RangeError(ValueError):
    """A chart range the detail request cannot use; ``str()`` says which and why."""


def _parse_time(name: str, text: str, tz) -> dt.datetime:
    raw = text.strip()
    try:
        value = dt.datetime.fromisoformat(raw.replace(" ", "T", 1) if len(raw) > 10 else raw)
    except ValueError:
        raise RangeError(f"{name}: 「{text[:40]}」不是日期时间 (如 2025-03-01 或 2025-03-01 08:00) / "
                         f"not an ISO 8601 date or time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value


def parse_range(start: str | None, end: str | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(start, end) of a chart's zoom from two ISO 8601 texts (what plotly sends: local wall-clock
    time of the site's zone when no offset is given); both or neither. Raises :class:`RangeError`."""
    if not start and not end:
        return None, None
    if not start or not end:
        raise RangeError("start/end: 需要同时给出起止时间 / give both start and end")
    tz = timezone.get_current_timezone()
    a, b = _parse_time("start", start, tz), _parse_time("end", end, tz)
    if a >= b:
        raise RangeError(f"start/end: 开始时间 {start} 不早于结束时间 {end} / start must be before end")
    return a, b
