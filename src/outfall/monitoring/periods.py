"""Period means of a section's readings aggregated in the database (issue #12: a section page must
not read every reading of its history to build its monthly and yearly tables).

The rules are those of :func:`outfall.core.standards.period_mean` (环办〔2011〕22号 §2.2), applied to
the samples :func:`outfall.monitoring.selectors.samples` reads, unchanged:

- a row is read as :func:`outfall.core.standards.stored_value` does: ``missing``, a measured value of
  NULL, and any non-finite value or detection limit count as missing (they add to the sample count
  ``n`` and to nothing else);
- a measured value counts as itself; a below-detection value as its detection limit ×
  :data:`~outfall.core.standards.BELOW_DETECTION_FACTOR` (未检出按检出限一半); ``ND`` without a limit
  is skipped;
- the mean is the arithmetic mean of the counted numbers; when every counted value is below
  detection the mean is "below the largest limit"; with nothing counted, missing.

One query groups a section's rows by (local month, parameter, qualifier) with plain aggregates
(count, sum, min, max: cheap to scan; portable SQL: a ``CASE`` over the month edges computed in
Python in the site's time zone, so SQLite and PostgreSQL give the same months); the rules above are
then applied to those sums in Python. Years are the sums of their months. Two cases cannot be
summed and are read row by row and reduced in Python with the rules as they are: a (month,
parameter) holding more than one (source, basis) — the only way two rows share a time, where "one
value per parameter and time, the last written wins" — and one holding a non-finite value or
limit (PostgreSQL keeps NaN and ±inf). Sums are added in another order than Python's, so a mean
may differ from the row-by-row one in its last bit (a relative 1e-15); classes are decided on
values rounded to their reporting precision first.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections import defaultdict

from django.db.models import Case, Count, F, IntegerField, Max, Min, Q, Sum, Value, When
from django.utils import timezone

from outfall.core.standards import BELOW_DETECTION_FACTOR
from outfall.core.standards.evaluation import PeriodSum, period_sum, stored_value
from outfall.core.standards.values import ParsedValue
from outfall.monitoring.models import SectionReading

__all__ = ["period_edges", "section_periods", "recent_means"]

_BIG = sys.float_info.max


def _finite(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": -_BIG, f"{field}__lte": _BIG})


#: Plain aggregates per (…, parameter, qualifier): cheap to scan; the rules are applied in Python.
_AGGREGATES = {"rows": Count("pk"), "n_value": Count("value"), "sum_value": Sum("value"),
               "n_dl": Count("detection_limit"), "sum_dl": Sum(F("detection_limit") * BELOW_DETECTION_FACTOR),
               "max_dl": Max("detection_limit"), "v0": Min("value"), "v1": Max("value"), "d0": Min("detection_limit")}
#: … and, when the rows hold more than one (source, basis), which ones each group holds.
_KINDS = {"s0": Min("source"), "s1": Max("source"), "b0": Min("basis"), "b1": Max("basis")}


def _finite_row(row: dict) -> bool:
    """Every value and limit of the group finite (PostgreSQL keeps NaN and ±inf; the largest and
    smallest tell)."""
    return all(math.isfinite(x) for x in (row["v0"], row["v1"], row["d0"], row["max_dl"]) if x is not None)


def _acc_of(row: dict) -> PeriodSum:
    """The PeriodSum of one (…, parameter, qualifier) group of plain rows (:func:`_plain`)."""
    q = row["qualifier"]
    if q == "missing":
        return PeriodSum(rows=row["rows"])
    if q == "<":
        return PeriodSum(float(row["sum_dl"] or 0.0), row["n_dl"], 0, row["max_dl"] if row["n_dl"] else None, row["rows"])
    return PeriodSum(float(row["sum_value"] or 0.0), row["n_value"], row["n_value"], None, row["rows"])


def _groups(qs, keys: tuple[str, ...], reduce, **annotations) -> dict[tuple, PeriodSum]:
    """(*keys, parameter) → PeriodSum of ``qs`` (with ``annotations``, e.g. the period) grouped in SQL; a
    group that is not plain is read row by row instead (``reduce(key) -> {parameter: PeriodSum}``). Which
    (source, basis) each group holds is asked only when the rows hold more than one (an index-only
    look first: the common case of one source saves four text aggregates a row)."""
    out: dict[tuple, PeriodSum] = {}
    odd: set[tuple] = set()
    several = len(qs.order_by().values_list("source", "basis").distinct()[:2]) > 1
    rows = list(qs.annotate(**annotations).values(*keys, "parameter", "qualifier")
                .annotate(**_AGGREGATES, **(_KINDS if several else {})).order_by())
    kinds: dict[tuple, set] = defaultdict(set)
    for row in rows:
        key = (*(row[k] for k in keys), row["parameter"])
        if several:
            kinds[key].update({(row["s0"], row["b0"]), (row["s1"], row["b1"])})
        if not _finite_row(row):
            odd.add(key)
    # one (source, basis) in the whole (…, parameter) group, whatever the qualifiers: one row per time
    odd.update(key for key, seen in kinds.items() if len({s for s, _b in seen}) > 1 or len({b for _s, b in seen}) > 1)
    for row in rows:
        key = (*(row[k] for k in keys), row["parameter"])
        if key not in odd:
            out.setdefault(key, PeriodSum()).add(_acc_of(row))
    for key in odd:
        out[key] = reduce(key[:-1]).get(key[-1], PeriodSum())
    return out


def _reduced(qs) -> dict[str, PeriodSum]:
    """parameter → PeriodSum of ``qs``'s rows read one by one, one value per (parameter, time), the last
    written winning (:func:`outfall.monitoring.selectors.samples`)."""
    latest: dict = {}
    for t, p, v, q, dl, raw in qs.order_by("time", "pk").values_list("time", "parameter", "value", "qualifier",
                                                                     "detection_limit", "raw"):
        latest[(p, t)] = stored_value(v, q, dl, raw)
    by_param: dict[str, list] = defaultdict(list)
    for (p, _t), pv in latest.items():
        by_param[p].append(pv)
    return {p: period_sum(vs) for p, vs in by_param.items()}


def period_edges(first: dt.datetime, last: dt.datetime, tz) -> list[dt.datetime]:
    """Starts of the local months (in ``tz``) from the one holding ``first`` to the one after the
    one holding ``last``: ``len - 1`` months, aware datetimes."""
    a = first.astimezone(tz)
    y, m = a.year, a.month
    out = []
    end = last.astimezone(tz)
    while True:
        out.append(dt.datetime(y, m, 1, tzinfo=tz))
        if (y, m) > (end.year, end.month):
            return out
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _bucket(edges: list, lo: int, hi: int):
    """The index of the period ``[edges[i], edges[i + 1])`` holding a row's time, for ``lo ≤ i < hi``,
    as nested ``CASE`` halving the range (log₂ of the periods comparisons a row, not one per period)."""
    if hi - lo == 1:
        return Value(lo)
    mid = (lo + hi) // 2
    return Case(When(time__lt=edges[mid], then=_bucket(edges, lo, mid)), default=_bucket(edges, mid, hi),
                output_field=IntegerField())


def section_periods(section, *, since: dt.datetime | None = None,
                    parameters: list[str] | None = None) -> tuple[dict, dict]:
    """({"YYYY-MM": {parameter: PeriodSum}}, {"YYYY": {parameter: PeriodSum}}) of a section's readings (local
    months and years of the site's time zone): the time span, then the sums. ``parameters``: every
    parameter the section has readings of, when known (the span is then read at the ends of each)."""
    qs = SectionReading.objects.filter(section=section)
    if since is not None:
        qs = qs.filter(time__gte=since)
    if parameters is None:
        span = qs.aggregate(a=Min("time"), b=Max("time"))
    else:  # an index seek at both ends of each parameter's run of the unique key
        firsts = [qs.filter(parameter=p).order_by("time").values_list("time", flat=True).first() for p in parameters]
        lasts = [qs.filter(parameter=p).order_by("-time").values_list("time", flat=True).first() for p in parameters]
        span = {"a": min((t for t in firsts if t is not None), default=None),
                "b": max((t for t in lasts if t is not None), default=None)}
    if span["a"] is None:
        return {}, {}
    tz = timezone.get_current_timezone()
    edges = period_edges(span["a"], span["b"], tz)
    keys = [f"{e.year}-{e.month:02d}" for e in edges[:-1]]
    bucket = _bucket(edges, 0, len(keys))

    def reduce(key):
        return _reduced(qs.filter(time__gte=edges[key[0]], time__lt=edges[key[0] + 1]))

    months: dict[str, dict[str, PeriodSum]] = defaultdict(dict)
    for (b, p), acc in _groups(qs, ("b",), reduce, b=bucket).items():
        months[keys[b]][p] = acc
    years: dict[str, dict[str, PeriodSum]] = defaultdict(dict)
    for key in sorted(months):
        for p, acc in months[key].items():
            years[key[:4]].setdefault(p, PeriodSum()).add(acc)
    return dict(months), dict(years)


def recent_means(windows: dict[int, dt.datetime]) -> dict[int, dict[str, ParsedValue]]:
    """Section pk → {parameter: mean} of its readings since the time given for it (one query for
    every section; groups where two rows may share a time are reduced row by row)."""
    if not windows:
        return {}
    cond = Q()
    for pk, since in windows.items():
        cond |= Q(section_id=pk, time__gte=since)
    qs = SectionReading.objects.filter(cond)
    out: dict[int, dict] = defaultdict(dict)

    def reduce(key):
        return _reduced(SectionReading.objects.filter(section_id=key[0], time__gte=windows[key[0]]))

    for (pk, p), acc in _groups(qs, ("section_id",), reduce).items():
        out[pk][p] = acc.mean()
    return {pk: out.get(pk, {}) for pk in windows}
