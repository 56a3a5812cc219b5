"""The national automatic-station release (国家地表水水质自动监测实时数据发布系统), wide format.

One row per section and time with a column per item; the shared conversion (cnemc-realtime-2025)
has, per item, the displayed (rounded) value, the raw value and a note. ``*`` (not measured),
``--`` (no data) and a note such as 当天质控不合格 or 极值过滤 mean "no value".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from outfall.core.enums import WaterClass
from outfall.core.standards.values import ParsedValue, parse_value

__all__ = ["WIDE_COLUMNS", "StationRow", "read_release_csv"]

#: release column → parameter code
WIDE_COLUMNS = {"water_temp_c": "WT", "ph": "PH", "do_mg_l": "DO", "conductivity_us_cm": "COND",
                "turbidity_ntu": "TURB", "codmn_mg_l": "CODMN", "nh3n_mg_l": "NH3N", "tp_mg_l": "TP",
                "tn_mg_l": "TN", "chla_mg_l": "CHLA", "algae_cells_l": "ALGAE"}
_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class StationRow:
    section: str
    province: str
    basin: str
    river: str
    time: dt.datetime | None  # None when the site is not reporting
    official_class: WaterClass | None
    values: dict[str, ParsedValue]  # as displayed (rounded); missing ones absent
    raw: dict[str, ParsedValue]  # unrounded values from the tooltip, where given
    station_status: str


def _cell(value: str, note: str) -> ParsedValue | None:
    if note and note.strip():
        return None
    try:
        pv = parse_value(value, allow_negative=False)
    except ValueError:
        return None
    return None if pv.missing else pv


def read_release_csv(text: str | bytes) -> Iterator[StationRow]:
    """Rows of the converted release CSV (columns documented in its SOURCE.md)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    for row in csv.DictReader(io.StringIO(text)):
        cls = row.get("official_class", "").strip()
        try:
            official = WaterClass.parse(cls) if cls and cls != "--" else None
        except ValueError:
            official = None
        values, raw = {}, {}
        for col, code in WIDE_COLUMNS.items():
            if col not in row:
                continue
            note = row.get(f"{col}_note", "")
            pv = _cell(row[col], note)
            if pv is not None:
                values[code] = pv
            pr = _cell(row.get(f"{col}_raw", ""), note)
            if pr is not None:
                raw[code] = pr
        when = (row.get("monitor_time") or "").strip()
        t = dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=_TZ) if when else None
        yield StationRow(row["section"], row.get("province", ""), row.get("basin", ""), row.get("river", ""), t,
                         official, values, raw, row.get("station_status", ""))
