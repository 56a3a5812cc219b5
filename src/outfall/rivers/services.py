"""Every state change of the river network: importing it, and snapping sites onto it.

An import replaces the network whole (all reaches in one transaction) after the file was read,
validated and built without error, and stores the navigation index built then (NetworkVersion);
then every outfall and section is snapped again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from outfall.accounts import permissions
from outfall.core.errors import NetworkError, PermissionDeniedError
from outfall.core.network import build_network, reaches_from_geojson, read_reaches, snap_points, validate
from outfall.core.network.snapping import DEFAULT_MAX_DISTANCE_M
from outfall.core.network.store import ids_digest, index_bytes
from outfall.history.services import build_change, record_changes
from outfall.rivers.models import NetworkVersion, Reach, River, Snap
from outfall.rivers.selectors import current_network


@dataclass
class RiverImportResult:
    file: str
    reaches: int = 0
    rivers: int = 0
    outlets: int = 0
    snapped: int = 0
    far: int = 0
    report: dict = field(default_factory=dict)
    batch_id: uuid.UUID | None = None
    committed: bool = False
    errors: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"file": self.file, "reaches": self.reaches, "rivers": self.rivers, "outlets": self.outlets,
                "snapped": self.snapped, "far_snaps": self.far, "committed": self.committed,
                "batch_id": str(self.batch_id) if self.batch_id else None, "report": self.report,
                "errors": self.errors}


def import_rivers(source, *, actor, name: str | None = None, dry_run: bool = False, crs=None,
                  is_demo: bool = False) -> RiverImportResult:
    """Replace the network with the reaches of a GeoJSON/GeoPackage/Shapefile (path) or a GeoJSON dict."""
    if permissions.editable_town_ids(actor) is not None:
        raise PermissionDeniedError("rivers", user_message="只有局机关人员可以导入河网")
    if isinstance(source, dict):
        name = name or "rivers.geojson"
        reaches = reaches_from_geojson(source, name=name, crs=crs)
    else:
        name = name or Path(source).name
        reaches = read_reaches(source, crs=crs, limits=settings.OUTFALL_IMPORT_LIMITS)
    report = validate(reaches)
    result = RiverImportResult(file=name, reaches=len(reaches), outlets=report.outlets, report=report.as_dict())
    too_long = _too_long(reaches)
    if not report.ok or too_long:
        result.errors = [i["message"] for i in result.report["issues"] if i["severity"] == "error"] + too_long
        if dry_run:
            return result
        raise NetworkError("; ".join(result.errors), user_message="河网有误，未导入: " + "；".join(result.errors))
    net = build_network(reaches)
    result.rivers = len({r.name for r in reaches if r.name})
    if dry_run:
        return result
    batch = uuid.uuid4()
    with transaction.atomic():
        Reach.objects.all().delete()
        rivers = {}
        for r in reaches:
            if r.name and r.name not in rivers:
                rivers[r.name], _ = River.objects.get_or_create(
                    name=r.name, defaults={"kind": r.kind if r.kind != "river" else "river"})
        objs = [Reach(reach_id=r.id, river=rivers.get(r.name), name=r.name, kind=r.kind, to_id=r.to_id,
                      from_node=r.from_node, to_node=r.to_node, level_path=r.level_path or "", divergence=r.divergence,
                      length_m=float(net.length_m[i]), velocity_m_s=r.velocity_m_s, flow_m3_s=r.flow_m3_s,
                      coords=[list(c) for c in r.coords], properties=r.properties, is_demo=is_demo)
                for i, r in enumerate(reaches)]
        Reach.objects.bulk_create(objs, batch_size=1000)
        NetworkVersion.objects.all().delete()
        NetworkVersion.objects.create(batch_id=batch, reaches=len(objs), ids_digest=ids_digest(net.ids),
                                      index=index_bytes(net), report=result.report)
        saved = list(Reach.objects.order_by("pk"))
        record_changes(build_change(o, action="import", actor=actor, before=None, batch_id=batch,
                                    after={"reach_id": o.reach_id, "name": o.name, "to_id": o.to_id,
                                           "length_m": round(o.length_m, 1)}, note=name) for o in saved)
        result.snapped, result.far = _snap_all(actor=actor, batch_id=batch)
    result.batch_id, result.committed = batch, True
    return result


def _too_long(reaches) -> list[str]:
    """A message per reach attribute longer than its column (Reach/River max_length), first 20."""
    limits = {f: Reach._meta.get_field(f).max_length for f in ("name", "to_id", "from_node", "to_node",
                                                                "level_path")}
    limits["id"] = Reach._meta.get_field("reach_id").max_length
    limits["name"] = min(limits["name"], River._meta.get_field("name").max_length)
    out = []
    for r in reaches:
        for f, limit in limits.items():
            text = getattr(r, f) or ""
            if len(text) > limit:
                out.append(f"河段「{r.id[:40]}」的 {f} 长度 {len(text)} 超过 {limit} / reach {r.id[:40]!r}: "
                           f"{f} is longer than {limit} characters")
    return out[:20] + ([f"…共 {len(out)} 处"] if len(out) > 20 else [])


def _snap_rows(kind: str, rows: list[tuple[int, float, float]], net, reach_pk: dict[str, int]) -> list[Snap]:
    if not rows:
        return []
    res = snap_points(net, [r[1] for r in rows], [r[2] for r in rows], max_distance_m=DEFAULT_MAX_DISTANCE_M)
    return [Snap(**{kind + "_id": pk}, reach_id=reach_pk[net.ids[int(res.reach[k])]], measure=float(res.measure[k]),
                 distance_m=float(res.distance_m[k]), far=bool(res.far[k])) for k, (pk, _x, _y) in enumerate(rows)]


def _snap_all(*, actor, batch_id) -> tuple[int, int]:
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    net = current_network()
    reach_pk = dict(Reach.objects.values_list("reach_id", "pk"))
    Snap.objects.all().delete()
    snaps = (_snap_rows("outfall", list(Outfall.objects.values_list("pk", "lon", "lat")), net, reach_pk)
             + _snap_rows("section", list(Section.objects.values_list("pk", "lon", "lat")), net, reach_pk))
    Snap.objects.bulk_create(snaps, batch_size=2000)
    return len(snaps), sum(s.far for s in snaps)


def snap_site(site, *, actor=None) -> Snap | None:
    """Snap one outfall or section after it was created or moved (no-op without a network).

    Called inside the caller's transaction; the site's own ChangeRecord covers the move.
    """
    from outfall.ledger.models import Outfall

    if not Reach.objects.exists():
        return None
    kind = "outfall" if isinstance(site, Outfall) else "section"
    net = current_network()
    reach_pk = dict(Reach.objects.values_list("reach_id", "pk"))
    Snap.objects.filter(**{kind: site}).delete()
    snap = _snap_rows(kind, [(site.pk, site.lon, site.lat)], net, reach_pk)[0]
    snap.save()
    return snap


def resnap(kind: str, pks: list[int]) -> int:
    """Snap many outfalls or sections again (after an import); no-op without a network."""
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import Section

    if not pks or not Reach.objects.exists():
        return 0
    model = Outfall if kind == "outfall" else Section
    net = current_network()
    reach_pk = dict(Reach.objects.values_list("reach_id", "pk"))
    total = 0
    for i in range(0, len(pks), 900):
        chunk = pks[i:i + 900]
        Snap.objects.filter(**{f"{kind}_id__in": chunk}).delete()
        snaps = _snap_rows(kind, list(model.objects.filter(pk__in=chunk).values_list("pk", "lon", "lat")), net,
                           reach_pk)
        Snap.objects.bulk_create(snaps, batch_size=2000)
        total += len(snaps)
    return total
