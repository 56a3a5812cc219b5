"""The periods of the summaries (core.months): months written YYYY-MM, bounds end exclusive, the
twelve months before a date."""

from __future__ import annotations

import datetime as dt

import pytest

from outfall.core.errors import InputError
from outfall.core.months import month_bounds, month_label, months_before, parse_month, year_bounds


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
