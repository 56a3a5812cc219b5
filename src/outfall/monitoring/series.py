"""A section's chart series read for drawing (issue #12): the measured values of each parameter in a
time range, thinned to what a chart can show (:func:`outfall.core.downsample.minmax_indices`: the
first, lowest, highest and last reading of each of ``buckets`` time intervals).

The rows are read as plain numbers (time as Unix seconds computed in SQL, no datetime object per
row), so two years of hourly readings cost tens of milliseconds, and only the points kept are
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
from django.db.models import Case, F, FloatField, Func, Q, When
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
    if codes:
        qs = qs.filter(parameter__in=list(codes))
    drawn = Case(When(_drawn(), then=F("value")), default=None, output_field=FloatField())
    # the unique key's order (no sort); raw rows (no per-row converters): parameter, seconds, pk, value
    sql, params = qs.order_by("parameter", "time").values_list("parameter", Epoch("time"), "pk", drawn).query \
        .sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if not rows:
        return {}
    tz = timezone.get_current_timezone()
    n = len(rows)
    params_ = [r[0] for r in rows]
    t = np.round(np.fromiter((r[1] for r in rows), dtype=float, count=n), 3)  # ms: julianday's noise
    pk = np.fromiter((r[2] for r in rows), dtype=np.int64, count=n)
    v = np.fromiter((np.nan if r[3] is None else r[3] for r in rows), dtype=float, count=n)
    out: dict[str, dict] = {}
    starts = [0] + [i for i in range(1, n) if params_[i] != params_[i - 1]] + [n]
    for i, j in zip(starts[:-1], starts[1:], strict=True):
        order = np.lexsort((pk[i:j], t[i:j]))  # by time, then as written
        tt, vv = t[i:j][order], v[i:j][order]
        last_of_time = np.r_[tt[1:] != tt[:-1], True]  # one value per time: the row written last
        keep = last_of_time & ~np.isnan(vv)
        tt, vv = tt[keep], vv[keep]
        if len(tt):
            idx = minmax_indices(tt, vv, buckets)
            out[params_[i]] = {"x": [_local(x, tz) for x in tt[idx]], "y": [float(y) for y in vv[idx]],
                               "total": int(len(tt)), "shown": int(len(idx))}
    return out


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
