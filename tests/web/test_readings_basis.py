"""Issue #9 item 5: the long readings file's optional ``basis`` column (依据). A reported statistic
is stored under its own key and compared only with the outfall limit of the same basis; samples are
still compared with daily/monthly limits through their statistics; a bad value is a row error naming
file, row and column; re-importing is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase

from factories import make_outfall, make_towns, make_users
from outfall.alerts.checking import check_alerts
from outfall.alerts.limits import add_outfall_limit
from outfall.alerts.models import Alert
from outfall.core.errors import RowErrors
from outfall.monitoring.ingest import import_readings
from outfall.monitoring.models import OutfallReading

HEADER = "站点编码,监测时间,监测指标,监测值,单位,数据来源,依据\n"


class BasisTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a, cls.b = make_towns()
        cls.users = make_users(cls.a, cls.b)
        cls.o = make_outfall(cls.a, cls.users["admin"])
        add_outfall_limit(cls.o, {"parameter": "COD", "limit": "50", "unit": "mg/L", "kind": "max",
                                  "basis": "monthly_avg"}, actor=cls.users["admin"])

    def _import(self, text: str, name: str = "report.csv"):
        return import_readings((HEADER + text).encode(), actor=self.users["admin"], name=name)

    def _alerts(self):
        check_alerts(outfalls=[self.o.pk], which=["discharge"])
        return list(Alert.objects.filter(outfall=self.o, rule="discharge").order_by("opened_at"))

    def test_reported_monthly_average_over_its_limit_alerts(self):
        self._import(f"{self.o.code},2025-07-31 00:00,COD,62,mg/L,手工,月均值\n")
        (a,) = self._alerts()
        self.assertEqual((a.basis, a.value, a.limit), ("monthly_avg", 62.0, 50.0))
        self.assertAlmostEqual(a.exceedance_pct, 24.0)
        self.assertIn("monthly_avg", a.explanation_zh)

    def test_equal_to_the_limit_is_not_over(self):
        self._import(f"{self.o.code},2025-07-31 00:00,COD,50,mg/L,manual,monthly_avg\n")
        self.assertEqual(self._alerts(), [])

    def test_a_report_is_the_figure_of_its_month_and_samples_fill_the_others(self):
        """July: samples averaging 60 but a reported average of 45 → not over; August: samples only,
        averaging 55 → over (computed from the samples, as before the column existed)."""
        self._import(f"{self.o.code},2025-07-03 10:00,COD,58,mg/L,manual,\n"
                     f"{self.o.code},2025-07-17 10:00,COD,62,mg/L,manual,sample\n"
                     f"{self.o.code},2025-07-31 00:00,COD,45,mg/L,manual,monthly_avg\n"
                     f"{self.o.code},2025-08-05 10:00,COD,50,mg/L,manual,\n"
                     f"{self.o.code},2025-08-20 10:00,COD,60,mg/L,manual,\n")
        (a,) = self._alerts()
        self.assertEqual((a.value, a.readings_count), (55.0, 1))
        self.assertEqual(a.opened_at, dt.datetime(2025, 7, 31, 16, tzinfo=dt.UTC))  # 1 August, Beijing time

    def test_a_sample_never_meets_a_statistic_limit_directly(self):
        """One sample of 80 in a month whose other samples keep the mean at 45: no alert."""
        self._import("".join(f"{self.o.code},2025-07-{d:02d} 10:00,COD,{v},mg/L,manual,\n"
                             for d, v in ((2, 80), (9, 30), (16, 35), (23, 40), (30, 40))))
        self.assertEqual(self._alerts(), [])

    def test_same_time_and_source_with_another_basis_is_another_reading(self):
        text = (f"{self.o.code},2025-07-31 00:00,COD,40,mg/L,manual,sample\n"
                f"{self.o.code},2025-07-31 00:00,COD,62,mg/L,manual,monthly_avg\n")
        self._import(text)
        self._import(text)  # re-import: the same two rows, updated in place
        rows = sorted(OutfallReading.objects.filter(outfall=self.o).values_list("basis", "value"))
        self.assertEqual(rows, [("monthly_avg", 62.0), ("sample", 40.0)])

    def test_bad_basis_is_a_row_error_naming_file_row_and_column(self):
        with pytest.raises(RowErrors) as exc:
            self._import(f"{self.o.code},2025-07-31 00:00,COD,40,mg/L,manual,weekly_avg\n"
                         f"{self.o.code},2025-07-30 00:00,COD,40,mg/L,manual,月均值\n", name="bad.csv")
        (err,) = exc.value.errors
        self.assertEqual((err.file, err.row, err.column), ("bad.csv", 2, "依据"))
        self.assertIn("weekly_avg", err.message)
        self.assertFalse(OutfallReading.objects.exists())

    def test_section_series_hold_samples_only(self):
        from alerts_fixtures import T0, add_readings, make_section
        from outfall.monitoring.models import SectionReading

        s = make_section(town=self.a)
        add_readings(s, [0.5] * 14)
        SectionReading.objects.create(section=s, time=T0, parameter="NH3N", value=5.0, unit="mg/L", raw="5",
                                      basis="monthly_avg")
        self.assertEqual(check_alerts(sections=[s.pk], outfalls=[], which=["exceedance", "jump"]), [])
