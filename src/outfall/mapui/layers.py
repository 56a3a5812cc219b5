"""Map layers: each is a dotted path to ``f(request) -> GeoJSON dict``; apps add their own.

The map page asks ``/map/layers/<name>.geojson`` for each registered layer; a layer whose app is
absent is left out.
"""

from __future__ import annotations

from django.utils.module_loading import import_string

#: name → (dotted path, Chinese label, English label)
LAYERS = {
    "towns": ("outfall.mapui.layers.towns", "镇街", "Towns"),
    "outfalls": ("outfall.mapui.layers.outfalls", "排污口", "Outfalls"),
    "rivers": ("outfall.rivers.layers.rivers", "河流", "Rivers"),
    "sections": ("outfall.monitoring.layers.sections", "监测断面", "Sections"),
}


def available() -> dict:
    out = {}
    for name, (path, zh, en) in LAYERS.items():
        try:
            import_string(path)
        except ImportError:
            continue
        out[name] = (path, zh, en)
    return out


def outfalls(request) -> dict:
    """Outfalls the user may see, coloured by level-1 type, with status."""
    from outfall.accounts.labels import label_of
    from outfall.core.enums import OutfallStatus
    from outfall.core.outfall_types import L1_COLOURS
    from outfall.ledger.filters import OutfallFilter
    from outfall.ledger.models import Outfall

    qs = OutfallFilter(request.GET, queryset=Outfall.objects.visible_to(request.user)).qs
    rows = qs.values_list("pk", "code", "name", "type_l1", "status", "town__name", "receiving_water", "lon", "lat")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
         "properties": {"id": pk, "code": code, "name": name, "type_l1": t, "status": st,
                        "status_label": label_of(OutfallStatus(st)), "town": town, "receiving_water": rw,
                        "colour": L1_COLOURS.get(t, "#555"), "url": f"/ledger/{pk}/"}}
        for pk, code, name, t, st, town, rw, lon, lat in rows]}


def towns(request) -> dict:
    """Town boundaries where known, else a labelled point at the town's outfalls' centre."""
    from django.db.models import Avg

    from outfall.accounts.models import Town

    features = []
    for t in Town.objects.annotate(lon=Avg("outfalls__lon"), lat=Avg("outfalls__lat")):
        if t.boundary:
            geom = t.boundary
        elif t.lon is not None:
            geom = {"type": "Point", "coordinates": [t.lon, t.lat]}
        else:
            continue
        features.append({"type": "Feature", "geometry": geom,
                         "properties": {"name": t.name, "code": t.code, "kind": t.get_kind_display()}})
    return {"type": "FeatureCollection", "features": features}
