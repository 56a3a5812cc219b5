"""Map layers: each is a dotted path to ``f(request, view) -> (version, last_modified, build)``.

``view`` is an :class:`outfall.core.viewport.Viewport` (bbox, zoom, filters, the sites with open
alerts); ``version`` is whatever identifies the data the answer is made of (it goes into the ETag,
so a 304 is answered without calling ``build``); ``build()`` returns the GeoJSON dict. The map page
asks ``/map/layers/<name>.geojson?bbox=…&z=…`` for each registered layer; a layer whose app is
absent is left out.

Outfall features (compact keys): ``id`` pk, ``c`` code, ``n`` name, ``t`` level-1 type, ``s``
status value, ``tw`` town name, ``rw`` receiving water, ``al`` 1 when an alert is open. A cluster
(more than ``MAX_POINTS`` in the box) is a point with ``{"n": count}`` only, at its members' mean.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Max
from django.db.models.functions import Floor
from django.utils.module_loading import import_string

from outfall.core.viewport import MAX_POINTS, cell_deg

#: name → (dotted path, Chinese label, English label); the order is the drawing order (last on top).
LAYERS = {
    "towns": ("outfall.mapui.layers.towns", "镇街", "Towns"),
    "rivers": ("outfall.rivers.layers.rivers", "河流", "Rivers"),
    "sections": ("outfall.monitoring.layers.sections", "监测断面", "Sections"),
    "outfalls": ("outfall.mapui.layers.outfalls", "排污口", "Outfalls"),
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


def filter_outfalls(qs, view):
    """Apply the map's filters (type, status, town, river, alerting) to an Outfall queryset; the water
    class filter is the sections' and leaves outfalls alone."""
    f = view.filters
    if f.get("type"):
        qs = qs.filter(type_l1=f["type"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("town"):
        qs = qs.filter(town_id=f["town"]) if f["town"].isdigit() else qs.none()
    if f.get("river"):
        qs = qs.filter(receiving_water=f["river"])
    if f.get("alerting"):
        qs = qs.filter(pk__in=view.alert_outfalls)
    return qs


def _point(lon, lat, props) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": props}


def outfalls(request, view):
    """Outfalls the user may see in the box: points, or grid clusters when there are too many."""
    from outfall.ledger.models import Outfall

    visible = Outfall.objects.visible_to(request.user)
    stamp = visible.aggregate(n=Count("pk"), m=Max("updated_at"))
    qs = filter_outfalls(visible, view)
    if view.bbox:
        w, s, e, n = view.bbox
        qs = qs.filter(lon__gte=w, lon__lte=e, lat__gte=s, lat__lte=n)

    def build() -> dict:
        total = qs.count()
        if total <= MAX_POINTS:
            rows = qs.order_by("pk").values_list("pk", "code", "name", "type_l1", "status", "town__name",
                                                 "receiving_water", "lon", "lat")
            return {"type": "FeatureCollection", "total": total, "features": [
                _point(lon, lat, {"id": pk, "c": code, "n": name, "t": t, "s": st, "tw": town, "rw": rw,
                                  "al": int(pk in view.alert_outfalls)})
                for pk, code, name, t, st, town, rw, lon, lat in rows]}
        cell = cell_deg(view.zoom)
        cells = (qs.order_by().annotate(gx=Floor(_div("lon", cell)),
                                        gy=Floor(_div("lat", cell)))
                 .values("gx", "gy").annotate(k=Count("pk"), x=Avg("lon"), y=Avg("lat")))
        return {"type": "FeatureCollection", "total": total, "clustered": True,
                "features": [_point(c["x"], c["y"], {"n": c["k"]}) for c in cells]}

    return (stamp["n"], stamp["m"]), stamp["m"], build


def _div(field: str, by: float):
    from django.db.models import F, FloatField, Value

    return F(field) / Value(by, output_field=FloatField())


def towns(request, view):
    """Town boundaries (simplified to the zoom) where known, else a labelled point at the centre of
    the town's outfalls."""
    from django.db.models import TextField
    from django.db.models.functions import Cast, Length

    from outfall.accounts.models import Town

    stamp = tuple(Town.objects.annotate(size=Length(Cast("boundary", TextField())))
                  .order_by("pk").values_list("pk", "code", "name", "size"))

    def build() -> dict:
        import shapely
        from shapely.geometry import mapping, shape

        from outfall.core.viewport import tolerance_deg

        features = []
        for t in Town.objects.annotate(lon=Avg("outfalls__lon"), lat=Avg("outfalls__lat")):
            if t.boundary:
                g = shape(t.boundary.get("geometry", t.boundary))
                if view.bbox and not g.intersects(shapely.box(*view.bbox)):
                    continue
                geom = mapping(shapely.set_precision(g.simplify(tolerance_deg(view.zoom)), 1e-5))
            elif t.lon is not None:
                geom = {"type": "Point", "coordinates": [round(t.lon, 6), round(t.lat, 6)]}
            else:
                continue
            features.append({"type": "Feature", "geometry": geom,
                             "properties": {"id": t.pk, "n": t.name, "c": t.code, "k": t.get_kind_display()}})
        return {"type": "FeatureCollection", "features": features}

    return stamp, None, build
