"""The one map (一张图): Leaflet served by the app, layers as GeoJSON, an optional tile layer."""

from __future__ import annotations

from dataclasses import astuple

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from outfall.accounts.area import current_area
from outfall.accounts.labels import label_of
from outfall.core.enums import OutfallStatus
from outfall.core.outfall_types import L1_COLOURS
from outfall.mapui import layers


def map_page(request):
    available = layers.available()
    english = (get_language() or "").startswith("en")
    config = {
        "bbox": list(astuple(current_area().box)),
        "tileUrl": settings.OUTFALL_TILE_URL, "tileAttribution": settings.OUTFALL_TILE_ATTRIBUTION,
        "layers": [{"name": n, "label": en if english else zh, "label_en": en} for n, (_p, zh, en) in available.items()],
        "typeColours": L1_COLOURS,
        "statuses": {s.value: label_of(s) for s in OutfallStatus},
    }
    return render(request, "mapui/map.html", {"config": config})

def layer(request, name: str):
    available = layers.available()
    if name not in available:
        raise Http404(name)
    return JsonResponse(import_string(available[name][0])(request), json_dumps_params={"ensure_ascii": False})
