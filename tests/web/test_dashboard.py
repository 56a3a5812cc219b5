"""The dashboard (概览) and the monthly report (月报) on the Laixi demo year (issue #13 items 5–6):
every rate of the ledger, monitoring and alerts parts on the page equals a count made independently
with plain ORM queries (sections: the section page's own period assessment, ``period_evaluations``);
the monthly report's numbers, read back from the XLSX and the DOCX, equal the monthly page's."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from zoneinfo import ZoneInfo

import docx
import openpyxl
from django.conf import settings
from django.test import TestCase

from factories import make_user
from outfall.alerts.models import Alert
from outfall.core.enums import Role
from outfall.ledger.models import Outfall
from outfall.monitoring.models import Section
from outfall.monitoring.selectors import period_evaluations
from outfall.reports.monthly_xlsx import RATE_HEADER, SUMMARY_SHEET

RATE = re.compile(r'data-part="(\w+)" data-label="([^"]*)" data-done="(\d+)" data-total="(\d+)"')
CHARTS = re.compile(r'<script id="charts-data" type="application/json">(.*?)</script>', re.S)


def page_rates(body: str) -> dict[str, tuple[int, int]]:
    return {part: (int(done), int(total)) for part, _label, done, total in RATE.findall(body)}


def page_charts(body: str) -> dict[str, dict]:
    return {c["id"]: c["figure"] for c in json.loads(json.loads(CHARTS.search(body).group(1)))}


def local(y: int, m: int = 1, d: int = 1) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=ZoneInfo(settings.TIME_ZONE))


def section_compliance(by: str, period: str) -> tuple[int, int]:
    """(met, evaluated) over the sections by the section page's assessment of ``period``."""
    met = evaluated = 0
    for s in Section.objects.all():
        row = next((r for r in period_evaluations(s, by=by) if r["period"] == period), None)
        if row is not None and row["evaluation"].water_class is not None:
            evaluated += 1
            met += bool(row["evaluation"].compliant)
    return met, evaluated


class DashboardOnTheDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from outfall.cli.demo import load_demo

        load_demo(stdout=io.StringIO())  # every demo step of the apps installed (cases, remediation …)
        from django.contrib.auth import get_user_model

        cls.admin = get_user_model().objects.get(username="admin")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_every_rate_on_the_dashboard_equals_an_independent_count(self):
        body = self.client.get("/dashboard/", {"year": 2025, "town": "all"}).content.decode()
        rates = page_rates(body)
        active = Outfall.objects.exclude(status="cancelled")
        self.assertEqual(rates["outfalls"], (active.filter(approval__in=["approved", "filed"]).count(), active.count()))
        met, evaluated = section_compliance("year", "2025")
        self.assertEqual(rates["sections"], (met, evaluated))
        self.assertEqual(evaluated, Section.objects.count())
        year = Alert.objects.filter(opened_at__gte=local(2025), opened_at__lt=local(2026))
        self.assertEqual(rates["alerts"], (year.filter(state="closed").count(), year.count()))
        self.assertGreater(year.count(), 20)
        for t in ("工业排污口", "农业排口", "其他排口"):
            self.assertIn(f"<td>{t}</td><td>{active.filter(type_l1=t).count()}</td>", body)

    def test_every_registered_part_is_drawn_on_the_dashboard(self):
        from outfall.dashboard.registry import collect_parts

        parts = collect_parts(user=self.admin, town_id=None, start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1))
        self.assertGreaterEqual(len(parts), 3)
        body = self.client.get("/dashboard/", {"year": 2025}).content.decode()
        charts = page_charts(body)
        self.assertEqual([(p, int(d), int(t)) for p, _l, d, t in RATE.findall(body)],
                         [(p.key, r.done, r.total) for p in parts for r in p.rates])
        for p in parts:
            self.assertIn(f'id="part-{p.key}"', body)
            for n, s in enumerate(p.series):
                self.assertEqual(charts[f"chart-{p.key}-{n}"]["data"][0]["x"], s.x)
            for t in p.tables:
                self.assertIn(t.title, body)

    def test_the_monthly_trends_equal_independent_monthly_counts(self):
        charts = page_charts(self.client.get("/dashboard/", {"year": 2025}).content.decode())
        rate = charts["chart-sections-0"]["data"][0]
        self.assertEqual(rate["x"], [f"2025-{m:02d}" for m in range(1, 13)])
        for label, value in zip(rate["x"], rate["y"], strict=True):
            met, evaluated = section_compliance("month", label)
            self.assertEqual(value, round(100 * met / evaluated, 1) if evaluated else None, label)
        opened = charts["chart-alerts-0"]["data"][0]["y"]
        self.assertEqual(opened, [Alert.objects.filter(opened_at__gte=local(2025, m), opened_at__lt=local(
            2025 + m // 12, m % 12 + 1)).count() for m in range(1, 13)])

    def test_a_period_that_is_not_the_last_months_is_evaluated_on_its_own(self):
        from outfall.monitoring.reporting import evaluate_sections

        sections = list(Section.objects.all())
        evs = evaluate_sections(sections, dt.date(2025, 1, 1), dt.date(2026, 1, 1), months=3)  # Oct–Dec only
        met = sum(bool(evs[(s.pk, None)].compliant) for s in sections if (s.pk, None) in evs)
        self.assertEqual((met, sum(1 for s in sections if (s.pk, None) in evs)), section_compliance("year", "2025"))
        self.assertEqual({k for _sid, k in evs}, {None, 0, 1, 2})

    def test_a_year_without_data_shows_zero_of_zero(self):
        rates = page_rates(self.client.get("/dashboard/", {"year": 2021}).content.decode())
        self.assertEqual(rates["sections"], (0, 0))
        self.assertEqual(rates["alerts"], (0, 0))

    def test_town_staff_see_their_town_first_and_may_choose_the_area(self):
        outfall = Outfall.objects.order_by("code").first()
        staff = make_user("town_staff", Role.TOWN, outfall.town)
        self.client.force_login(staff)
        body = self.client.get("/dashboard/", {"year": 2025}).content.decode()
        mine = Outfall.objects.filter(town=outfall.town).exclude(status="cancelled")
        self.assertEqual(page_rates(body)["outfalls"][1], mine.count())
        self.assertIn(f'<option value="{outfall.town.pk}" selected>', body)
        area = self.client.get("/dashboard/", {"year": 2025, "town": "all"}).content.decode()
        self.assertEqual(page_rates(area)["outfalls"][1], Outfall.objects.exclude(status="cancelled").count())

    def test_the_monthly_report_numbers_equal_the_monthly_pages(self):
        page = self.client.get("/reports/monthly/", {"month": "2025-09"}).content.decode()
        rates = page_rates(page)
        self.assertEqual(rates["sections"], section_compliance("month", "2025-09"))
        r = self.client.get("/reports/monthly/download/", {"month": "2025-09", "town": "all", "format": "xlsx"})
        self.assertEqual(r.status_code, 200)
        self.assertIn('filename="monthly-2025-09-all.xlsx"', r["Content-Disposition"])
        ws = openpyxl.load_workbook(io.BytesIO(r.content))[SUMMARY_SHEET]
        rows = list(ws.iter_rows(values_only=True))
        head = next(i for i, row in enumerate(rows) if list(row[:6]) == RATE_HEADER)
        from_xlsx = [(row[1], row[2], row[3]) for row in rows[head + 1:] if row[0]]
        self.assertEqual(from_xlsx, [(label, int(d), int(t)) for _p, label, d, t in RATE.findall(page)])
        r = self.client.get("/reports/monthly/download/", {"month": "2025-09", "format": "docx"})
        d = docx.Document(io.BytesIO(r.content))
        text = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for row in t.rows for c in row.cells])
        for _p, label, done, total in RATE.findall(page):
            self.assertIn(f"{label}：{done}/{total}", text)
        self.assertIn("莱西市入河排污口监管月报（2025年9月）", text)
        self.assertGreaterEqual(len(d.inline_shapes), 2)

    def test_the_cli_writes_the_same_report(self):
        import tempfile
        from contextlib import redirect_stdout
        from pathlib import Path

        from outfall.cli import main

        page = self.client.get("/reports/monthly/", {"month": "2025-09"}).content.decode()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "m.xlsx"
            with redirect_stdout(io.StringIO()) as said:
                self.assertEqual(main(["report", "monthly", "--month", "2025-09", str(out)]), 0)
            self.assertIn(str(out), said.getvalue())
            rows = list(openpyxl.load_workbook(out)[SUMMARY_SHEET].iter_rows(values_only=True))
        head = next(i for i, row in enumerate(rows) if list(row[:6]) == RATE_HEADER)
        self.assertEqual([(row[2], row[3]) for row in rows[head + 1:] if row[0]],
                         [(int(d), int(t)) for _p, _l, d, t in RATE.findall(page)])
