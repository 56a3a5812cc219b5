"""Demo sections and a year of plausible readings, with a few injected illegal-discharge events.

Baselines follow each section's target (a class II section sits mostly in class II), with seasonal
water temperature, oxygen saturation that follows it, log-normal noise and small diurnal swings.
Events add an NH₃-N/TP/COD pulse at the sections downstream of a named demo outfall; they are
listed in ``EVENTS`` so a trace can be checked against them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import uuid
from zoneinfo import ZoneInfo

from outfall.core.standards.evaluation import do_saturation
from outfall.demo.laixi import SECTIONS

TZ = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2025, 1, 1, tzinfo=TZ)
DAYS = 365
#: target → typical (NH3N, TP, CODMN, COD, BOD5) in mg/L
_BASE = {"II": (0.25, 0.06, 3.0, 12.0, 2.2), "III": (0.55, 0.13, 4.6, 16.0, 3.0), "IV": (0.95, 0.22, 6.5, 24.0, 4.5)}
#: (section code, start, hours, {parameter: added mg/L at the peak}, note)
EVENTS = [
    ("370285S03", dt.datetime(2025, 7, 14, 2, tzinfo=TZ), 10, {"NH3N": 2.4, "TP": 0.35, "CODMN": 6.0},
     "夜间偷排: 洙河上游工业排污口"),
    ("370285S04", dt.datetime(2025, 7, 14, 20, tzinfo=TZ), 12, {"NH3N": 0.9, "TP": 0.12, "CODMN": 2.0},
     "同一事件传至大沽河沽河桥 (约 18 小时后)"),
    ("370285S06", dt.datetime(2025, 9, 3, 23, tzinfo=TZ), 8, {"NH3N": 1.6, "TP": 0.3}, "养殖尾水直排: 五沽河"),
    ("370285S05", dt.datetime(2025, 11, 12, 7, tzinfo=TZ), 6, {"COD": 30.0, "NH3N": 0.8}, "小沽河上游不明排口"),
]


def section_readings(code: str, target: str, water_type: str, automatic: bool, *, seed: int) -> list[tuple]:
    """(time, parameter, value) for one section over the demo year."""
    rng = random.Random(seed)
    nh3, tp, codmn, cod, bod = _BASE[target]
    if water_type == "lake":
        tp *= 0.35
    step = dt.timedelta(hours=4) if automatic else None
    times = ([START + step * i for i in range(DAYS * 6)] if automatic
             else [START.replace(month=m, day=12, hour=10) for m in range(1, 13)])
    events = [(s, h, add) for c, s, h, add, _n in EVENTS if c == code]
    out = []
    for t in times:
        doy = (t - START).total_seconds() / 86400
        wt = 15.5 - 12.0 * math.cos(2 * math.pi * (doy - 15) / 365) + rng.gauss(0, 0.6)
        season = 1.0 + 0.25 * math.cos(2 * math.pi * (doy - 200) / 365)  # summer rain washes nutrients in

        def noisy(x, s=0.18, season=season):
            return x * season * math.exp(rng.gauss(0, s))

        vals = {"WT": round(wt, 1), "PH": round(7.6 + 0.3 * math.sin(2 * math.pi * t.hour / 24) + rng.gauss(0, 0.1), 2),
                "DO": round(do_saturation(wt) * (0.92 + rng.gauss(0, 0.04)), 1),
                "NH3N": noisy(nh3), "TP": noisy(tp), "CODMN": noisy(codmn, 0.12), "TN": noisy(nh3 * 3.5 + 1.2, 0.15)}
        if not automatic:
            vals |= {"COD": noisy(cod, 0.12), "BOD5": noisy(bod, 0.15)}
        if water_type == "lake":  # chlorophyll-a (mg/L) peaks in late summer; transparency (m) falls with it
            chla = 0.004 + 0.010 * max(0.0, math.cos(2 * math.pi * (doy - 230) / 365)) * math.exp(rng.gauss(0, 0.2))
            vals |= {"CHLA": chla, "SD": round(max(0.3, 2.2 - 90 * chla + rng.gauss(0, 0.1)), 2)}
        for start, hours, add in events:
            x = (t - start).total_seconds() / 3600
            if -2 <= x <= hours * 2.5:
                pulse = math.exp(-0.5 * ((x - hours / 2) / (hours / 2.5)) ** 2)
                for p, a in add.items():
                    if p in vals:
                        vals[p] += a * pulse
                vals["DO"] = round(vals["DO"] * (1 - 0.35 * pulse), 1)
        for p, v in vals.items():
            out.append((t, p, round(v, 4) if p in ("NH3N", "TP", "CHLA") else round(v, 2)))
    return out


def load(*, stdout) -> None:
    """Demo sections and their readings (once)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from outfall.core.standards.parameters import registry
    from outfall.history.services import record_change
    from outfall.monitoring.models import ReadingBatch, Section
    from outfall.monitoring.services import create_section
    from outfall.monitoring.store import upsert_readings

    if Section.objects.filter(is_demo=True).exists():
        stdout.write("演示断面已存在，跳过 / demo sections already loaded\n")
        return
    admin = get_user_model().objects.filter(username="admin").first()
    reg = registry()
    total = 0
    with transaction.atomic():
        batch_id = uuid.uuid4()
        batch = ReadingBatch.objects.create(id=batch_id, file="demo", kind="demo", rows=0)
        for i, (code, name, level, water_type, target, river, (lon, lat), auto) in enumerate(SECTIONS):
            s = create_section({"code": code, "name": name, "level": level, "water_type": water_type,
                                "target_class": target, "river": river, "lon": lon, "lat": lat, "original_lon": lon,
                                "original_lat": lat, "original_crs": "WGS84", "automatic_station": auto,
                                "is_demo": True}, actor=admin, batch_id=batch_id)
            rows = [(s.pk, t, p, v, "", None, reg[p].unit, repr(v), "automatic" if auto else "manual", "ok", batch_id)
                    for t, p, v in section_readings(code, target, water_type, auto, seed=i)]
            total += upsert_readings("section", rows)
        batch.rows = batch.section_rows = total
        batch.save()
        record_change(batch, action="import", actor=admin, before=None, after={"file": "demo", "rows": total},
                      batch_id=batch_id)
    stdout.write(f"已创建 {len(SECTIONS)} 个演示断面和 {total} 条监测数据 (含 {len(EVENTS)} 次模拟偷排事件)\n")
