"""What an inspector observes at an outfall, checked field by field (standards.md §5.1, "Field checks":
discharging now?, colour, odour, oil film/foam, flow estimate; §3.4 step 2: staff walk the banks,
take quick water tests and estimate flow).

Every problem is collected as a :class:`Problem` (form field, Chinese message) before
:class:`InspectionErrors` is raised, so the inspector fixes the form in one pass.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from outfall.core.enums import LabeledEnum
from outfall.core.errors import InputError, ValueParseError
from outfall.core.geo import haversine_m
from outfall.core.standards.parameters import canonical_unit, convert

__all__ = ["Discharging", "Foam", "Odour", "WaterColour", "COLOURS", "DISCHARGING", "FLOW_UNITS", "FOAM", "MAX_PHOTOS", "ODOURS", "CleanInspection",
           "InspectionErrors", "Problem", "check_inspection", "distance_m"]

class Discharging(LabeledEnum):
    """Is the outfall discharging at the moment of the visit (standards.md §5.1 "discharging now?")."""

    YES = ("yes", "正在排水", "discharging")
    NO = ("no", "未排水", "not discharging")
    UNKNOWN = ("unknown", "无法判断", "cannot tell")


class WaterColour(LabeledEnum):
    """Colour of the discharge (or the water below the pipe), as seen; the colour is the swatch."""

    NONE = ("none", "无色透明", "clear", "#dfefff")
    TURBID = ("turbid", "浑浊", "turbid", "#b8a98a")
    YELLOW = ("yellow", "黄色", "yellow", "#e8c547")
    BROWN = ("brown", "褐色", "brown", "#7b5230")
    BLACK = ("black", "黑色", "black", "#222222")
    RED = ("red", "红色", "red", "#c0392b")
    GREEN = ("green", "绿色", "green", "#3c8d40")
    WHITE = ("white", "乳白色", "milky white", "#f4f1e8")
    OTHER = ("other", "其他", "other", "#888888")


class Odour(LabeledEnum):
    NONE = ("none", "无异味", "none")
    SLIGHT = ("slight", "轻微异味", "slight")
    STRONG = ("strong", "明显异味", "strong")
    FOUL = ("foul", "恶臭/刺激性气味", "foul or pungent")


class Foam(LabeledEnum):
    """Foam or oil film on the discharge (standards.md §5.1 lists oil film among the field checks)."""

    NONE = ("none", "无", "none")
    SOME = ("some", "少量泡沫", "some foam")
    MUCH = ("much", "大量泡沫", "much foam")
    OIL = ("oil", "油膜", "oil film")


#: (value, Chinese label) of each observation; the first of each list is the form's default.
DISCHARGING = [(m.value, m.label) for m in Discharging]
COLOURS = [(m.value, m.label) for m in WaterColour]
ODOURS = [(m.value, m.label) for m in Odour]
FOAM = [(m.value, m.label) for m in Foam]
#: Units an estimated flow may be given in (stated by the inspector); stored also in m³/d.
FLOW_UNITS = ["L/s", "m3/d"]
#: Photos per inspection: standards.md §5.1 keeps 4 site and 4 monitoring photos per outfall.
MAX_PHOTOS = 8
#: Largest flow accepted, in m³/d (a whole county's sewage works is some 10⁵ m³/d).
MAX_FLOW_M3_D = 1_000_000.0
#: A phone clock a little ahead of the server's is accepted by this much.
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_TEXT = 2000


@dataclass(frozen=True)
class Problem:
    """One refused field: ``field`` is the form field's name, ``message`` says why (Chinese)."""

    field: str
    message: str


class InspectionErrors(InputError):
    """One or more :class:`Problem`; ``user_message`` lists them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        text = "；".join(f"{p.field}: {p.message}" for p in self.problems)
        super().__init__(f"inspection refused: {text}", user_message=text)

    def by_field(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for p in self.problems:
            out.setdefault(p.field, []).append(p.message)
        return out


@dataclass(frozen=True)
class CleanInspection:
    """A checked inspection. Position in WGS84 degrees (browser geolocation), accuracy in metres;
    ``flow_value`` in ``flow_unit`` as stated, ``flow_m3_d`` the same in m³/d."""

    inspected_at: dt.datetime
    discharging: str
    colour: str
    odour: str
    foam: str
    lon: float | None = None
    lat: float | None = None
    accuracy_m: float | None = None
    flow_value: float | None = None
    flow_unit: str = ""
    flow_m3_d: float | None = None
    notes: str = ""
    finding: str = ""
    open_case: bool = False


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _float(v) -> float:
    x = float(str(v).strip()) if isinstance(v, str) else float(v)
    if not math.isfinite(x):
        raise ValueError("not finite")
    return x


def _choice(raw: dict, name: str, label: str, options: list, problems: list, *, default: str | None) -> str:
    v = raw.get(name)
    if _blank(v):
        if default is None:
            problems.append(Problem(name, f"请选择{label}"))
            return ""
        return default
    v = str(v).strip()
    if v not in dict(options):
        allowed = "、".join(f"{k} ({z})" for k, z in options)
        problems.append(Problem(name, f"{label}「{v}」不是可选值: {allowed}"))
    return v


def _number(raw: dict, name: str, label: str, lo: float, hi: float, problems: list) -> float | None:
    v = raw.get(name)
    if _blank(v):
        return None
    try:
        x = _float(v)
    except (TypeError, ValueError):
        problems.append(Problem(name, f"{label}「{v}」不是数值"))
        return None
    if not lo <= x <= hi:
        problems.append(Problem(name, f"{label} {x:g} 超出范围 {lo:g}–{hi:g}"))
        return None
    return x


def _flow(raw: dict, problems: list) -> tuple[float | None, str, float | None]:
    value = _number(raw, "flow_value", "估算流量", 0.0, MAX_FLOW_M3_D, problems)
    unit_raw = raw.get("flow_unit")
    if value is None:
        return None, "", None
    if _blank(unit_raw):
        problems.append(Problem("flow_unit", "填写了估算流量，请注明单位 L/s 或 m³/d"))
        return value, "", None
    try:
        unit = canonical_unit(str(unit_raw))
    except ValueParseError:
        unit = ""
    if unit not in FLOW_UNITS:
        problems.append(Problem("flow_unit", f"流量单位「{unit_raw}」不可用，请用 L/s 或 m³/d"))
        return value, "", None
    m3_d = convert(value, unit, "m3/d")
    if m3_d > MAX_FLOW_M3_D:
        problems.append(Problem("flow_value", f"估算流量 {m3_d:g} m³/d 超过上限 {MAX_FLOW_M3_D:g} m³/d"))
    return value, unit, m3_d


def _time(raw: dict, now: dt.datetime, problems: list) -> dt.datetime:
    v = raw.get("inspected_at")
    if _blank(v):
        return now
    if isinstance(v, dt.datetime):
        t = v
    else:
        try:
            t = dt.datetime.fromisoformat(str(v).strip().replace("Z", "+00:00"))
        except ValueError:
            problems.append(Problem("inspected_at", f"巡查时间「{v}」不是 ISO 8601 时间 (如 2026-12-07T14:30+08:00)"))
            return now
    if t.tzinfo is None:
        problems.append(Problem("inspected_at", "巡查时间须带时区 (如 +08:00)"))
        return now
    if t > now + CLOCK_SKEW:
        problems.append(Problem("inspected_at", f"巡查时间 {t.isoformat()} 晚于当前时间"))
    elif t < now - dt.timedelta(days=365):
        problems.append(Problem("inspected_at", f"巡查时间 {t.isoformat()} 早于一年前"))
    return t


def check_inspection(raw: dict, *, now: dt.datetime) -> CleanInspection:
    """Check an inspection as posted (strings or numbers) and return it clean, or raise
    :class:`InspectionErrors` naming every refused field.

    Rules: ``discharging`` is required (yes/no/unknown); colour, odour and foam default to "none";
    an estimated flow needs its unit (L/s or m³/d, converted at 86.4 m³/d per L/s) and cannot be
    given for an outfall seen not discharging; lon/lat come together (WGS84 degrees) and the
    accuracy (m) only with them; "open a case" needs a finding; the time (aware, ISO 8601, default
    ``now``) lies within the past year and at most 10 minutes ahead of ``now``.

    Examples
    --------
    >>> now = dt.datetime(2026, 12, 7, 6, tzinfo=dt.UTC)
    >>> c = check_inspection({"discharging": "yes", "flow_value": "2", "flow_unit": "L/s"}, now=now)
    >>> c.flow_m3_d, c.colour
    (172.8, 'none')
    >>> check_inspection({"discharging": "no", "flow_value": "2", "flow_unit": "L/s"}, now=now)
    Traceback (most recent call last):
    ...
    outfall.core.inspections.observations.InspectionErrors: inspection refused: flow_value: 未排水时不应填写流量 (2 L/s)
    """
    problems: list[Problem] = []
    discharging = _choice(raw, "discharging", "是否正在排水", DISCHARGING, problems, default=None)
    colour = _choice(raw, "colour", "颜色", COLOURS, problems, default="none")
    odour = _choice(raw, "odour", "气味", ODOURS, problems, default="none")
    foam = _choice(raw, "foam", "泡沫/油膜", FOAM, problems, default="none")
    flow_value, flow_unit, flow_m3_d = _flow(raw, problems)
    if discharging == "no" and flow_value:
        problems.append(Problem("flow_value", f"未排水时不应填写流量 ({flow_value:g} {flow_unit or ''})".strip()))
    lon = _number(raw, "lon", "经度", -180.0, 180.0, problems)
    lat = _number(raw, "lat", "纬度", -90.0, 90.0, problems)
    accuracy = _number(raw, "accuracy_m", "定位精度", 0.0, 100_000.0, problems)
    if (lon is None) != (lat is None) and not any(p.field in ("lon", "lat") for p in problems):
        problems.append(Problem("lon" if lon is None else "lat", "经度和纬度须同时填写"))
    if lon is None and lat is None:
        accuracy = None
    texts = {}
    for name, label in (("notes", "备注"), ("finding", "发现的问题")):
        text = str(raw.get(name) or "").strip()
        if len(text) > MAX_TEXT:
            problems.append(Problem(name, f"{label}超过 {MAX_TEXT} 字"))
        texts[name] = text
    open_case = str(raw.get("open_case") or "").strip().lower() in ("1", "true", "on", "yes")
    if open_case and not texts["finding"]:
        problems.append(Problem("finding", "勾选了“立案”，请写明发现的问题"))
    inspected_at = _time(raw, now, problems)
    if problems:
        raise InspectionErrors(problems)
    return CleanInspection(inspected_at=inspected_at, discharging=discharging, colour=colour, odour=odour, foam=foam,
                           lon=lon, lat=lat, accuracy_m=accuracy, flow_value=flow_value, flow_unit=flow_unit,
                           flow_m3_d=flow_m3_d, notes=texts["notes"], finding=texts["finding"], open_case=open_case)


def distance_m(lon: float | None, lat: float | None, ledger_lon: float, ledger_lat: float) -> float | None:
    """Distance in metres from where the inspector stood to the ledger position (great circle), or
    None without a position.

    >>> round(distance_m(120.5, 36.9, 120.5, 36.901))
    111
    """
    if lon is None or lat is None:
        return None
    return haversine_m(lon, lat, ledger_lon, ledger_lat)
