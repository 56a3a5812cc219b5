"""The validation report of a river network: what is wrong or unusual, and where.

Errors (the network cannot be built): repeated ids, ``to_id`` pointing nowhere, cycles.
Warnings: several outlets, disconnected parts, reaches that look drawn against the flow,
zero-length reaches. Information: divergences (main and minor path), defaulted hydraulics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from outfall.core.network.io import ReachInput, geodesic_length_m

__all__ = ["Issue", "ValidationReport", "validate", "structural_problems"]


@dataclass(frozen=True)
class Issue:
    kind: str  # empty, duplicate_id, dangling, cycle, outlets, disconnected, reversed, zero_length, divergence, defaults
    severity: str  # error | warning | info
    reaches: tuple[str, ...]
    message: str


@dataclass
class ValidationReport:
    reaches: int
    outlets: int
    components: int
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)

    def count(self, kind: str) -> int:
        return sum(1 for i in self.issues if i.kind == kind)

    def as_dict(self) -> dict:
        return {"reaches": self.reaches, "outlets": self.outlets, "components": self.components, "ok": self.ok,
                "issues": [asdict(i) | {"reaches": list(i.reaches)} for i in self.issues]}


def _cycles(down: list[list[int]]) -> list[int]:
    """Reaches on or behind a cycle (Kahn's algorithm leaves them)."""
    n = len(down)
    indeg = [0] * n
    for ds in down:
        for j in ds:
            indeg[j] += 1
    stack = [i for i in range(n) if indeg[i] == 0]
    seen = 0
    while stack:
        i = stack.pop()
        seen += 1
        for j in down[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    return [i for i in range(n) if indeg[i] > 0] if seen < n else []


def structural_problems(reaches: list[ReachInput], down: list[list[int]]) -> list[str]:
    """The problems that stop a network from being built (Chinese messages)."""
    problems = []
    dup = [rid for rid, c in Counter(r.id for r in reaches).items() if c > 1]
    if dup:
        problems.append(f"河段编号重复: {'、'.join(dup[:20])}")
    cyc = _cycles(down)
    if cyc:
        problems.append(f"存在环路，涉及河段: {'、'.join(reaches[i].id for i in cyc[:20])}")
    return problems


def validate(reaches: list[ReachInput], *, tolerance_m: float = 5.0) -> ValidationReport:
    """Check a set of reaches and report every issue (never raises for a bad network)."""
    from outfall.core.network.graph import downstream_lists

    if not reaches:
        return ValidationReport(0, 0, 0, [Issue("empty", "error", (), "尚无河网 / no river network yet: "
                                                "outfall import rivers FILE")])
    down, dangling = downstream_lists(reaches, tolerance_m=tolerance_m)
    n = len(reaches)
    issues: list[Issue] = []
    for msg in dangling:
        rid = msg.split(" ")[1]
        issues.append(Issue("dangling", "error", (rid,), msg))
    dup = [rid for rid, c in Counter(r.id for r in reaches).items() if c > 1]
    if dup:
        issues.append(Issue("duplicate_id", "error", tuple(dup), f"河段编号重复: {'、'.join(dup[:20])}"))
    cyc = _cycles(down)
    if cyc:
        ids = tuple(reaches[i].id for i in cyc)
        issues.append(Issue("cycle", "error", ids, f"存在环路 (或位于环路下游)，涉及 {len(ids)} 个河段"))
    outlets = [i for i in range(n) if not down[i]]
    # weakly connected components
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, ds in enumerate(down):
        for j in ds:
            a, b = find(i), find(j)
            if a != b:
                parent[a] = b
    comps = Counter(find(i) for i in range(n))
    if len(outlets) > 1:
        issues.append(Issue("outlets", "warning", tuple(reaches[i].id for i in outlets),
                            f"有 {len(outlets)} 个出口 (应为 1 个，除非包含多个独立水系)"))
    if len(comps) > 1:
        small = sorted(comps.items(), key=lambda kv: kv[1])[:-1]
        ids = tuple(reaches[i].id for i in range(n) if find(i) in {k for k, _ in small})
        issues.append(Issue("disconnected", "warning", ids,
                            f"河网分为 {len(comps)} 个互不相连的部分；较小部分共 {len(ids)} 个河段"))
    for i, ds in enumerate(down):
        r = reaches[i]
        if len(ds) > 1:
            issues.append(Issue("divergence", "info", (r.id, *(reaches[j].id for j in ds)),
                                f"河段 {r.id} 分流为 {len(ds)} 支: {'、'.join(reaches[j].id for j in ds)}"))
        if geodesic_length_m(r.coords) == 0.0:
            issues.append(Issue("zero_length", "warning", (r.id,), f"河段 {r.id} 长度为 0"))
        for j in ds:
            d = reaches[j]
            gap_ok = _dist(r.coords[-1], d.coords[0])
            gap_rev = min(_dist(r.coords[0], d.coords[0]), _dist(r.coords[-1], d.coords[-1]),
                          _dist(r.coords[0], d.coords[-1]))
            if gap_ok > 50 and gap_rev < gap_ok / 10:
                issues.append(Issue("reversed", "warning", (r.id, d.id),
                                    f"河段 {r.id} 或 {d.id} 可能画反了流向 (末点与下游起点相距 {gap_ok:.0f} 米)"))
    missing = [r.id for r in reaches if not r.velocity_m_s or not r.flow_m3_s]
    if missing:
        issues.append(Issue("defaults", "info", tuple(missing),
                            f"{len(missing)} 个河段缺少流速或流量，使用默认值 (流速 0.3 m/s，湖库 0.01 m/s)"))
    return ValidationReport(n, len(outlets), len(comps), issues)


def _dist(a, b) -> float:
    from pyproj import Geod

    return float(Geod(ellps="WGS84").inv(a[0], a[1], b[0], b[1])[2])
