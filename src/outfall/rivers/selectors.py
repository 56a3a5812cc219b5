"""The current network, rebuilt from the Reach rows and cached until the rows change."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from outfall.core.errors import NotFoundError
from outfall.core.network import Network, ReachInput, build_network
from outfall.rivers.models import Reach

_lock = threading.Lock()
_cache: dict = {}


def reach_inputs(qs=None) -> list[ReachInput]:
    rows = (qs or Reach.objects.all()).order_by("pk")
    return [ReachInput(r.reach_id, [tuple(c) for c in r.coords], name=r.name, to_id=r.to_id, from_node=r.from_node,
                       to_node=r.to_node, level_path=r.level_path or None, divergence=r.divergence,
                       velocity_m_s=r.velocity_m_s, flow_m3_s=r.flow_m3_s, kind=r.kind) for r in rows]


def current_network() -> Network:
    """The stored network (NotFoundError when no rivers were imported)."""
    key = tuple(Reach.objects.aggregate(n=Count("pk"), m=Max("pk")).values())
    with _lock:
        if _cache.get("key") == key:
            return _cache["net"]
    if not key[0]:
        raise NotFoundError("no rivers", user_message="尚未导入河网 (outfall import rivers FILE)")
    net = build_network(reach_inputs())
    with _lock:
        _cache.update(key=key, net=net)
    return net
