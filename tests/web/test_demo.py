"""The Laixi demo (issue #9 "Done when", issue #10 "Demo story"): loading it raises exactly the reviewed
alerts of tests/data/demo_alerts.json with the default rules, once each; replaying the year changes
nothing; `outfall alerts check` on the unchanged data reports nothing new; and the core tracer, given
the demo's snaps and readings, finds the outfall of the main discharge."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
from django.test import TestCase

from outfall.alerts.checking import check_alerts
from outfall.alerts.models import Alert
from outfall.demo.story import EVENTS, TZ
from outfall.history.models import ChangeRecord

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "demo_alerts.json"
KEYS = ("site_code", "parameter", "rule", "severity", "opened_at", "state")


def alert_rows() -> list[dict]:
    """The stored alerts as the fixture lists them (opened_at in Asia/Shanghai), in the fixture's order."""
    rows = [{"site_code": a.site_code, "parameter": a.parameter, "rule": a.rule, "severity": a.severity,
             "opened_at": a.opened_at.astimezone(TZ).isoformat(), "state": a.state} for a in Alert.objects.all()]
    return sorted(rows, key=lambda r: (r["opened_at"], r["site_code"], r["parameter"], r["rule"]))


def _snapshot() -> list[tuple]:
    return sorted(Alert.objects.values_list("pk", "site_code", "parameter", "rule", "opened_at", "last_time", "value",
                                            "peak", "readings_count", "severity", "state", "episode_open"))


class DemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from outfall.demo import alerts, ledger, monitoring, rivers

        out = io.StringIO()
        for step in (ledger, rivers, monitoring, alerts):
            step.load(stdout=out)
        cls.output = out.getvalue()

    def test_the_demo_raises_exactly_the_reviewed_alerts(self):
        expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
        self.assertTrue(all(tuple(r) == KEYS for r in expected))
        self.assertEqual(alert_rows(), expected)
        keys = list(Alert.objects.values_list("site_code", "parameter", "rule", "basis", "opened_at"))
        self.assertEqual(len(keys), len(set(keys)))  # no duplicates
        self.assertEqual({r["state"] for r in expected},
                         {"new", "acknowledged", "tracing", "confirmed", "not_genuine", "closed"})
        near = [a for a in Alert.objects.exclude(rule="gap")
                if any(r["section"] == "370285S07" and r["kind"] == "drinking_water" and r["travel_time_h"] <= 24
                       for r in a.receptors)]
        self.assertTrue(near)  # one near the drinking-water receptor, its severity raised
        self.assertIn(f"已生成 {len(expected)} 条演示预警", self.output)

    def test_replaying_the_year_changes_nothing(self):
        before, records = _snapshot(), ChangeRecord.objects.count()
        again = check_alerts()  # every reading again, no clock: a replay
        self.assertFalse(any(t.new for t in again))
        self.assertEqual(_snapshot(), before)
        self.assertEqual(ChangeRecord.objects.count(), records)
        self.assertEqual({t.alert.pk for t in again}, set(Alert.objects.exclude(rule="gap").values_list("pk", flat=True)))

    def test_alerts_check_on_unchanged_data_reports_nothing_new(self):
        from outfall.cli import main

        n = Alert.objects.count()
        buf = io.StringIO()
        with redirect_stdout(buf):
            self.assertEqual(main(["alerts", "check", "--format", "json"]), 0)
        rows = json.loads(buf.getvalue())
        self.assertTrue(rows)
        self.assertFalse([r for r in rows if r["new"]])
        self.assertEqual(Alert.objects.count(), n)
        self.assertEqual(alert_rows(), json.loads(FIXTURE.read_text(encoding="utf-8")))

    def test_outfall_readings_show_the_discharge_of_an_online_outfall_only(self):
        from outfall.ledger.models import Outfall
        from outfall.monitoring.models import OutfallReading

        culprit = Outfall.objects.get(name=EVENTS[0].outfall)
        self.assertFalse(culprit.online_monitoring)
        self.assertFalse(OutfallReading.objects.filter(outfall=culprit).exists())  # tracing has work to do
        online = Outfall.objects.get(name=EVENTS[2].outfall)
        self.assertTrue(online.online_monitoring)
        day = EVENTS[2].start.date()
        values = dict(OutfallReading.objects.filter(outfall=online, parameter="NH3N")
                      .values_list("time", "value"))
        on_day = [v for t, v in values.items() if t.astimezone(TZ).date() == day]
        usual = float(np.median(list(values.values())))
        self.assertGreater(min(on_day), 5 * usual)  # its own monitor saw its discharge
        self.assertEqual(set(OutfallReading.objects.values_list("outfall__online_monitoring", flat=True)), {True})

    def test_the_tracer_ranks_the_culprit_of_the_main_event(self):
        result, culprit = trace_main_event()
        ranked = result.candidates
        first = ranked[0]
        group = [c.outfall for c in ranked if c.group == first.group]
        self.assertTrue(first.outfall == culprit or (len(group) <= 2 and culprit in group),
                        [(c.outfall, round(c.score, 3), c.group) for c in ranked[:5]])

    def test_the_tracer_keeps_the_culprit_among_its_candidates(self):
        result, culprit = trace_main_event()
        codes = [c.outfall for c in result.candidates]
        self.assertIn(culprit, codes)
        self.assertGreater(result.observed, 1.5)  # the event reading, over class IV


def trace_main_event():
    """The core tracer on the main alert (370285S03 NH₃-N exceedance), its inputs built from the demo's
    network, snaps, ledger and readings as a caller outside the traces app would build them."""
    from outfall.core.tracing import OutfallSite, SectionSite, trace
    from outfall.ledger.models import Outfall
    from outfall.monitoring.models import OutfallReading, SectionReading
    from outfall.rivers.models import Snap
    from outfall.rivers.selectors import current_network

    net = current_network()
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    def hours(t):
        return (t - t0).total_seconds() / 3600.0

    outfalls, sections = [], []
    for s in Snap.objects.select_related("outfall", "section", "reach").order_by("pk"):
        reach = net.index[s.reach.reach_id]
        if s.outfall_id:
            o = s.outfall
            q = o.design_discharge_m3_d / 86400.0 if o.design_discharge_m3_d else None
            outfalls.append(OutfallSite(o.code, reach, s.measure, o.type_l1, q))
        else:
            sections.append(SectionSite(s.section.code, reach, s.measure))
    series: dict[str, tuple[list, list]] = {}
    for model, key in ((SectionReading, "section__code"), (OutfallReading, "outfall__code")):
        for code, t, v in model.objects.filter(parameter="NH3N", value__isnull=False).values_list(key, "time", "value"):
            ts, vs = series.setdefault(code, ([], []))
            ts.append(hours(t))
            vs.append(v)
    readings = {k: (np.array(ts), np.array(vs)) for k, (ts, vs) in series.items()}
    alert = Alert.objects.get(site_code="370285S03", parameter="NH3N", rule="exceedance")
    result = trace(net, outfalls, sections, readings, section="370285S03", parameter="NH3N",
                   at=hours(alert.opened_at), limit=alert.limit)
    return result, Outfall.objects.get(name=EVENTS[0].outfall).code
