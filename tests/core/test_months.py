"""The periods of the summaries (core.months) and the period mean from database sums
(core.standards.sums), which must equal period_mean on the same values (环办〔2011〕22号 §2.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outfall.core.errors import InputError
from outfall.core.months import month_bounds, month_label, months_before, parse_month, year_bounds
from outfall.core.standards import period_mean
from outfall.core.standards.sums import mean_of_sums
from outfall.core.standards.values import ParsedValue


@pytest.mark.parametrize("text", ["", "2026", "2026-00", "2026-13", "26-10", "2026/10", "2026-10-01", "十月", None])
def test_a_bad_month_is_refused_with_the_form_it_should_take(text):
    with pytest.raises(InputError) as e:
        parse_month(text)
    assert "YYYY-MM" in e.value.user_message


def test_month_and_year_bounds_are_end_exclusive():
    assert month_bounds(parse_month("2026-12")) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    assert year_bounds(2026) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))


def test_twelve_months_before_the_end_of_a_year_are_that_year():
    months = months_before(dt.date(2026, 1, 1), 12)
    assert [month_label(s) for s, _e in months] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert all(e == s2 for (_s, e), (s2, _e2) in zip(months, months[1:], strict=False))  # contiguous


def test_twelve_months_before_a_month_end_at_that_month():
    months = months_before(month_bounds(parse_month("2026-10"))[1], 12)
    assert month_label(months[0][0]) == "2025-11" and month_label(months[-1][0]) == "2026-10"


values = st.one_of(
    st.floats(0.001, 100.0).map(ParsedValue),
    st.floats(0.001, 1.0).map(lambda dl: ParsedValue(None, "<", dl, f"{dl!r}L")),
    st.just(ParsedValue(None, "<", None, "ND")),
    st.just(ParsedValue(None, "missing")),
)


@given(st.lists(values, max_size=12))
def test_the_mean_of_sums_is_period_mean(vs):
    measured = [v.value for v in vs if v.qualifier == "" and v.value is not None]
    limits = [v.detection_limit for v in vs if v.qualifier == "<" and v.detection_limit is not None]
    got = mean_of_sums(len(measured), sum(measured) if measured else None, len(limits),
                       sum(limits) if limits else None, max(limits) if limits else None)
    want = period_mean(vs)
    assert (got.qualifier, got.detection_limit) == (want.qualifier, want.detection_limit)
    if want.value is None:
        assert got.value is None
    else:
        assert got.value == pytest.approx(want.value, rel=1e-12)
