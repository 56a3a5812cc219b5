"""The SQL twin of core.standards.counted_value gives the same number for every kind of stored reading
(value, below detection with and without a limit, missing, a value stored with a qualifier)."""

from __future__ import annotations

import datetime as dt

import pytest

from alerts_fixtures import T0, make_section
from outfall.core.standards import counted_value
from outfall.monitoring.counted import counted_value_sql
from outfall.monitoring.models import SectionReading

ROWS = [(0.42, "", None), (None, "<", 0.02), (None, "<", None), (None, "<", 0.0), (None, "missing", None),
        (1.5, "missing", None), (0.0, "", None), (0.3, "<", 0.5), (float("inf"), "", None), (-float("inf"), "", None),
        (None, "", None), (None, "<", float("inf")), (2.0, "", float("inf"))]


@pytest.mark.django_db
def test_sql_equals_core_row_by_row():
    s = make_section()
    SectionReading.objects.bulk_create([
        SectionReading(section=s, time=T0 + dt.timedelta(hours=i), parameter="NH3N", value=v, qualifier=q,
                       detection_limit=d, unit="mg/L", raw="") for i, (v, q, d) in enumerate(ROWS)])
    got = list(SectionReading.objects.order_by("time").annotate(x=counted_value_sql()).values_list("x", flat=True))
    assert got == [counted_value(v, q, d) for v, q, d in ROWS]
    assert got[1] == pytest.approx(0.01) and got[2] is None and got[3] == 0.0 and got[4] is None
    assert got[7] == pytest.approx(0.25) and got[8:] == [None] * 5
