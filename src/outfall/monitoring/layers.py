"""Map layer: sections coloured by their latest class, outlined red when they miss their target."""

from __future__ import annotations

from outfall.accounts.labels import label_of
from outfall.core.enums import WaterClass
from outfall.monitoring import selectors
from outfall.monitoring.models import Section
from outfall.monitoring.templatetags.waterclass import NO_DATA


def sections(request) -> dict:
    features = []
    for s in Section.objects.visible_to(request.user):
        t, ev = selectors.latest_evaluation(s)
        cls = ev.water_class if ev else None
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                         "properties": {"code": s.code, "name": s.name, "level": s.get_level_display(),
                                        "target": label_of(WaterClass(s.target_class)),
                                        "class": label_of(cls) if cls else str(NO_DATA),
                                        "colour": cls.colour if cls else "#999",
                                        "compliant": ev.compliant if ev else None,
                                        "time": t.isoformat() if t else None, "url": f"/sections/{s.pk}/"}})
    return {"type": "FeatureCollection", "features": features}
