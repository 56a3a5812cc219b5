"""The number a stored reading counts as, said in SQL: the database's twin of
:func:`outfall.core.standards.counted_value` (below detection, the detection limit × ``BELOW_DETECTION_FACTOR``
(未检出按检出限一半, 环办〔2011〕22号); below an unstated limit, missing, or a row with a value or
limit that is not finite (PostgreSQL orders NaN above every number, so a NaN fails both bounds;
SQLite keeps a NaN as NULL): NULL; else the value), so sums and counts over many readings stay in the database. Every grouped query over
readings uses this one expression; a test checks it against the core function row by row.
"""

from __future__ import annotations

from django.db.models import Case, F, FloatField, Q, Value, When

from outfall.core.standards import BELOW_DETECTION_FACTOR

__all__ = ["counted_value_sql"]

FINITE = 1.7e308  # just below the largest double


def counted_value_sql() -> Case:
    """The counted value of a reading row (``value``, ``qualifier``, ``detection_limit``) as an SQL
    expression (mg/L or the parameter's unit; NULL where the reading counts as nothing): use it in
    ``annotate(x=counted_value_sql())`` then ``Sum("x")`` and ``Count("x")``."""
    finite = {"lt": FINITE, "gt": -FINITE}
    value_ok = Q(value__isnull=True) | Q(**{f"value__{k}": v for k, v in finite.items()})
    return Case(When(value_ok & Q(qualifier="<", **{f"detection_limit__{k}": v for k, v in finite.items()}),
                     then=F("detection_limit") * Value(BELOW_DETECTION_FACTOR)),
                When(Q(**{f"value__{k}": v for k, v in finite.items()}) & ~Q(qualifier__in=["missing", "<"])
                     & (Q(detection_limit__isnull=True) | Q(**{f"detection_limit__{k}": v for k, v in finite.items()})),
                     then=F("value")),
                default=Value(None), output_field=FloatField())
