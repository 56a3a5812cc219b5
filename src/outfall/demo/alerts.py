"""Demo early warning: receptors on the demo network, the default rules run over the demo year (as
``outfall alerts check`` runs them, station-offline rule included), and a few alerts moved through
their lifecycle so every state shows.

The alerts it raises are the reviewed fixture tests/data/demo_alerts.json (tests/data/README.md
explains each one by an event of ``demo.story`` or a baseline feature).
"""

from __future__ import annotations

#: section code → receptor kind: 大沽河出境 stands in (示意) for a drinking-water intake below the
#: 洙河 / 大沽河 event; 马连庄 is a national assessment section.
RECEPTORS = {"370285S07": ("drinking_water", "示意：下游饮用水取水口"), "370285S01": ("national", "国控断面")}
#: Lifecycle of the demo: (site, parameter, rule) → the steps after "new", with their arguments.
MOVES = {
    # the main story: staff saw the 洙河 ammonia exceedance; tracing it is the next click
    ("370285S03", "NH3N", "exceedance"): [("acknowledge_alert", {})],
    # the 五沽河 farm overflow: traced, verified on site
    ("370285S06", "NH3N", "exceedance"): [("acknowledge_alert", {}), ("start_tracing", {}),
                                          ("confirm_alert", {"note": "现场核实属实：养殖粪污塘溢流"})],
    ("370285S06", "TP", "exceedance"): [("acknowledge_alert", {}), ("start_tracing", {})],
    # the storm at 马连庄: runoff, not a discharge
    ("370285S01", "TP", "jump"): [("acknowledge_alert", {}),
                                  ("mark_not_genuine", {"reason": "降雨径流冲刷，非排污所致"})],
    # the 小沽河 farm: found by its own online monitor, dealt with
    ("370285S05", "NH3N", "exceedance"): [("acknowledge_alert", {}), ("close_alert", {"note": "已处置完毕"})],
}
#: The demo year ends on 31 December 2025: the station-offline alerts a later check raises are closed.
GAP_NOTE = "演示数据截至 2025 年底，非真实中断 / the demo year ends on 2025-12-31"


def load(*, stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from outfall.alerts import lifecycle, services
    from outfall.alerts.models import Alert, Receptor
    from outfall.monitoring.models import Section

    if Alert.objects.exists() or Receptor.objects.exists():
        stdout.write("演示预警已存在，跳过 / demo alerts already raised\n")
        return
    admin = get_user_model().objects.filter(username="admin").first()
    for code, (kind, note) in RECEPTORS.items():
        section = Section.objects.filter(code=code).first()
        if section is not None:
            services.set_receptor(section, kind, actor=admin, note=note)
    touched = services.check_alerts(actor=admin, now=timezone.now())
    for t in touched:
        alert = t.alert
        steps = MOVES.get((alert.site_code, alert.parameter, alert.rule), [])
        if alert.rule == "gap":
            steps = [("close_alert", {"note": GAP_NOTE})]
        for name, kwargs in steps:
            alert = getattr(lifecycle, name)(alert, actor=admin, **kwargs)
    states: dict[str, int] = {}
    for state in Alert.objects.values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    stdout.write(f"已生成 {len(touched)} 条演示预警 / demo alerts: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) + "\n")
