"""Sensitive receptors downstream of a section, with river distance and travel time (the network
engine's downstream navigation, the same call as ``/api/network/navigate/``)."""

from __future__ import annotations

import logging

from outfall.alerts.models import Receptor
from outfall.core.errors import OutfallError
from outfall.rivers.models import Snap
from outfall.rivers.navigation import navigate_from

log = logging.getLogger("outfall.alerts")


def downstream_receptors(section, *, mode: str = "DD") -> list[dict]:
    """The receptors downstream of ``section``, nearest first.

    Returns
    -------
    list of dict
        ``{"section": code, "name", "kind", "distance_km", "travel_time_h"}``; distance in km along
        the river and travel time in hours from the section's point on its reach to the receptor's.
        Empty when there is no network, the section is not snapped, or no receptor lies downstream.
    """
    return downstream_receptors_of([section], mode=mode)[section.pk]


def downstream_receptors_of(sections, *, mode: str = "DD") -> dict[int, list[dict]]:
    """:func:`downstream_receptors` of many sections (section id → list), the receptors and snaps
    read once; nothing more is read when no receptor is marked."""
    sections = list(sections)
    out: dict[int, list[dict]] = {s.pk: [] for s in sections}
    receptors = {r.section_id: r for r in Receptor.objects.select_related("section")}
    if not receptors:
        return out
    snaps = {s.section_id: s for s in Snap.objects.filter(section_id__in=receptors).select_related("reach")}
    own = {s.section_id: s for s in Snap.objects.filter(section_id__in=out).select_related("reach")}
    if not snaps:
        return out
    for section in sections:
        if section.pk in own:
            others = {k: v for k, v in snaps.items() if k != section.pk}
            out[section.pk] = _downstream(section, own[section.pk], others, receptors, mode) if others else []
    return out


def _downstream(section, own, snaps: dict, receptors: dict, mode: str) -> list[dict]:
    try:
        net, _desc, steps = navigate_from(section.code, mode=mode)
    except OutfallError as exc:
        log.warning("no receptors for %s: %s", section.code, exc)
        return []
    by_reach = {}
    for snap in snaps.values():
        by_reach.setdefault(snap.reach.reach_id, []).append(snap)
    out = []
    for k, step in enumerate(steps):
        for snap in by_reach.get(step.reach, []):
            length_km, hours = net.length_m[step.index] / 1000.0, float(net.travel_h[step.index])
            if k == 0:  # the section's own reach: only what lies below its point
                if snap.measure < own.measure:
                    continue
                share = snap.measure - own.measure
            else:
                share = snap.measure
            r = receptors[snap.section_id]
            out.append({"section": r.section.code, "name": r.section.name, "kind": r.kind,
                        "distance_km": round(float(step.distance_km + share * length_km), 3),
                        "travel_time_h": round(float(step.travel_time_h + share * hours), 2)})
    out.sort(key=lambda d: (d["travel_time_h"], d["section"]))
    seen, unique = set(), []
    for d in out:  # a braid can reach a receptor twice: keep the fastest
        if d["section"] not in seen:
            seen.add(d["section"])
            unique.append(d)
    return unique
