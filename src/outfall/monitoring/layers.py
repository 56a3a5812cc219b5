"""Map layer: sections coloured by their latest class (GB 3838-2002 class colours of
``outfall.core.enums.WaterClass``), flagged when they miss their target or have an open alert.

The newest reading time of every section comes from ONE query (per parameter an index seek on the
readings' unique key ``(section, parameter, time, source)``, the largest taken in SQL), asked again
only when the readings changed (two index-only aggregates tell); a section's class is evaluated
again only when its newest time changed (kept per process), so a request costs a few small queries
whatever the number of sections and readings.

Feature properties (compact keys): ``id`` pk, ``c`` code, ``n`` name, ``cl`` latest class value
(empty: no data), ``tg`` target class value, ``ok`` compliant (true/false/null), ``t`` time of the
class (ISO), ``lv`` level value, ``r`` river, ``al`` 1 when an alert is open, ``u`` page URL.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Count, DateTimeField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from outfall.core.standards.parameters import registry
from outfall.monitoring import selectors
from outfall.monitoring.models import ReadingBatch, Section, SectionReading

__all__ = ["sections", "latest_times", "latest_classes", "latest_evaluations", "readings_key"]

_EPOCH = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
_lock = threading.Lock()
#: section pk → ((newest reading time, target, water type), (time, SampleEvaluation) of the newest classed sample)
_classes: dict[int, tuple] = {}


def readings_key() -> tuple:
    """Changes whenever readings are added, replaced or removed: every import writes a ReadingBatch
    (count, newest), an insert moves the largest pk, a deletion lowers the count of readings' batches
    or the largest pk (two index-only aggregates)."""
    batches = ReadingBatch.objects.aggregate(n=Count("pk"), m=Max("created_at"))
    return batches["n"], batches["m"], SectionReading.objects.aggregate(m=Max("pk"))["m"]


_times: dict = {}


def latest_times(qs) -> dict[int, dt.datetime | None]:
    """Section pk → time of its newest reading (None without readings), in one query, reused while
    the readings (:func:`readings_key`) and the sections asked for are the same."""
    key = (str(qs.query), readings_key(), tuple(qs.aggregate(n=Count("pk"), m=Max("updated_at")).values()))
    with _lock:
        if _times.get("key") == key:
            return _times["value"]
    value = _latest_times(qs)
    with _lock:
        _times.update(key=key, value=value)
    return value


def _latest_times(qs) -> dict[int, dt.datetime | None]:
    subs = [Coalesce(Subquery(SectionReading.objects.filter(section=OuterRef("pk"), parameter=code)
                              .order_by("-time").values("time")[:1]), Value(_EPOCH), output_field=DateTimeField())
            for code in registry()]
    last = Greatest(*subs, output_field=DateTimeField()) if len(subs) > 1 else subs[0]
    return {pk: (t if t and t > _EPOCH else None) for pk, t in qs.annotate(last=last).values_list("pk", "last")}


def latest_evaluations(sites, times: dict) -> dict[int, tuple]:
    """Section pk → (time, SampleEvaluation) of its newest classed sample, or (None, None)
    (:func:`outfall.monitoring.selectors.latest_evaluation`), for ``sites`` (pk, target class, water
    type); a section is evaluated again only when its newest reading time, target or water type
    changed since this process last looked (the sections list and the map layer share it)."""
    out, stale = {}, []
    for pk, target, water_type in sites:
        key = (times.get(pk), target, water_type)
        got = _classes.get(pk)
        if got is not None and got[0] == key:
            out[pk] = got[1]
        else:
            stale.append(pk)
    for s in Section.objects.filter(pk__in=stale):
        value = selectors.latest_evaluation(s) if times.get(s.pk) else (None, None)
        with _lock:
            _classes[s.pk] = ((times.get(s.pk), s.target_class, s.water_type), value)
        out[s.pk] = value
    return out


def latest_classes(sites, times: dict) -> dict[int, tuple]:
    """Section pk → (class value or "", compliant or None, time ISO or None) of its newest classed
    sample (through :func:`latest_evaluations`)."""
    out = {}
    for pk, (t, ev) in latest_evaluations(sites, times).items():
        cls = ev.water_class if ev else None
        out[pk] = (cls.value if cls else "", ev.compliant if ev else None, t.isoformat() if t else None)
    return out


def _filtered(request, view):
    qs = Section.objects.visible_to(request.user)
    f = view.filters
    if f.get("town"):
        qs = qs.filter(town_id=f["town"]) if f["town"].isdigit() else qs.none()
    if f.get("river"):
        qs = qs.filter(river=f["river"])
    if f.get("alerting"):
        qs = qs.filter(pk__in=view.alert_sections)
    return qs


def sections(request, view):
    """(version, last modified, build) of the sections layer for ``view`` (see the module doc)."""
    qs = _filtered(request, view)
    # every section's newest time (one cache key whatever the filters); classes only for the box
    times = latest_times(Section.objects.all()) if Section.objects.visible_to(request.user).exists() else {}
    stamp = Section.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()

    def build() -> dict:
        want = view.filters.get("class")
        rows = qs
        if view.bbox:
            w, s, e, n = view.bbox
            rows = rows.filter(lon__gte=w, lon__lte=e, lat__gte=s, lat__lte=n)
        rows = list(rows.values_list("pk", "code", "name", "target_class", "level", "river", "lon", "lat", "water_type"))
        classes = latest_classes([(r[0], r[3], r[8]) for r in rows], times)
        features = []
        for pk, code, name, target, level, river, lon, lat, _wt in rows:
            cl, ok, t = classes.get(pk, ("", None, None))
            if want and cl != want and not (want == "none" and cl == ""):
                continue
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                             "properties": {"id": pk, "c": code, "n": name, "cl": cl, "tg": target, "ok": ok, "t": t,
                                            "lv": level, "r": river, "al": int(pk in view.alert_sections),
                                            "u": f"/sections/{pk}/"}})
        return {"type": "FeatureCollection", "features": features}

    return (sorted(times.items()), stamp), stamp, build

