"""The national automatic-station release (国家地表水水质自动监测实时数据发布系统, CNEMC), wide format.

One row per section and time with a column per item. Two inputs are read into the same
:class:`StationRow`:

- the CSV conversion in shared/data/cnemc-realtime-2025 (columns in its SOURCE.md): per item the
  displayed (rounded) value, the raw value ``<item>_raw`` from the tooltip and ``<item>_note``;
- the release page itself (:func:`read_release_html`, stdlib ``html.parser``), in the 2025 layout
  (17 columns, with 站点情况) and the 2026 layout (16 columns).

``*`` (not measured), ``--`` (no data), an empty cell and a note that replaces the value
(``当天质控不合格`` QC failed that day, ``极值过滤`` extreme value filtered) all mean "no value";
the note is kept in ``StationRow.notes``. A cell that is none of these and not a number is refused
(RowErrors listing every such cell).

The release classifies each row by the single-factor method over pH, DO, CODMn, NH₃-N and TP on the
displayed values, which are the raw values rounded half to even (GB/T 8170) to
:data:`RELEASE_DECIMALS` of the page layout; tests/core/test_cnemc_conformance.py checks both.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from outfall.core.enums import WaterClass
from outfall.core.errors import FileFormatError, RowError, RowErrors, ValueParseError
from outfall.core.standards.values import ParsedValue, parse_value

__all__ = ["WIDE_COLUMNS", "RELEASE_DECIMALS", "RELEASE_ITEMS", "StationRow", "ReleaseRecord", "read_release_csv",
           "read_release_html", "release_records"]

#: release column → registry code, in page order
WIDE_COLUMNS = {"water_temp_c": "WT", "ph": "PH", "do_mg_l": "DO", "conductivity_us_cm": "COND",
                "turbidity_ntu": "TURB", "codmn_mg_l": "CODMN", "nh3n_mg_l": "NH3N", "tp_mg_l": "TP",
                "tn_mg_l": "TN", "chla_mg_l": "CHLA", "algae_cells_l": "ALGAE"}
#: The items the release classifies on (standards.md §5.2); TN is shown but not used.
RELEASE_ITEMS = ("PH", "DO", "CODMN", "NH3N", "TP")
#: Decimals the page shows, per layout (measured on every cell of shared/data/cnemc-realtime-2025).
RELEASE_DECIMALS = {
    "2025": {"WT": 1, "PH": 0, "DO": 1, "COND": 1, "TURB": 1, "CODMN": 1, "NH3N": 2, "TP": 3, "TN": 2, "CHLA": 3,
             "ALGAE": 0},
    "2026": {"WT": 1, "PH": 2, "DO": 2, "COND": 1, "TURB": 1, "CODMN": 2, "NH3N": 3, "TP": 3, "TN": 2, "CHLA": 3,
             "ALGAE": 0},
}
_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class StationRow:
    """One row of the release (one section at one time); values in the registry units."""

    section: str
    province: str
    basin: str
    river: str
    time: dt.datetime | None  # aware (Asia/Shanghai); None when the site is not reporting
    official_class: WaterClass | None  # None when the page shows no class
    values: dict[str, ParsedValue]  # as displayed (rounded); missing ones absent
    raw: dict[str, ParsedValue]  # unrounded values from the tooltip, where given
    station_status: str  # 正常 / 维护 / 不具备运行条件; empty in the 2026 layout
    city: str = ""
    snapshot: str = ""  # capture time of the page, YYYYMMDDTHHMMSS
    layout: str = ""  # "2025" (17 columns) or "2026" (16 columns, no 站点情况)
    notes: dict[str, str] = field(default_factory=dict)  # code → note that replaced the value


@dataclass(frozen=True)
class ReleaseRecord:
    """One item of one release row, in long form."""

    section: str
    province: str
    basin: str
    river: str
    time: dt.datetime | None
    parameter: str  # registry code
    value: ParsedValue  # displayed; missing (with the note in ``raw``) when there is no value
    raw: ParsedValue | None  # the tooltip's raw value
    official_class: WaterClass | None


def _class(text: str) -> WaterClass | None:
    text = (text or "").strip()
    if not text or text == "--":
        return None
    return WaterClass.parse(text)


def _cell(text: str | None, note: str, code: str, problems: list, column: str, seen: dict) -> ParsedValue | None:
    if note and note.strip():
        return None
    key = (text, code == "WT")
    pv = seen.get(key)  # cells repeat ("*", "--", "0.02"): each distinct one is parsed once per file
    if pv is None:
        try:
            pv = seen[key] = parse_value(text, allow_negative=key[1])
        except ValueParseError as exc:
            problems.append((column, exc.user_message))
            return None
    return None if pv.missing else pv


def _row(fields: dict, problems: list, seen: dict) -> StationRow:
    values, raw, notes = {}, {}, {}
    for col, code in WIDE_COLUMNS.items():
        if col not in fields:
            continue
        note = (fields.get(f"{col}_note") or "").strip()
        if note:
            notes[code] = note
        pv = _cell(fields[col], note, code, problems, col, seen)
        if pv is not None:
            values[code] = pv
        pr = _cell(fields.get(f"{col}_raw"), note, code, problems, f"{col}_raw", seen)
        if pr is not None:
            raw[code] = pr
    when = (fields.get("monitor_time") or "").strip()
    t = seen.get(when)
    if when and t is None:
        try:
            t = seen[when] = dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=_TZ)
        except ValueError:
            problems.append(("monitor_time", f"「{when}」不是 YYYY-MM-DD HH:MM 时间"))
    try:
        official = _class(fields.get("official_class", ""))
    except ValueError:
        problems.append(("official_class", f"未知水质类别「{fields.get('official_class')}」"))
        official = None
    snapshot = fields.get("snapshot", "")
    layout = fields.get("layout") or ("2026" if snapshot[:4] >= "2026" else "2025" if snapshot else "")
    return StationRow(fields.get("section", ""), fields.get("province", ""), fields.get("basin", ""),
                      fields.get("river", ""), t, official, values, raw, fields.get("station_status", ""),
                      fields.get("city", ""), snapshot, layout, notes)


def read_release_csv(text: str | bytes, *, name: str = "release.csv") -> list[StationRow]:
    """Rows of the converted release CSV (cnemc-realtime-2025/SOURCE.md), in file order.

    Parameters
    ----------
    text : str or bytes
        The CSV (UTF-8, with or without BOM).
    name : str, keyword-only
        File name used in error messages.

    Raises
    ------
    RowErrors
        Every cell that is neither a number nor a known mark, every bad time or class.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    out, errors, seen = [], [], {}
    for n, fields in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        problems: list = []
        out.append(_row(fields, problems, seen))
        errors.extend(RowError(name, "", n, c, m) for c, m in problems)
    if errors:
        raise RowErrors(errors)
    return out


def release_records(rows: Iterable[StationRow], *, items: Iterable[str] | None = None) -> Iterator[ReleaseRecord]:
    """Long records (one per row and item) from release rows; items default to all columns.

    A missing item is yielded with a missing value (its note, if any, as the raw text), so a
    caller sees "no value", never 0.
    """
    codes = tuple(items) if items is not None else tuple(WIDE_COLUMNS.values())
    for r in rows:
        for code in codes:
            pv = r.values.get(code) or ParsedValue(None, "missing", None, r.notes.get(code, ""))
            yield ReleaseRecord(r.section, r.province, r.basin, r.river, r.time, code, pv, r.raw.get(code),
                                r.official_class)


# --- the release page -------------------------------------------------------------------------------

_RAW = re.compile(r"原始值[:：]\s*(.*)", re.S)
_TIP = re.compile(r"所在地市[:：]\s*(?P<city>[^\n]*)\s*所属河流[:：]\s*(?P<river>[^\n]*)")


class _PageParser(HTMLParser):
    """Collects the cells of ``<li class="news-item">`` rows: (class, text, tooltip, style) per td."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[dict]] = []
        self._row: list[dict] | None = None
        self._cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "news-item" in (a.get("class") or ""):
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = {"class": a.get("class", ""), "text": "", "tip": "", "style": ""}
        elif tag == "span" and self._cell is not None:
            tip = a.get("data-original-title") or a.get("title") or ""
            if tip:
                self._cell["tip"] = tip
            if a.get("style"):
                self._cell["style"] = a["style"]

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None and self._row is not None:
            self._cell["text"] = self._cell["text"].strip()
            self._row.append(self._cell)
            self._cell = None
        elif tag == "li" and self._row is not None:
            if self._row:
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def _page_time(text: str, captured: dt.datetime) -> str:
    """``MM-DD HH:MM`` → ``YYYY-MM-DD HH:MM``, the year of the capture (the year before for a
    December time captured in January)."""
    text = text.replace("\xa0", " ").strip()
    if not text:
        return ""
    year = captured.year - (1 if int(text[:2]) > captured.month else 0)
    return f"{year}-{text}"


def read_release_html(data: bytes | str, *, captured: dt.datetime, name: str = "release.html") -> list[StationRow]:
    """Rows of a saved release page (plain or gzip HTML), in page order.

    Parameters
    ----------
    data : bytes or str
        The page.
    captured : datetime, keyword-only
        When the page was captured (Asia/Shanghai); the page shows times without the year.
    name : str, keyword-only
        File name used in error messages.
    """
    if isinstance(data, bytes):
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        data = data.decode("utf-8")
    parser = _PageParser()
    parser.feed(data)
    parser.close()
    if not parser.rows:
        raise FileFormatError(f"{name}: no release rows", user_message=f"{name}: 未找到实时数据表格")
    out, errors, seen = [], [], {}
    cols = list(WIDE_COLUMNS)
    for n, cells in enumerate(parser.rows, start=1):
        if len(cells) not in (16, 17):
            errors.append(RowError(name, "", n, "", f"应有 16 或 17 列，实际 {len(cells)} 列"))
            continue
        tip = _TIP.search(cells[2]["tip"] or "")
        fields = {"province": cells[0]["text"], "basin": cells[1]["text"], "section": cells[2]["text"],
                  "city": tip["city"].strip() if tip else "", "river": tip["river"].strip() if tip else "",
                  "monitor_time": _page_time(cells[3]["text"], captured), "official_class": cells[4]["text"],
                  "station_status": cells[16]["text"] if len(cells) == 17 else "",
                  "snapshot": captured.strftime("%Y%m%dT%H%M%S"), "layout": "2025" if len(cells) == 17 else "2026"}
        for col, cell in zip(cols, cells[5:16], strict=True):
            fields[col] = cell["text"]
            m = _RAW.match(cell["tip"])
            fields[f"{col}_raw"] = m.group(1).strip() if m else ""
            fields[f"{col}_note"] = "" if m or not cell["tip"] else cell["tip"].strip()
        problems: list = []
        out.append(_row(fields, problems, seen))
        errors.extend(RowError(name, "", n, c, m) for c, m in problems)
    if errors:
        raise RowErrors(errors)
    return out
