"""A small world for the remediation tests: the traces network (t1, t2 → m), outfalls P1 (on t1, town
A), P2 (on t2, town B) and P3 (on m, town A), sections S1 (on t1, below P1) and SM (on m), and
helpers for evidence files and section readings.

    t1 (P1) ─ S1 ─┐
                  ├── m (P3) ── SM
    t2 (P2) ──────┘
"""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from factories import make_outfall
from outfall.monitoring.models import SectionReading
from outfall.monitoring.services import create_section
from outfall.rivers.services import import_rivers
from traces_fixtures import rivers, section_data


def build(town, other, actor) -> dict:
    import_rivers(rivers(), actor=actor, name="rivers.geojson")
    w = {}
    for code, lon, lat, town_ in (("P1", 120.475, 36.925, town), ("P2", 120.525, 36.925, other),
                                  ("P3", 120.50, 36.88, town)):
        w[code] = make_outfall(town_, actor, name=f"排口{code}", lon=lon, lat=lat, original_lon=lon, original_lat=lat)
    for code, lon, lat in (("S1", 120.49, 36.91), ("SM", 120.50, 36.81)):
        w[code] = create_section(section_data(f"RS{code}", lon, lat, town), actor=actor)
    return w


def png(name: str = "现场.png") -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (6, 6), "green").save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def pdf(name: str = "验收报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def add_readings(section, start: dt.datetime, values, *, step_days: int = 7, parameter: str = "NH3N") -> None:
    SectionReading.objects.bulk_create([
        SectionReading(section=section, time=start + dt.timedelta(days=step_days * k), parameter=parameter,
                       value=v, unit="mg/L", raw=str(v)) for k, v in enumerate(values)])


def task_data(**over) -> dict:
    d = {"measure": "standardize", "merge_into": None, "plan": "封堵雨污混接，规范设置标志牌", "responsible_party": None,
         "department": "水务局", "start_date": dt.date(2026, 1, 5), "deadline": dt.date(2026, 3, 31),
         "parameter": "NH3N"}
    d.update(over)
    return d
