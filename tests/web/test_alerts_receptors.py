"""Issue #9: receptors downstream of a section alert (river distance and travel time from the
network engine) raise the severity when within the rules' receptor_hours; the rules setting is
checked; the alert page reads in English when chosen."""

from __future__ import annotations

import io

from django.test import TestCase, override_settings

from alerts_fixtures import add_readings
from factories import make_towns, make_users
from outfall.alerts import services
from outfall.alerts.rules import current_rules, parse_rules
from outfall.core.errors import InputError
from outfall.core.warning import RuleSet
from outfall.demo.laixi import SECTIONS
from outfall.monitoring.models import Section

VALUES = [0.8] * 13 + [2.0, 0.8]  # NH3N, one reading over the IV limit 1.5 (multiple 0.33: medium)


class ReceptorTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from outfall.demo import rivers

        a, b = make_towns()
        cls.users = make_users(a, b)
        for code, name, level, wt, target, river, (lon, lat), auto in SECTIONS:
            Section.objects.create(code=code, name=name, level=level, water_type=wt, target_class=target, river=river,
                                   lon=lon, lat=lat, original_lon=lon, original_lat=lat, automatic_station=auto)
        rivers.load(stdout=io.StringIO())
        cls.s03 = Section.objects.get(code="370285S03")
        add_readings(cls.s03, VALUES)

    def test_near_receptor_raises_severity(self):
        admin = self.users["admin"]
        (t,) = services.check_alerts(sections=[self.s03.pk], which=["exceedance"], actor=admin)
        self.assertEqual((t.alert.severity, t.alert.receptors), ("medium", []))
        services.set_receptor(Section.objects.get(code="370285S04"), "drinking_water", actor=admin)
        services.set_receptor(Section.objects.get(code="370285S07"), "provincial", actor=admin)
        services.set_receptor(Section.objects.get(code="370285S01"), "national", actor=admin)  # upstream: never
        (t,) = services.check_alerts(sections=[self.s03.pk], which=["exceedance"], actor=admin)
        rec = t.alert.receptors
        self.assertEqual([r["section"] for r in rec], ["370285S04", "370285S07"])
        self.assertLess(rec[0]["travel_time_h"], rec[1]["travel_time_h"])
        self.assertLess(rec[0]["distance_km"], rec[1]["distance_km"])
        self.assertGreater(rec[0]["distance_km"], 0)
        (t,) = services.check_alerts(sections=[self.s03.pk], which=["exceedance"], actor=admin,
                                     rules=RuleSet(receptor_hours=rec[0]["travel_time_h"] / 2))
        self.assertEqual(t.alert.severity, "medium")
        (t,) = services.check_alerts(sections=[self.s03.pk], which=["exceedance"], actor=admin,
                                     rules=RuleSet(receptor_hours=rec[0]["travel_time_h"] + 0.01))
        self.assertEqual(t.alert.severity, "high")

    def test_english_alert_page(self):
        (t,) = services.check_alerts(sections=[self.s03.pk], which=["exceedance"])
        self.client.force_login(self.users["bureau"])
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/alerts/"})
        body = self.client.get(f"/alerts/{t.alert.pk}/").content.decode()
        self.assertIn("Timeline", body)
        self.assertIn(t.alert.explanation_en, body)


class RulesSettingTest(TestCase):
    def test_parse(self):
        self.assertEqual(parse_rules("").version, 1)
        self.assertEqual(parse_rules('{"version": 3, "repeat_k": 2}').repeat_k, 2)
        for bad in ("{", "[1]", '{"repeat_kk": 2}', '{"repeat_k": 9}'):
            with self.subTest(bad=bad), self.assertRaises(InputError):
                parse_rules(bad)

    @override_settings(OUTFALL_ALERT_RULES='{"version": 7, "episode_grace": 0}')
    def test_current_rules_from_setting(self):
        self.assertEqual((current_rules().version, current_rules().episode_grace), (7, 0))
