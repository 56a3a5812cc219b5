"""Demo early warning: receptors on the demo network, the rules run over the demo year, and a few
alerts moved through their lifecycle so every state shows (the demo readings are the monitoring
step's; they are not regenerated from the network's travel times)."""

from __future__ import annotations

from outfall.core.warning import RuleSet

#: section code → receptor kind: 大沽河出境 stands in (示意) for a drinking-water intake below the
#: 洙河 / 大沽河 event; 马连庄 is a national assessment section.
RECEPTORS = {"370285S07": ("drinking_water", "示意：下游饮用水取水口"), "370285S01": ("national", "国控断面")}
#: The demo readings hover near their targets with independent noise at every reading, so single
#: readings cross the limits all year. The demo runs the rules that find its simulated discharges
#: (repeated exceedance, and jumps at 8 robust deviations) with a week's grace (42 four-hourly
#: readings) per spell: about fifty alerts, the four events among them, instead of over a thousand.
DEMO_RULES = RuleSet(version=1, episode_grace=42, jump_z=8.0)
DEMO_WHICH = ("repeated", "jump")
#: Lifecycle moves of the demo, on the alerts in the order check_alerts reports them.
MOVES = [("acknowledge_alert", {}), ("start_tracing", {}), ("confirm_alert", {"note": "现场核实属实"}),
         ("mark_not_genuine", {"reason": "仪器校准漂移"}), ("close_alert", {"note": "已处置完毕"})]


def load(*, stdout) -> None:
    from django.contrib.auth import get_user_model

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
    touched = services.check_alerts(actor=admin, rules=DEMO_RULES, which=DEMO_WHICH)
    serious = [t.alert for t in touched if t.alert.rule == "repeated"]
    for (name, kwargs), alert in zip(MOVES, serious, strict=False):
        path = {"confirm_alert": ["acknowledge_alert", "start_tracing"], "mark_not_genuine": ["acknowledge_alert"],
                "close_alert": ["acknowledge_alert"], "start_tracing": ["acknowledge_alert"]}.get(name, [])
        for step in path:
            alert = getattr(lifecycle, step)(alert, actor=admin)
        getattr(lifecycle, name)(alert, actor=admin, **kwargs)
    states = {}
    for a in Alert.objects.all():
        states[a.state] = states.get(a.state, 0) + 1
    stdout.write(f"已生成 {len(touched)} 条演示预警 / demo alerts: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) + "\n")
