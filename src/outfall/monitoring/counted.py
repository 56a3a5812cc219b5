"""The number a stored reading counts as, said in SQL: the database's twin of
:func:`outfall.core.standards.counted_value` (its value; below detection, the detection limit ×
``BELOW_DETECTION_FACTOR`` (未检出按检出限一半, 环办〔2011〕22号); missing, or below an unstated
limit: NULL), so sums and counts over many readings stay in the database. Every grouped query over
readings uses this one expression; a test checks it against the core function row by row.
"""

from __future__ import annotations

from django.db.models import Case, F, FloatField, Q, Value, When

from outfall.core.standards import BELOW_DETECTION_FACTOR

__all__ = ["counted_value_sql"]


def counted_value_sql() -> Case:
    """The counted value of a reading row (``value``, ``qualifier``, ``detection_limit``) as an SQL
    expression (mg/L or the parameter's unit; NULL where the reading counts as nothing): use it in
    ``annotate(x=counted_value_sql())`` then ``Sum("x")`` and ``Count("x")``."""
    return Case(When(Q(value__isnull=False) & ~Q(qualifier="missing"), then=F("value")),
                When(qualifier="<", detection_limit__gt=0, then=F("detection_limit") * Value(BELOW_DETECTION_FACTOR)),
                default=Value(None), output_field=FloatField())
