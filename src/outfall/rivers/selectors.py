"""The current network: the Reach rows plus the navigation index stored when they were imported
(``NetworkVersion``), cached in the process under the version's key, so the index is built once per
import and never per request or per process; a request pays one indexed query to check the key.
Rows only change through ``rivers.services.import_rivers`` (which writes a new version); rows
written by other means with no version are built once per process from the rows."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from outfall.core.errors import NotFoundError
from outfall.core.network import Network, ReachInput, build_network, validate
from outfall.core.network.store import network_from_index
from outfall.rivers.models import NetworkVersion, Reach

_lock = threading.Lock()
_cache: dict = {}


def reach_inputs(qs=None) -> list[ReachInput]:
    rows = (qs or Reach.objects.all()).order_by("pk")
    return [ReachInput(r.reach_id, [tuple(c) for c in r.coords], name=r.name, to_id=r.to_id, from_node=r.from_node,
                       to_node=r.to_node, level_path=r.level_path or None, divergence=r.divergence,
                       velocity_m_s=r.velocity_m_s, flow_m3_s=r.flow_m3_s, kind=r.kind) for r in rows]


def network_key() -> tuple:
    """The current network's version, one indexed query: ("version", pk, reaches, created, ids digest)
    of the latest NetworkVersion (every import writes one; the time and digest tell apart two versions
    that got the same pk, as SQLite gives again after a rollback), else ("rows", count, max pk) of the
    Reach rows."""
    version = NetworkVersion.objects.order_by("-pk").values_list("pk", "reaches", "created", "ids_digest").first()
    if version is not None:
        pk, reaches, created, digest = version
        return "version", pk, reaches, created.isoformat(), digest
    agg = Reach.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return "rows", agg["n"], agg["m"]


def _load(key) -> Network:
    if key[0] == "version":
        rows = list(Reach.objects.order_by("pk").values_list("reach_id", "name", "kind", "coords", "level_path"))
        if not rows:
            raise NotFoundError("no reaches", user_message="尚未导入河网 (outfall import rivers FILE)")
        data = NetworkVersion.objects.values_list("index", flat=True).get(pk=key[1])
        net = network_from_index(data, ids=[r[0] for r in rows], names=[r[1] for r in rows],
                                 kinds=[r[2] for r in rows], coords=[[tuple(c) for c in r[3]] for r in rows],
                                 level_path=[r[4] or None for r in rows])
        if net is not None:
            return net
    return build_network(reach_inputs())


def current_network() -> Network:
    """The stored network (NotFoundError when no rivers were imported)."""
    key = network_key()
    with _lock:
        if _cache.get("key") == key:
            return _cache["net"]
    if not key[1]:
        raise NotFoundError("no rivers", user_message="尚未导入河网 (outfall import rivers FILE)")
    net = _load(key)
    with _lock:
        _cache.update(key=key, net=net)
    return net


def current_report() -> dict:
    """The validation report of the stored network (``ValidationReport.as_dict``): the one stored
    at import, else computed from the rows."""
    report = NetworkVersion.objects.order_by("-pk").values_list("report", flat=True).first()
    return report if report else validate(reach_inputs()).as_dict()
