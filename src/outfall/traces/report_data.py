"""The data of a trace report (the Word file is written by ``outfall.reports.trace_docx``).

``report_data(trace) -> dict`` with exactly the keys the report writer reads: title, section,
parameter, at, observed, limit, alert, candidates (the TraceResult candidate dicts plus name, type,
town, lon, lat), unexplained_share, notes, model, map, series, tasks, generated_by, generated_at.
"""

from __future__ import annotations

from django.utils import timezone

from outfall.core.simulate import decay_rate
from outfall.core.standards.parameters import registry
from outfall.history.services import actor_name
from outfall.ledger.models import Outfall

KEYS = ("title", "section", "parameter", "at", "observed", "limit", "alert", "candidates", "unexplained_share",
        "notes", "model", "map", "series", "tasks", "generated_by", "generated_at")


def report_data(trace, *, user=None) -> dict:
    """Everything the Word report shows about ``trace``; times ISO 8601 in the site's time zone."""
    s, r = trace.section, trace.result
    p = registry().get(trace.parameter)
    outfalls = {o.code: o for o in Outfall.objects.filter(code__in=[c["outfall"] for c in r["candidates"]])
                .select_related("town")}
    candidates = []
    for c in r["candidates"]:
        o = outfalls.get(c["outfall"])
        candidates.append({**c, "name": o.name if o else "", "type": o.type_l1 if o else "",
                           "town": o.town.name if o and o.town_id else "", "lon": o.lon if o else None,
                           "lat": o.lat if o else None})
    a = trace.alert
    alert = None if a is None else {"id": a.pk, "rule": a.rule, "severity": a.severity, "state": a.state,
                                    "opened_at": timezone.localtime(a.opened_at).isoformat()}
    tasks = [{"outfall": t.outfall.code, "assignee": t.assignee.username if t.assignee_id else "",
              "deadline": t.deadline.isoformat() if t.deadline else None, "state": t.state, "result": t.result,
              "note": t.note} for t in trace.tasks.select_related("outfall", "assignee").order_by("pk")]
    name = p.name_zh if p else trace.parameter
    return {
        "title": f"{s.name}断面{name}超标溯源报告",
        "section": {"code": s.code, "name": s.name, "river": s.river},
        "parameter": {"code": trace.parameter, "name": name, "unit": p.unit if p else ""},
        "at": timezone.localtime(trace.at).isoformat(),
        "observed": float(r["observed"]),
        "limit": r.get("limit"),
        "alert": alert,
        "candidates": candidates,
        "unexplained_share": float(r["unexplained_share"]),
        "notes": list(trace.notes),
        "model": {"version": trace.model_version, "decay_per_day": decay_rate(trace.parameter, trace.decay_per_day), "window_h": trace.window_h,
                  "dispersion_m2_s": trace.inputs.get("dispersion_m2_s")},
        "map": {"reaches": trace.map.get("reaches", []), "sections": trace.map.get("sections", []),
                "outfalls": trace.map.get("outfalls", [])},
        "series": list(trace.series),
        "tasks": tasks,
        "generated_by": actor_name(user),
        "generated_at": timezone.localtime().isoformat(),
    }
