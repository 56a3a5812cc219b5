"""Issue #11: a large ledger XLSX export is an export job written by the worker, not a request.

End to end (request → queued → done → download) through the pages with huey in immediate mode, the
file compared with the synchronous export of the same user and filters; who may see and download
a job; a failed job; the retention of files; what stays synchronous (small XLSX, CSV, the CLI).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path
from unittest import mock

import openpyxl
from django.test import TestCase, override_settings
from django.urls import reverse

from factories import make_outfall, make_towns, make_users
from outfall.history.models import ChangeRecord
from outfall.ledger import columns, export_jobs, exporting
from outfall.ledger.models import ExportJob, Outfall

HEADERS = [c.zh for c in columns.COLUMNS]


def sheet_rows(data: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(values_only=True))


class ExportJobTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        admin = cls.users["admin"]
        for i in range(4):
            make_outfall(cls.town_a, admin, receiving_water="大沽河" if i % 2 else "小沽河", name=f"=甲{i}")
        for _ in range(3):
            make_outfall(cls.town_b, admin)

    def setUp(self):
        self.exports = Path(tempfile.mkdtemp())
        self.enterContext(override_settings(OUTFALL_EXPORTS_DIR=self.exports, OUTFALL_EXPORT_ASYNC_ROWS=1,
                                            OUTFALL_EXPORT_RETENTION_HOURS=24))

    def export(self, user, *, run: bool = True, **params):
        """Ask for the export as ``user`` (the GET's page, then its POST); with ``run``, the queued job
        runs as the request commits."""
        self.client.force_login(user)
        page = self.client.get(reverse("ledger:export"), {"format": "xlsx", **params})
        assert page.status_code == 200 and 'id="export-start"' in page.content.decode()
        with self.captureOnCommitCallbacks(execute=run):
            return self.client.post(reverse("ledger:export"), {"format": "xlsx", **params})

    def test_a_get_asks_and_queues_nothing(self):
        self.client.force_login(self.users["bureau"])
        r = self.client.get(reverse("ledger:export"), {"format": "xlsx", "receiving_water": "大沽河"})
        page = r.content.decode()
        assert r.status_code == 200 and not ExportJob.objects.exists()
        assert 'name="receiving_water" value="大沽河"' in page and 'name="format" value="xlsx"' in page

    def sync_export(self, user, **params) -> bytes:
        """The same request answered synchronously (threshold above the ledger)."""
        self.client.force_login(user)
        with override_settings(OUTFALL_EXPORT_ASYNC_ROWS=10_000):
            r = self.client.get(reverse("ledger:export"), {"format": "xlsx", **params})
        assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
        return r.content

    def test_queue_done_download_gives_the_synchronous_file(self):
        user = self.users["bureau"]
        r = self.export(user, receiving_water="大沽河", q="甲")
        job = ExportJob.objects.get()
        self.assertRedirects(r, reverse("ledger:export-job", args=[job.pk]))
        assert (job.state, job.requester, job.filters) == ("done", user, {"q": "甲", "receiving_water": "大沽河"})
        page = self.client.get(r["Location"]).content.decode()
        assert 'id="job-download"' in page and 'http-equiv="refresh"' not in page
        d = self.client.get(reverse("ledger:export-job-download", args=[job.pk]))
        assert d.status_code == 200 and d["Content-Disposition"].startswith("attachment")
        data = b"".join(d.streaming_content)
        rows = sheet_rows(data)
        assert list(rows[0]) == HEADERS
        codes = sorted(Outfall.objects.filter(receiving_water="大沽河", name__contains="甲").values_list("code", flat=True))
        assert [row[0] for row in rows[1:]] == codes and len(codes) == 2 == job.rows
        assert all(row[2].startswith("=甲") for row in rows[1:])  # text, never a formula
        assert data == self.sync_export(user, receiving_water="大沽河", q="甲")

    def test_the_request_only_queues_and_the_page_shows_progress(self):
        r = self.export(self.users["viewer"], run=False)
        job = ExportJob.objects.get()
        assert job.state == "queued" and job.rows == 7 and not any(self.exports.iterdir())
        page = self.client.get(r["Location"]).content.decode()
        assert 'http-equiv="refresh"' in page and 'id="job-progress"' in page and 'id="job-download"' not in page
        assert self.client.get(reverse("ledger:export-job-download", args=[job.pk])).status_code == 404
        assert ChangeRecord.objects.filter(target_id=str(job.pk), action="create").exists()
        export_jobs.run_export_job(job.pk)
        assert 'id="job-download"' in self.client.get(r["Location"]).content.decode()

    def test_only_the_requester_or_an_admin_sees_and_downloads_the_job(self):
        self.export(self.users["town_a"])
        job = ExportJob.objects.get()
        urls = [reverse("ledger:export-job", args=[job.pk]), reverse("ledger:export-job-download", args=[job.pk])]
        for name in ("bureau", "town_b", "viewer"):
            self.client.force_login(self.users[name])
            assert [self.client.get(u).status_code for u in urls] == [404, 404], name
            assert f">{job.pk}<" not in self.client.get(reverse("ledger:export-jobs")).content.decode()
        for name in ("town_a", "admin"):
            self.client.force_login(self.users[name])
            assert [self.client.get(u).status_code for u in urls] == [200, 200], name
            assert f">{job.pk}<" in self.client.get(reverse("ledger:export-jobs")).content.decode()
        downloads = ChangeRecord.objects.filter(target_id=str(job.pk), note__startswith="下载")
        assert sorted(d.actor.username for d in downloads) == ["admin", "town_a"]
        self.client.logout()
        assert self.client.get(urls[1]).status_code == 302

    def test_a_town_users_file_holds_what_they_may_see_with_their_filters(self):
        user = self.users["town_a"]
        self.export(user, town=self.town_a.pk)
        job = ExportJob.objects.get()
        data = (self.exports / job.file_name).read_bytes()
        codes = {row[0] for row in sheet_rows(data)[1:]}
        assert codes == set(Outfall.objects.filter(town=self.town_a).values_list("code", flat=True))
        assert {row[9] for row in sheet_rows(data)[1:]} == {self.town_a.name}
        assert data == self.sync_export(user, town=self.town_a.pk)

    def test_visibility_is_the_requesters_when_the_job_runs(self):
        user = self.users["viewer"]
        self.export(user, run=False)
        user.is_active = False
        user.save()
        job = export_jobs.run_export_job(ExportJob.objects.get().pk)
        assert job.state == "done" and job.rows == 0
        assert sheet_rows((self.exports / job.file_name).read_bytes()) == [tuple(HEADERS)]

    def test_a_failed_job_shows_its_error_and_changes_nothing_else(self):
        before = list(Outfall.objects.order_by("pk").values())
        records = ChangeRecord.objects.count()

        def full_disk(rows, out):
            out.write(b"PK partial")
            raise OSError(28, "No space left on device")

        self.enterContext(mock.patch.object(exporting, "write_xlsx_to", full_disk))
        self.export(self.users["bureau"])
        job = ExportJob.objects.get()
        assert job.state == "failed" and "No space left on device" in job.error and job.file_name == ""
        assert list(self.exports.iterdir()) == []  # the partial file is gone
        page = self.client.get(reverse("ledger:export-job", args=[job.pk])).content.decode()
        assert 'id="job-error"' in page and "No space left on device" in page and 'id="job-download"' not in page
        assert self.client.get(reverse("ledger:export-job-download", args=[job.pk])).status_code == 404
        assert list(Outfall.objects.order_by("pk").values()) == before
        new = ChangeRecord.objects.order_by("id")[records:]
        assert {(r.target_type.model, r.target_id) for r in new} == {("exportjob", str(job.pk))}
        assert [r.note for r in new] == ["后台导出台账", "导出失败"]

    def test_files_past_the_retention_are_removed_and_the_job_stays(self):
        self.export(self.users["bureau"])
        old = ExportJob.objects.get()
        self.export(self.users["bureau"], q="甲")
        new = ExportJob.objects.exclude(pk=old.pk).get()
        assert len(list(self.exports.iterdir())) == 2
        ExportJob.objects.filter(pk=old.pk).update(finished_at=old.finished_at - dt.timedelta(hours=25))
        assert export_jobs.remove_expired_exports() == 1
        old.refresh_from_db()
        assert old.file_name == "" and old.removed_at is not None and old.state == "done"
        assert [p.name for p in self.exports.iterdir()] == [new.file_name]
        self.client.force_login(self.users["bureau"])
        assert self.client.get(reverse("ledger:export-job-download", args=[old.pk])).status_code == 404
        assert 'id="job-removed"' in self.client.get(reverse("ledger:export-job", args=[old.pk])).content.decode()
        assert ChangeRecord.objects.filter(target_id=str(old.pk), note__contains="保留期").count() == 1
        assert export_jobs.remove_expired_exports() == 0

    def test_the_next_export_removes_expired_files(self):
        self.export(self.users["bureau"])
        old = ExportJob.objects.get()
        ExportJob.objects.filter(pk=old.pk).update(finished_at=old.finished_at - dt.timedelta(hours=25))
        self.export(self.users["viewer"], run=False)
        old.refresh_from_db()
        assert old.removed_at is not None and list(self.exports.iterdir()) == []

    def test_a_job_no_worker_ran_fails_after_the_retention(self):
        from outfall.ledger.tasks import remove_expired_exports_task

        self.export(self.users["viewer"], run=False)
        job = ExportJob.objects.get()
        (self.exports / f".ledger-{job.pk}-0123456789abcdef.xlsx.part").write_bytes(b"PK")
        remove_expired_exports_task()  # within the retention: still queued
        job.refresh_from_db()
        assert job.state == "queued"
        ExportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - dt.timedelta(hours=25))
        remove_expired_exports_task()
        job.refresh_from_db()
        assert job.state == "failed" and "工作进程" in job.error and list(self.exports.iterdir()) == []
        page = self.client.get(reverse("ledger:export-job", args=[job.pk])).content.decode()
        assert 'id="job-error"' in page and 'http-equiv="refresh"' not in page
        assert export_jobs.run_export_job(job.pk).state == "failed"  # a late worker leaves it as it is

    def test_small_xlsx_csv_and_the_cli_stay_synchronous(self):
        from outfall.ledger.cli import export_file

        user = self.users["bureau"]
        self.client.force_login(user)
        r = self.client.get(reverse("ledger:export"), {"format": "xlsx", "town": self.town_b.pk, "q": "zzz"})
        assert r.status_code == 200 and sheet_rows(r.content) == [tuple(HEADERS)]
        r = self.client.get(reverse("ledger:export"), {"format": "csv"})
        assert r.status_code == 200 and r.streaming
        assert b"".join(r.streaming_content).decode("utf-8-sig").count("\r\n") == 1 + 7
        path = Path(tempfile.mkdtemp()) / "ledger.xlsx"
        assert export_file(path, actor=user) == 7
        assert len(sheet_rows(path.read_bytes())) == 1 + 7
        assert not ExportJob.objects.exists()

