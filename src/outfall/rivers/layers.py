"""Map layer: reaches in flow direction (the last vertex is downstream), coloured by kind."""

from __future__ import annotations

from outfall.rivers.models import Reach

_COLOURS = {"river": "#2b7bd6", "lake": "#5fa8e8", "reservoir": "#5fa8e8"}


def rivers(request) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": r.coords},
         "properties": {"reach": r.reach_id, "name": r.name, "kind": r.kind, "to_id": r.to_id,
                        "length_km": round(r.length_m / 1000, 3), "colour": _COLOURS.get(r.kind, "#2b7bd6")}}
        for r in Reach.objects.visible_to(request.user).only("reach_id", "name", "kind", "to_id", "length_m", "coords")]}
