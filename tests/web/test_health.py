"""/healthz: open without a login at exactly that path, 200 only when every registered check is up."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import OperationalError
from django.test import TestCase, override_settings
from django.utils import timezone

from outfall.site import health
from outfall.site.models import Heartbeat
from outfall.site.tasks import heartbeat


class HealthTests(TestCase):
    def setUp(self):
        heartbeat.call_local()  # what the worker's periodic task does

    def get(self):
        r = self.client.get("/healthz")
        return r, r.json()

    def test_all_up_is_200_without_a_login(self):
        r, body = self.get()
        self.assertEqual(r.status_code, 200, body)
        self.assertEqual(body["status"], "up")
        self.assertEqual(set(body["checks"]), {"database", "migrations", "worker", "disk"})
        self.assertTrue(all(c["status"] == "up" for c in body["checks"].values()))
        self.assertLess(body["checks"]["worker"]["age_s"], 60)
        self.assertIn("no-store", r["Cache-Control"])

    def test_only_the_exact_path_is_open(self):
        for path in ("/healthz/", "/healthzx", "/healthz/../ledger/"):
            r = self.client.get(path)
            self.assertEqual(r.status_code, 302, path)
            self.assertIn("/accounts/login/", r["Location"])
        self.assertEqual(self.client.post("/healthz").status_code, 405)

    def test_worker_never_started_is_503(self):
        Heartbeat.objects.all().delete()
        r, body = self.get()
        self.assertEqual(r.status_code, 503)
        self.assertEqual(body["status"], "down")
        self.assertEqual(body["checks"]["worker"]["status"], "down")
        self.assertIn("not running", body["checks"]["worker"]["detail"])
        self.assertEqual(body["checks"]["database"]["status"], "up")

    @override_settings(OUTFALL_WORKER_MAX_AGE=120)
    def test_stale_heartbeat_is_503(self):
        Heartbeat.objects.update(time=timezone.now() - dt.timedelta(seconds=121))
        r, body = self.get()
        self.assertEqual(r.status_code, 503)
        self.assertEqual(body["checks"]["worker"]["status"], "down")
        Heartbeat.objects.update(time=timezone.now() - dt.timedelta(seconds=100))
        self.assertEqual(self.get()[0].status_code, 200)

    @override_settings(OUTFALL_HEALTH_MIN_FREE_MB=10**12)
    def test_disk_short_of_space_is_503(self):
        r, body = self.get()
        self.assertEqual(r.status_code, 503)
        self.assertEqual(body["checks"]["disk"]["status"], "down")
        self.assertEqual(body["checks"]["disk"]["min_free_mb"], 10**12)

    def test_unapplied_migration_is_503(self):
        MigrationRecorder(connection).record_unapplied("outfall_site", "0001_heartbeat")
        r, body = self.get()
        self.assertEqual(r.status_code, 503)
        self.assertEqual(body["checks"]["migrations"], {"status": "down", "pending": ["outfall_site.0001_heartbeat"]})

    def test_database_down_is_503_not_500(self):
        with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("server gone")):
            r, body = self.get()
        self.assertEqual(r.status_code, 503)
        self.assertEqual(body["checks"]["database"]["status"], "down")
        self.assertIn("server gone", body["checks"]["database"]["error"])

    def test_registered_checks_take_part(self):
        calls = []

        def queue_check():
            calls.append(1)
            return {"status": "down", "detail": "queue full"}

        with mock.patch.dict(health.CHECKS):
            health.register("queue", queue_check)
            health.register("broken", "outfall.site.health.no_such_check")
            r, body = self.get()
        self.assertEqual(r.status_code, 503)
        self.assertEqual(body["checks"]["queue"], {"status": "down", "detail": "queue full"})
        self.assertEqual(body["checks"]["broken"]["status"], "down")
        self.assertEqual(calls, [1])
        self.assertEqual(self.get()[0].status_code, 200)  # the registry is back as it was


def test_heartbeat_task_is_scheduled_every_minute():
    from huey.contrib.djhuey import HUEY

    for minute in (0, 1, 17, 59):
        due = [t.name for t in HUEY.read_periodic(dt.datetime(2026, 1, 1, 10, minute))]
        assert "heartbeat" in due, due
