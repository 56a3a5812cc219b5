"""Issue #9: outfall discharge limits — the import (CSV/XLSX, Chinese or English headers, whole or
nothing, every error by file, row and column), the form on the outfall page, and the discharge rule
on outfall readings (sample and daily-average bases, below-detection values)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.test import TestCase
from openpyxl import Workbook

from factories import make_outfall, make_towns, make_users
from outfall.alerts.checking import check_alerts
from outfall.alerts.limits import import_limits
from outfall.alerts.models import Alert, OutfallLimit
from outfall.core.errors import RowErrors
from outfall.monitoring.models import OutfallReading

T0 = dt.datetime(2025, 7, 1, 0, tzinfo=dt.UTC)


class LimitsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a, cls.b = make_towns()
        cls.users = make_users(cls.a, cls.b)
        cls.oa = make_outfall(cls.a, cls.users["admin"])
        cls.ob = make_outfall(cls.b, cls.users["admin"])

    def test_import_chinese_headers_converts_units(self):
        data = (f"排污口编码,指标,限值,单位,类型,依据,起始日期,截止日期\n"
                f"{self.oa.code},氨氮,5000,µg/L,上限,daily_avg,2025-01-01,\n"
                f"{self.oa.code},COD,50,mg/L,,,,\n").encode()
        r = import_limits(data, actor=self.users["admin"], name="limits.csv")
        self.assertEqual((r.created, r.updated, r.errors), (2, 0, []))
        nh3 = OutfallLimit.objects.get(parameter="NH3N")
        self.assertEqual((nh3.limit, nh3.entered_value, nh3.entered_unit, nh3.basis, nh3.kind),
                         (5.0, "5000", "µg/L", "daily_avg", "max"))
        self.assertEqual(nh3.valid_from, dt.date(2025, 1, 1))
        r = import_limits(data, actor=self.users["admin"], name="limits.csv")
        self.assertEqual((r.created, r.updated), (0, 2))

    def test_import_english_xlsx(self):
        wb = Workbook()
        ws = wb.active
        ws.append(["outfall_code", "parameter", "limit", "unit", "kind", "basis", "valid_from", "valid_to"])
        ws.append([self.oa.code, "DO", 2, "mg/L", "min", "sample", dt.datetime(2025, 1, 1), dt.datetime(2025, 12, 31)])
        buf = io.BytesIO()
        wb.save(buf)
        r = import_limits(buf.getvalue(), actor=self.users["admin"], name="limits.xlsx")
        self.assertEqual(r.created, 1)
        lim = OutfallLimit.objects.get()
        self.assertEqual((lim.kind, lim.valid_to), ("min", dt.date(2025, 12, 31)))

    def test_every_error_located_and_nothing_written(self):
        data = (f"排污口编码,指标,限值,单位,类型,依据,起始日期,截止日期\n"
                f"{self.oa.code},氨氮,5,mg/L,,,,\n"               # fine
                f"NOPE,氨氮,5,mg/L,,,,\n"                        # row 3: unknown outfall
                f"{self.oa.code},氨氮,abc,mg/L,,monthly_avg,,\n"  # row 4: not a number
                f"{self.oa.code},COD,50,℃,,,,\n"                  # row 5: unit
                f"{self.oa.code},TP,1,mg/L,sideways,,,\n"         # row 6: kind
                f"{self.oa.code},TP,1,mg/L,,yearly,,\n"           # row 7: basis
                f"{self.oa.code},TN,1,mg/L,,,2025-02-01,2025-01-01\n"  # row 8: validity
                f"{self.oa.code},TN,1,mg/L,,,2025-13-01,\n"      # row 9: date
                f"{self.oa.code},氨氮,6,mg/L,,,,\n").encode()     # row 10: duplicate of row 2
        with self.assertRaises(RowErrors) as cm:
            import_limits(data, actor=self.users["admin"], name="limits.csv")
        got = {(e.file, e.row, e.column) for e in cm.exception.errors}
        self.assertEqual(got, {("limits.csv", 3, "排污口编码"), ("limits.csv", 4, "限值"), ("limits.csv", 5, "单位"),
                               ("limits.csv", 6, "类型"), ("limits.csv", 7, "依据"), ("limits.csv", 8, "截止日期"),
                               ("limits.csv", 9, "起始日期"), ("limits.csv", 10, "指标")})
        self.assertFalse(OutfallLimit.objects.exists())

    def test_header_errors_and_town_scope(self):
        with self.assertRaises(RowErrors) as cm:
            import_limits("编码,指标,单位\nX,COD,mg/L\n".encode(), actor=self.users["admin"], name="h.csv")
        self.assertIn("限值", {e.column for e in cm.exception.errors})
        data = f"排污口编码,指标,限值,单位\n{self.oa.code},COD,50,mg/L\n{self.ob.code},COD,50,mg/L\n".encode()
        with self.assertRaises(RowErrors) as cm:
            import_limits(data, actor=self.users["town_a"], name="t.csv")
        self.assertEqual([(e.row, e.column) for e in cm.exception.errors], [(3, "排污口编码")])
        self.assertFalse(OutfallLimit.objects.exists())

    def test_form_on_outfall_page(self):
        self.client.force_login(get_user_model().objects.get(username="town_a"))
        page = self.client.get(f"/ledger/{self.oa.pk}/").content.decode()
        self.assertIn('id="limits"', page)
        self.assertIn("添加限值", page)
        self.client.post(f"/alerts/limits/{self.oa.pk}/add/", {"parameter": "COD", "limit": "50", "unit": "mg/L",
                                                              "kind": "max", "basis": "sample"})
        self.assertEqual(OutfallLimit.objects.get(outfall=self.oa).limit, 50.0)
        r = self.client.post(f"/alerts/limits/{self.ob.pk}/add/", {"parameter": "COD", "limit": "50", "unit": "mg/L",
                                                                  "kind": "max", "basis": "sample"})
        self.assertEqual(r.status_code, 403)
        self.assertFalse(OutfallLimit.objects.filter(outfall=self.ob).exists())
        self.client.force_login(get_user_model().objects.get(username="viewer"))
        self.assertNotIn("添加限值", self.client.get(f"/ledger/{self.oa.pk}/").content.decode())

    def _readings(self, values, *, step_h=4, qualifier="", dl=None):
        OutfallReading.objects.bulk_create([
            OutfallReading(outfall=self.oa, time=T0 + dt.timedelta(hours=step_h * i), parameter="COD", value=v,
                           qualifier=qualifier if v is None else "", detection_limit=dl, unit="mg/L")
            for i, v in enumerate(values)])

    def test_discharge_rule_sample_basis(self):
        import_limits(f"排污口编码,指标,限值,单位\n{self.oa.code},COD,50,mg/L\n".encode(), actor=self.users["admin"],
                      name="l.csv")
        self._readings([30, 40, 75, 60, 35, None])
        touched = check_alerts(outfalls=[self.oa.pk], which=["discharge"])
        self.assertEqual(len(touched), 1)
        a = touched[0].alert
        self.assertEqual((a.site_kind, a.rule, a.basis, a.peak, a.readings_count), ("outfall", "discharge", "sample",
                                                                                      75.0, 2))
        self.assertAlmostEqual(a.exceedance_pct, 50.0)
        self.assertFalse(a.episode_open)
        self.assertIn("排放限值", a.explanation_zh)

    def test_discharge_rule_daily_average(self):
        """Samples 40, 80 on day 1 (mean 60 > 50) and 40, 50 on day 2 (mean 45): one daily alert."""
        import_limits(f"排污口编码,指标,限值,单位,依据\n{self.oa.code},COD,50,mg/L,daily_avg\n".encode(),
                      actor=self.users["admin"], name="l.csv")
        self._readings([40, 80, 40, 50], step_h=12)
        (t,) = check_alerts(outfalls=[self.oa.pk], which=["discharge"])
        self.assertEqual((t.alert.basis, t.alert.value, t.alert.readings_count), ("daily_avg", 60.0, 1))

    def test_below_detection_counts_as_half_the_limit(self):
        import_limits(f"排污口编码,指标,限值,单位,类型\n{self.oa.code},COD,10,mg/L,min\n".encode(),
                      actor=self.users["admin"], name="l.csv")
        self._readings([20, None], qualifier="<", dl=12.0)  # "<12" counts as 6 < 10 → under a minimum
        (t,) = check_alerts(outfalls=[self.oa.pk], which=["discharge"])
        self.assertEqual(t.alert.value, 6.0)
        self.assertEqual(Alert.objects.count(), 1)


class LimitsCliTest(TestCase):
    def test_cli_import_limits(self):
        import contextlib
        import tempfile
        from pathlib import Path

        from outfall.cli import main

        a, b = make_towns()
        users = make_users(a, b)
        o = make_outfall(a, users["admin"])
        with tempfile.TemporaryDirectory() as d:
            bad = Path(d) / "bad.csv"
            bad.write_text(f"排污口编码,指标,限值,单位\n{o.code},COD,fifty,mg/L\n", encoding="utf-8")
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["import", "limits", str(bad)])
            self.assertEqual(code, 2)
            self.assertIn("bad.csv", out.getvalue() + err.getvalue())
            self.assertIn("限值", out.getvalue() + err.getvalue())
            self.assertFalse(OutfallLimit.objects.exists())
            good = Path(d) / "good.csv"
            good.write_text(f"outfall_code,parameter,limit,unit\n{o.code},COD,50,mg/L\n", encoding="utf-8")
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(main(["import", "limits", str(good)]), 0)
        self.assertEqual(OutfallLimit.objects.get().limit, 50.0)


class DailyIncrementalTest(TestCase):
    def test_a_push_late_in_the_day_updates_that_days_average(self):
        a, b = make_towns()
        users = make_users(a, b)
        o = make_outfall(a, users["admin"])
        import_limits(f"排污口编码,指标,限值,单位,依据\n{o.code},COD,50,mg/L,daily_avg\n".encode(), actor=users["admin"],
                      name="l.csv")
        day = dt.datetime(2025, 7, 1, 1, tzinfo=dt.UTC)  # 09:00 Beijing time
        OutfallReading.objects.create(outfall=o, time=day, parameter="COD", value=40, unit="mg/L")
        self.assertEqual(check_alerts(outfalls=[o.pk], which=["discharge"]), [])
        late = day + dt.timedelta(hours=8)  # 17:00 the same local day: the day's mean becomes 70
        OutfallReading.objects.create(outfall=o, time=late, parameter="COD", value=100, unit="mg/L")
        (t,) = check_alerts(outfalls=[o.pk], since=late, which=["discharge"])
        self.assertEqual((t.new, t.alert.value, t.alert.basis), (True, 70.0, "daily_avg"))
