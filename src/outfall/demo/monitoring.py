"""Demo sections and a year of readings generated from the river network (``demo.story``): each
section's baseline, and the discharges of ``story.EVENTS`` carried to the sections below their
outfalls by the simulator at the hours their travel times give. Online-monitored outfalls get their
own daily readings (``story.outfall_readings``).
"""

from __future__ import annotations

import uuid

from outfall.demo.laixi import SECTIONS, TOWNS, nearest_town
from outfall.demo.story import EVENTS, outfall_readings, section_readings

#: Days of the demo year (a test may shorten it).
DAYS = 365


def load(*, stdout) -> None:
    """Demo sections and their readings (once)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from outfall.accounts.models import Town
    from outfall.core.standards.parameters import registry
    from outfall.history.services import record_change
    from outfall.ledger.models import Outfall
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
        towns = {t.code: t for t in Town.objects.filter(code__in=[c for c, *_ in TOWNS])}
        for i, (code, name, level, water_type, target, river, (lon, lat), auto) in enumerate(SECTIONS):
            s = create_section({"code": code, "name": name, "level": level, "water_type": water_type,
                                "target_class": target, "river": river, "lon": lon, "lat": lat, "original_lon": lon,
                                "original_lat": lat, "original_crs": "WGS84", "automatic_station": auto,
                                "is_demo": True, "town": towns.get(nearest_town(lon, lat))},
                               actor=admin, batch_id=batch_id)
            rows = [(s.pk, t, p, v, "", None, reg[p].unit, repr(v), "automatic" if auto else "manual", "ok", batch_id)
                    for t, p, v in section_readings(code, target, water_type, auto, seed=i, days=DAYS)]
            total += upsert_readings("section", rows)
        batch.section_rows = total
        by_name = dict(Outfall.objects.filter(is_demo=True).values_list("name", "pk"))
        rows = [(by_name[name], t, p, v, "", None, reg[p].unit, repr(v), "automatic", "ok", batch_id)
                for name, readings in outfall_readings(days=DAYS).items() if name in by_name for t, p, v in readings]
        batch.outfall_rows = upsert_readings("outfall", rows)
        total += batch.outfall_rows
        batch.rows = total
        batch.save()
        record_change(batch, action="import", actor=admin, before=None, after={"file": "demo", "rows": total},
                      batch_id=batch_id)
    stdout.write(f"已创建 {len(SECTIONS)} 个演示断面和 {total} 条监测数据 (其中排污口自行监测 {batch.outfall_rows} 条; "
                 f"含 {len(EVENTS)} 次按河网流程模拟的排放事件)\n")
