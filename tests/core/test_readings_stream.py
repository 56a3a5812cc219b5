"""The streaming readings parser holds one chunk in memory, not the file (issue #11)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tracemalloc

from outfall.core.standards.readings_io import read_readings, stream_readings


def _csv(n: int) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["site_code", "time", "parameter", "value", "unit"])
    t0 = dt.datetime(2025, 1, 1)
    for i in range(n):  # a distinct (site, parameter, time) per row
        t = t0 + dt.timedelta(hours=i // 150)
        w.writerow([f"S{i % 50:02d}", t.strftime("%Y-%m-%d %H:%M"), ["TP", "NH3N", "DO"][i // 50 % 3],
                    f"{(i * 7919) % 10_000 / 1000:.3f}", "mg/L"])
    return buf.getvalue().encode()


def _peak(data: bytes, *, chunk_rows: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        with stream_readings(data, name="m.csv", chunk_rows=chunk_rows) as stream:
            n = sum(len(c) for c in stream)
        assert not stream.errors
        return n, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_file(tmp_path):
    small, big = tmp_path / "small.csv", tmp_path / "big.csv"
    small.write_bytes(_csv(3_000))
    big.write_bytes(_csv(30_000))
    n_small, p_small = _peak(small, chunk_rows=1_000)
    n_big, p_big = _peak(big, chunk_rows=1_000)
    assert (n_small, n_big) == (3_000, 30_000)
    assert p_big < 1.5 * p_small, (p_small, p_big)  # reading it whole takes ~10×


def test_chunks_see_the_same_rows_as_the_whole_file():
    data = _csv(2_500)
    whole = read_readings(data, name="w.csv")
    with stream_readings(data, name="w.csv", chunk_rows=700) as stream:
        parts = [r for c in stream for r in c.records()]
    assert parts == whole and [r.row for r in whole[:2]] == [2, 3]
