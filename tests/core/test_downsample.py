"""Chart thinning keeps every bucket's extremes: a peak is never lost, whatever the series."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from outfall.core.downsample import minmax_indices

values = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=600)


@given(values, st.integers(1, 50), st.integers(0, 3))
def test_extremes_and_ends_are_kept_in_order(vals, buckets, gaps):
    v = np.array(vals)
    t = np.cumsum(np.r_[0.0, np.full(len(v) - 1, 1.0)]) ** (1 + gaps / 3)  # uneven spacing too
    keep = minmax_indices(t, v, buckets)
    assert np.all(np.diff(keep) > 0) and keep[0] == 0 and keep[-1] == len(v) - 1
    assert len(keep) <= max(len(v), 4 * buckets)
    assert v[keep].max() == v.max() and v[keep].min() == v.min()


def test_each_bucket_keeps_its_own_peak():
    t = np.arange(10_000.0)
    v = np.sin(t / 50.0)
    v[[1234, 8765]] = [5.0, -5.0]
    keep = minmax_indices(t, v, 100)
    assert 1234 in keep and 8765 in keep and len(keep) <= 400
    # every one of the 100 buckets keeps its own maximum
    for b in range(100):
        sl = slice(b * 100, (b + 1) * 100)
        assert v[keep[(keep >= sl.start) & (keep < sl.stop)]].max() == v[sl].max()


def test_nan_values_do_not_hide_a_peak():
    t = np.arange(100.0)
    v = np.full(100, np.nan)
    v[50] = 3.0
    assert 50 in minmax_indices(t, v, 2)
