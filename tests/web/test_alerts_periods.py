"""Issue #9: the period rules run by check_alerts over a section's samples, month by month (local
time): class worse than the previous counted month (when off target, or two classes down), and a
significant adverse trend (once near the limit). Edges: a mean equal to a class limit is in the
better class; a month one sample short of the minimum does not count, so it flips nothing; a slip
inside the target and a trend far below the limit are the seasons, not warnings."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout

from django.test import TestCase

from alerts_fixtures import make_section
from factories import make_towns, make_users
from outfall.alerts.checking import check_alerts
from outfall.alerts.models import Alert
from outfall.monitoring.models import SectionReading

CST = dt.timezone(dt.timedelta(hours=8))
PERIOD_RULES = ["class_worse", "trend"]


def add_months(section, months: list[list[float]], *, parameter="NH3N", year=2025, first_month=1) -> None:
    """Samples on the 5th, 12th, 19th … of consecutive months (10:00 Beijing time), one list per month."""
    rows = []
    for m, values in enumerate(months):
        month = first_month + m
        for k, v in enumerate(values):
            t = dt.datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 5 + 7 * k, 10, tzinfo=CST)
            rows.append(SectionReading(section=section, time=t, parameter=parameter, value=v, unit="mg/L", raw=str(v)))
    SectionReading.objects.bulk_create(rows)


class PeriodRulesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, other = make_towns()
        cls.users = make_users(cls.town, other)

    def _check(self, months, code="370285S21", **kw):
        s = make_section(code, town=self.town)  # target III; NH3N class II ≤ 0.5 mg/L, III ≤ 1.0
        add_months(s, months, **kw)
        touched = check_alerts(sections=[s.pk], outfalls=[], which=PERIOD_RULES)
        return s, [t.alert for t in touched]

    def test_a_month_worse_than_the_previous_one(self):
        s, alerts = self._check([[0.4, 0.4, 0.4], [1.2, 1.2, 1.2], [1.2, 1.2, 1.2]])
        (a,) = alerts
        self.assertEqual((a.rule, a.value, a.limit, a.exceedance_pct), ("class_worse", 1.2, None, None))
        self.assertEqual(a.opened_at, dt.datetime(2025, 2, 1, tzinfo=CST))  # the month that got worse
        self.assertEqual(a.recovered_at, dt.datetime(2025, 3, 1, tzinfo=CST))  # March: no worse than February
        self.assertEqual(a.readings_count, 3)
        self.assertIn("Ⅳ类", a.explanation_zh)
        self.assertIn("差于上一时段的Ⅱ类", a.explanation_zh)
        self.assertIn("worse than Ⅱ类", a.explanation_en)

    def test_a_slip_inside_the_target_is_no_warning_two_classes_are(self):
        self.assertEqual(self._check([[0.4, 0.4, 0.4], [0.7, 0.7, 0.7]])[1], [])  # II → III, target III
        _s, alerts = self._check([[0.1, 0.1, 0.1], [0.7, 0.7, 0.7]], code="370285S25")  # I → III: two down
        self.assertEqual([(a.rule, round(a.value, 6)) for a in alerts], [("class_worse", 0.7)])

    def test_a_mean_equal_to_the_class_limit_is_not_worse(self):
        self.assertEqual(self._check([[0.9, 0.9, 0.9], [1.0, 1.0, 1.0]])[1], [])  # 1.0 is class III's limit
        _s, alerts = self._check([[0.9, 0.9, 0.9], [1.01, 1.01, 1.01]], code="370285S26")
        self.assertEqual([a.rule for a in alerts], ["class_worse"])

    def test_one_sample_short_of_the_minimum_does_not_flip_the_class(self):
        self.assertEqual(self._check([[0.4, 0.4, 0.4], [1.6, 1.6]])[1], [])
        _s, alerts = self._check([[0.4, 0.4, 0.4], [1.6, 1.6, 1.6]], code="370285S22")
        self.assertEqual([a.rule for a in alerts], ["class_worse"])
        self.assertAlmostEqual(alerts[0].value, 1.6)

    def test_a_month_short_of_samples_is_skipped_not_a_break(self):
        """January counts, February (2 samples) does not, March is compared with January."""
        _s, alerts = self._check([[0.4, 0.4, 0.4], [0.3, 0.3], [1.2, 1.2, 1.2]])
        (a,) = alerts
        self.assertEqual(a.opened_at, dt.datetime(2025, 3, 1, tzinfo=CST))

    def test_six_rising_months_are_a_trend_five_are_not(self):
        rising = [[0.50 + 0.05 * m] * 3 for m in range(6)]  # II → III inside the target: no class-worse alert
        self.assertEqual(self._check(rising[:5])[1], [])
        s, alerts = self._check(rising, code="370285S23")
        (a,) = alerts
        self.assertEqual((a.rule, a.value, a.episode_open), ("trend", 0.75, True))
        self.assertEqual(a.opened_at, dt.datetime(2025, 6, 1, tzinfo=CST))
        self.assertIn("上升趋势", a.explanation_zh)
        self.assertIn("rising trend", a.explanation_en)
        add_months(s, [[0.1] * 3], first_month=7)  # July falls: the trend over Feb–Jul is no longer significant
        (t,) = check_alerts(sections=[s.pk], outfalls=[], which=PERIOD_RULES)
        self.assertEqual((t.alert.pk, t.new, t.alert.episode_open), (a.pk, False, False))

    def test_a_trend_far_below_the_limit_is_no_warning(self):
        rising = [[0.20 + 0.05 * m] * 3 for m in range(6)]  # significant, but 0.45 < 0.7 × 1.0 mg/L
        self.assertEqual(self._check(rising)[1], [])

    def test_falling_dissolved_oxygen_is_adverse(self):
        falling = [[7.5 - 0.2 * m] * 3 for m in range(6)]  # DO 7.5 … 6.5 mg/L; 6.5 ≤ 1.3 × 5 (class III limit)
        _s, alerts = self._check(falling, parameter="DO")
        self.assertEqual([(a.rule, a.parameter) for a in alerts], [("trend", "DO")])
        self.assertIn("下降", alerts[0].explanation_zh)

    def test_replay_and_since(self):
        s, alerts = self._check([[0.4, 0.4, 0.4], [1.2, 1.2, 1.2]])
        self.assertEqual(len(alerts), 1)
        again = check_alerts(sections=[s.pk], outfalls=[], which=PERIOD_RULES)
        self.assertEqual([(t.alert.pk, t.new) for t in again], [(alerts[0].pk, False)])
        later = check_alerts(sections=[s.pk], outfalls=[], which=PERIOD_RULES,
                             since=dt.datetime(2025, 6, 1, tzinfo=CST))
        self.assertEqual(later, [])  # an episode that ended months before ``since`` is not touched
        self.assertEqual(Alert.objects.filter(section=s).count(), 1)

    def test_shown_on_the_alert_page_and_in_the_cli(self):
        from outfall.cli import main

        _s, alerts = self._check([[0.4, 0.4, 0.4], [1.2, 1.2, 1.2]])
        self.client.force_login(self.users["viewer"])
        page = self.client.get(f"/alerts/{alerts[0].pk}/").content.decode()
        self.assertIn(alerts[0].explanation_zh, page)
        self.assertIn(alerts[0].explanation_en, page)
        Alert.objects.all().delete()
        buf = io.StringIO()
        with redirect_stdout(buf):
            self.assertEqual(main(["alerts", "check", "--format", "json"]), 0)
        (row,) = [r for r in json.loads(buf.getvalue()) if r["rule"] == "class_worse"]
        self.assertEqual(set(row), {"alert_id", "site_code", "site_kind", "parameter", "rule", "severity", "state",
                                    "opened_at", "time", "value", "limit", "exceedance_pct", "receptors", "new"})
        self.assertEqual((row["limit"], row["exceedance_pct"], row["new"]), (None, None, True))

    def test_an_incremental_check_finds_what_a_full_one_does(self):
        """The hook's path (monthly sums in the database from ``since``) and the full check's (the
        core's period_means on loaded samples) agree, below-detection and QC-invalid samples included."""
        s = make_section("370285S24", town=self.town)
        add_months(s, [[0.4, 0.4, 0.4], [0.3, 0.3, 0.3], [1.2, 1.3, 1.4, 1.3]])
        t = dt.datetime(2025, 3, 27, 10, tzinfo=CST)
        SectionReading.objects.create(section=s, time=t, parameter="NH3N", value=None, qualifier="<",
                                      detection_limit=0.4, unit="mg/L", raw="0.4L")  # counts as 0.2
        SectionReading.objects.create(section=s, time=t + dt.timedelta(hours=1), parameter="NH3N", value=9.0,
                                      unit="mg/L", raw="9", qc_flag="invalid")  # not at all
        full = [t.alert for t in check_alerts(sections=[s.pk], outfalls=[], which=PERIOD_RULES)]
        facts = [(a.rule, a.opened_at, a.readings_count, round(a.value, 6), a.episode_open) for a in full]
        self.assertEqual(facts, [("class_worse", dt.datetime(2025, 3, 1, tzinfo=CST), 5, 1.08, True)])
        Alert.objects.all().delete()
        part = [t.alert for t in check_alerts(sections=[s.pk], outfalls=[], which=PERIOD_RULES,
                                              since=dt.datetime(2025, 3, 19, tzinfo=CST))]
        self.assertEqual([(a.rule, a.opened_at, a.readings_count, round(a.value, 6), a.episode_open) for a in part],
                         facts)
