"""Map layer: sections coloured by their latest class, outlined red when they miss their target."""

from __future__ import annotations

from outfall.core.enums import WaterClass
from outfall.monitoring import selectors
from outfall.monitoring.models import Section


def sections(request) -> dict:
    features = []
    for s in Section.objects.visible_to(request.user):
        t, ev = selectors.latest_evaluation(s)
        cls = ev.water_class if ev else None
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                         "properties": {"code": s.code, "name": s.name, "level": s.get_level_display(),
                                        "target": WaterClass(s.target_class).label,
                                        "class": cls.label if cls else "无数据", "colour": cls.colour if cls else "#999",
                                        "compliant": ev.compliant if ev else None,
                                        "time": t.isoformat() if t else None, "url": f"/sections/{s.pk}/"}})
    return {"type": "FeatureCollection", "features": features}
