"""Issue #9: the station-offline rule — an automatic station silent longer than gap_factor × its
interval at ``now`` gets one gap alert; its next reading closes the episode."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase

from alerts_fixtures import T0, add_readings, make_section
from outfall.alerts.checking import check_alerts
from outfall.alerts.models import Alert


class GapTest(TestCase):
    def setUp(self):
        self.s = make_section()
        self.s.automatic_station = True
        self.s.save()
        add_readings(self.s, [0.5] * 10)  # every 4 h; the last at T0 + 36 h
        self.last = T0 + dt.timedelta(hours=36)

    def test_silent_station_then_back(self):
        self.assertEqual(check_alerts(sections=[self.s.pk], now=self.last + dt.timedelta(hours=11), which=["gap"]), [])
        (t,) = check_alerts(sections=[self.s.pk], now=self.last + dt.timedelta(hours=13), which=["gap"])
        a = t.alert
        self.assertTrue(t.new)
        self.assertEqual((a.rule, a.parameter, a.opened_at, a.value, a.limit, a.severity),
                         ("gap", "*", self.last, 13.0, 12.0, "low"))
        self.assertIn("13.0 小时无数据", a.explanation_zh)
        (t,) = check_alerts(sections=[self.s.pk], now=self.last + dt.timedelta(hours=20), which=["gap"])
        self.assertEqual((t.alert.pk, t.new, t.alert.value), (a.pk, False, 20.0))
        back = self.last + dt.timedelta(hours=21)
        add_readings(self.s, [0.5], start=back)
        (t,) = check_alerts(sections=[self.s.pk], now=back + dt.timedelta(hours=1), which=["gap"])
        a.refresh_from_db()
        self.assertEqual((t.alert.pk, a.episode_open, a.recovered_at, a.state), (a.pk, False, back, "new"))
        self.assertEqual(Alert.objects.count(), 1)

    def test_manual_sections_and_replays_are_not_judged(self):
        self.s.automatic_station = False
        self.s.save()
        self.assertEqual(check_alerts(sections=[self.s.pk], now=self.last + dt.timedelta(days=30), which=["gap"]), [])
        self.s.automatic_station = True
        self.s.save()
        self.assertEqual(check_alerts(sections=[self.s.pk], which=["gap"]), [])  # no clock: no gap rule
