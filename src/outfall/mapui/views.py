"""The one map (一张图), the home page: Leaflet served by the app, layers by box and zoom as compact
GeoJSON with ETags, search, and navigation up or down the network from a clicked site."""

from __future__ import annotations

import json
from dataclasses import astuple, replace

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.module_loading import import_string
from django.utils.translation import get_language

from outfall.accounts.area import current_area
from outfall.core.errors import InputError, OutfallError
from outfall.core.viewport import etag_of, parse_viewport
from outfall.mapui import layers, selectors
from outfall.mapui.config import page_config


def _json(data, status: int = 200, content_type: str = "application/json; charset=utf-8") -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False, separators=(",", ":")), status=status,
                        content_type=content_type)


def map_page(request):
    """The map (the home page): its config (layers, colours, labels) and the ledger's counts."""
    from outfall.ledger.models import Outfall
    from outfall.ledger.selectors import ledger_counts

    selectors.warm_search_index()
    config = page_config(request, bbox=list(astuple(current_area().box)), available=layers.available())
    return render(request, "mapui/map.html", {"config": config,
                                              "counts": ledger_counts(Outfall.objects.visible_to(request.user))})


def layer(request, name: str):
    """One layer for ``bbox``, ``z`` and the filters; 304 when the client's ETag still holds."""
    available = layers.available()
    if name not in available:
        raise Http404(name)
    try:
        view = parse_viewport(request.GET)
    except InputError as exc:
        return _json({"detail": exc.user_message}, status=400)
    outfalls, sections = selectors.open_alert_sites(request.user)
    view = replace(view, alert_outfalls=outfalls, alert_sections=sections)
    version, modified, build = import_string(available[name][0])(request, view)
    etag = etag_of(name, version, view.key(), sorted(outfalls), sorted(sections), request.user.pk, get_language())
    # Only the ETag decides a 304: Last-Modified is sent for information, but a deletion or a closed
    # alert changes the answer without moving any timestamp.
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    resp = _json(build(), content_type="application/geo+json; charset=utf-8")
    resp["ETag"] = etag
    resp["Cache-Control"] = "private, no-cache"
    if modified is not None:
        resp["Last-Modified"] = http_date(modified.timestamp())
    return resp


def search(request):
    """Outfalls and sections by code, name or pinyin initials (``q``), at most 20."""
    return JsonResponse({"results": selectors.search(request.user, request.GET.get("q", "")[:60])},
                        json_dumps_params={"ensure_ascii": False})


def network(request):
    """Navigation from ``start`` (``mode`` UT/UM/DM/DD, ``z``, ``page``) for the map."""
    from outfall.mapui.network import navigation

    start = request.GET.get("start", "").strip()
    if not start:
        return _json({"detail": "start 必填 (a section or outfall code)"}, status=400)
    try:
        view = parse_viewport(request.GET)
        page = int(request.GET.get("page") or 1)
        mode = request.GET.get("mode", "UT").upper()
        if mode not in ("UT", "UM", "DM", "DD"):
            raise InputError(mode, user_message="mode 须为 UT、UM、DM 或 DD")
        return _json(navigation(request.user, start, mode=mode, zoom=view.zoom, page=page))
    except ValueError:
        return _json({"detail": "page 须为整数 (page must be an integer)"}, status=400)
    except OutfallError as exc:
        from outfall.site.api_errors import status_of

        return _json({"detail": exc.user_message}, status=status_of(exc))

