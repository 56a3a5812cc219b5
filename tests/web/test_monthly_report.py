"""The dashboard and monthly report around the numbers (issue #13 items 5–6): the registry skips a
part whose app is not built and nothing else; a new, empty system gives valid reports that say so;
bad months, towns and formats are refused with one clear line (page: 400/404; CLI: exit 2, no file);
a viewer lands on the dashboard after logging in, the other roles on the map; it is first in the menu."""

from __future__ import annotations

import datetime as dt
import io
import sys
from contextlib import redirect_stderr, redirect_stdout

import docx
import openpyxl
import pytest
from django.test import TestCase

from factories import PASSWORD, make_outfall, make_towns, make_users
from outfall.cli import main
from outfall.dashboard.registry import PARTS, collect_parts, part_functions
from outfall.reports.monthly_xlsx import SUMMARY_SHEET


def test_the_registry_skips_a_part_whose_app_is_not_built():
    fns = part_functions(["outfall.ledger.reporting.summary", "outfall.nothere.reporting.summary",
                          "outfall.ledger.nothere.summary"])
    assert [f.__module__ for f in fns] == ["outfall.ledger.reporting"]
    assert PARTS[:3] == ["outfall.ledger.reporting.summary", "outfall.monitoring.reporting.summary",
                         "outfall.alerts.reporting.summary"]
    assert {"outfall.cases.reporting.summary", "outfall.remediation.reporting.summary"} <= set(PARTS)


def test_the_registry_raises_when_a_parts_module_lacks_something_else(tmp_path, monkeypatch):
    (tmp_path / "brokenpart.py").write_text("import no_such_dependency_xyz\n\ndef summary(**kw):\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        part_functions(["brokenpart.summary"])
    sys.modules.pop("brokenpart", None)


class EmptySystemTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)

    def setUp(self):
        self.client.force_login(self.users["bureau"])

    def test_an_empty_month_gives_valid_reports_that_say_so(self):
        r = self.client.get("/reports/monthly/download/", {"month": "2026-10", "format": "docx"})
        assert r.status_code == 200 and r["Content-Type"].endswith("wordprocessingml.document")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
        assert "本月无数据" in text and "0/0 达标" in text
        r = self.client.get("/reports/monthly/download/", {"month": "2026-10", "format": "xlsx", "town": self.town_b.pk})
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        cells = [c for row in wb[SUMMARY_SHEET].iter_rows(values_only=True) for c in row if c is not None]
        assert "姜山镇" in cells and any("本月无数据" in str(c) for c in cells)
        assert len(wb.sheetnames) == 1 + len(collect_parts(user=self.users["bureau"], town_id=None,
                                                           start=dt.date(2026, 10, 1),
                                                           end=dt.date(2026, 11, 1)))

    def test_the_pages_render_with_no_data(self):
        body = self.client.get("/dashboard/").content.decode()
        assert 'data-part="sections"' in body and 'data-done="0" data-total="0"' in body
        assert self.client.get("/reports/monthly/").status_code == 200

    def test_bad_input_is_refused_with_a_clear_message(self):
        for params, status, words in (({"month": "2026-13"}, 400, "YYYY-MM"), ({"town": "99999"}, 404, "99999"),
                                      ({"town": "x"}, 404, "x"), ({"year": "20x6"}, 400, "20x6"),
                                      ({"town": "9" * 30}, 404, "9" * 30), ({"year": "２０２５"}, 400, "２０２５"),
                                      ({"month": "２０２６-10"}, 400, "YYYY-MM"), ({"year": "99999"}, 400, "99999")):
            for url in ("/dashboard/", "/reports/monthly/", "/reports/monthly/download/"):
                if "year" in params and url != "/dashboard/" or "month" in params and url == "/dashboard/":
                    continue
                r = self.client.get(url, params)
                assert r.status_code == status and words in r.content.decode(), (url, params, r.status_code)
        r = self.client.get("/reports/monthly/download/", {"month": "2026-10", "format": "pdf"})
        assert r.status_code == 400 and ".docx 或 .xlsx" in r.content.decode()

    def test_a_town_outfall_counts_in_its_town_and_the_area_only(self):
        make_outfall(self.town_a, self.users["admin"], approval="approved")
        a = collect_parts(user=self.users["viewer"], town_id=self.town_a.pk, start=dt.date(2026, 1, 1),
                          end=dt.date(2027, 1, 1))
        b = collect_parts(user=self.users["viewer"], town_id=self.town_b.pk, start=dt.date(2026, 1, 1),
                          end=dt.date(2027, 1, 1))
        assert (a[0].rates[0].done, a[0].rates[0].total) == (1, 1)
        assert (b[0].rates[0].done, b[0].rates[0].total) == (0, 0)

    def test_the_cli_refuses_bad_input_with_one_line_and_writes_nothing(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            for argv, words in ((["--month", "2026-13"], "YYYY-MM"), (["--month", "2026-10", "--town", "无此镇"], "无此镇"),
                                (["--month", "2026-10", "--user", "nobody"], "nobody")):
                out = Path(tmp) / "r.docx"
                err = io.StringIO()
                with redirect_stderr(err), redirect_stdout(io.StringIO()):
                    assert main(["report", "monthly", *argv, str(out)]) == 2
                lines = err.getvalue().strip().splitlines()
                assert len(lines) == 1 and lines[0].startswith("错误: ") and words in lines[0], err.getvalue()
                assert not out.exists()
            err = io.StringIO()
            with redirect_stderr(err), redirect_stdout(io.StringIO()):
                assert main(["report", "monthly", "--month", "2026-10", str(Path(tmp) / "r.pdf")]) == 2
            assert ".docx 或 .xlsx" in err.getvalue() and not (Path(tmp) / "r.pdf").exists()
            out = Path(tmp) / "r.DOCX"
            with redirect_stdout(io.StringIO()):
                assert main(["report", "monthly", "--month", "2026-10", "--town", self.town_b.name, str(out)]) == 0
            assert "莱西市姜山镇入河排污口监管月报（2026年10月）" in docx.Document(out).paragraphs[0].text


class LandingTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users(*make_towns())

    def test_a_viewer_lands_on_the_dashboard_and_the_others_on_the_map(self):
        for name, where in (("viewer", "/dashboard/"), ("bureau", "/"), ("town_a", "/"), ("inspector", "/")):
            self.client.logout()
            r = self.client.post("/accounts/login/", {"username": name, "password": PASSWORD})
            assert r.status_code == 302 and r["Location"] == where, (name, r.get("Location"))
        self.client.logout()
        r = self.client.post("/accounts/login/?next=/ledger/", {"username": "viewer", "password": PASSWORD})
        assert r["Location"] == "/ledger/"

    def test_the_dashboard_is_first_in_the_menu(self):
        self.client.force_login(self.users["inspector"])
        body = self.client.get("/ledger/").content.decode()
        assert body.index('data-name="dashboard:index"') < body.index('data-name="ledger:list"')


def test_the_first_view_is_a_year_and_a_month_with_readings(db):
    """A system whose readings stop in an earlier year (the demo's) opens on that year and month."""
    import datetime as dt

    from alerts_fixtures import add_readings, make_section
    from django.utils import timezone

    from outfall.dashboard import scope

    today = timezone.localdate()
    assert scope.default_year() == today.year  # no readings: this year
    s = make_section()
    add_readings(s, [0.5, 0.6], start=dt.datetime(2021, 5, 30, tzinfo=dt.UTC), step_h=48)
    assert (scope.default_year(), scope.default_month()) == (2021, dt.date(2021, 6, 1))
    add_readings(s, [0.5], start=timezone.now() - dt.timedelta(hours=1), parameter="TP")
    last_whole = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert (scope.default_year(), scope.default_month()) == (today.year, last_whole)
