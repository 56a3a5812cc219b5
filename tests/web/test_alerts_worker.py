"""Issue #9 leftovers: the alerts check of a large readings file runs on the worker
(``OUTFALL_ALERT_WORKER_ROWS``), a smaller file's and every push's before the call returns."""

from __future__ import annotations

from unittest import mock

from django.test import TestCase, override_settings

from alerts_fixtures import make_section
from factories import make_towns, make_users
from outfall.alerts.models import Alert
from outfall.monitoring.ingest import import_readings, ingest_pushed_readings

TASK = "outfall.alerts.tasks.check_alerts_task"


def _file(code: str, n: int) -> bytes:
    rows = [f"{code},2025-07-01 {h:02d}:00,NH3N,1.8,mg/L" for h in range(n)]  # class III limit 1.0: over
    return ("site_code,time,parameter,value,unit\n" + "\n".join(rows)).encode()


@override_settings(OUTFALL_ALERT_WORKER_ROWS=4)
class WorkerCheckTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        town, other = make_towns()
        cls.admin = make_users(town, other)["admin"]
        cls.s = make_section(town=town)

    def _import(self, n: int):
        with self.captureOnCommitCallbacks(execute=True):
            return import_readings(_file(self.s.code, n), actor=self.admin, name="r.csv")

    def test_a_file_at_the_limit_is_queued_and_the_task_raises_its_alerts(self):
        from outfall.alerts.tasks import check_alerts_task

        with mock.patch(TASK) as task:
            self._import(4)
        self.assertFalse(Alert.objects.exists())  # the import returned before any check
        (args,) = [c.args for c in task.call_args_list]
        self.assertEqual((args[0], args[1], args[3]), ([self.s.pk], [], self.admin.pk))
        self.assertEqual(args[2], "2025-07-01T00:00:00+08:00")
        check_alerts_task.call_local(*args)  # what the worker runs
        self.assertEqual(Alert.objects.get(rule="exceedance").readings_count, 4)

    def test_through_the_queue(self):
        """The tests' queue runs a task at once (huey's immediate mode): arguments survive it."""
        self._import(5)
        self.assertTrue(Alert.objects.filter(section=self.s, rule="exceedance").exists())

    def test_a_smaller_file_is_checked_before_the_import_returns(self):
        with mock.patch(TASK) as task:
            self._import(3)
        task.assert_not_called()
        self.assertTrue(Alert.objects.filter(section=self.s, rule="exceedance").exists())

    def test_a_push_is_checked_before_the_response_whatever_its_size(self):
        items = [{"site_code": self.s.code, "time": f"2025-07-01T{h:02d}:00+08:00", "parameter": "NH3N",
                  "value": "1.8", "unit": "mg/L"} for h in range(6)]
        with mock.patch(TASK) as task, self.captureOnCommitCallbacks(execute=True):
            ingest_pushed_readings(items, actor=self.admin)
        task.assert_not_called()
        self.assertTrue(Alert.objects.filter(section=self.s, rule="exceedance").exists())

    def test_a_queue_that_is_down_does_not_lose_the_check(self):
        with mock.patch(TASK, side_effect=ConnectionError("redis down")), self.assertLogs("outfall.alerts", "ERROR"):
            self._import(4)
        self.assertTrue(Alert.objects.filter(section=self.s, rule="exceedance").exists())

    @override_settings(OUTFALL_ALERT_WORKER_ROWS=0)
    def test_zero_always_checks_inline(self):
        with mock.patch(TASK) as task:
            self._import(6)
        task.assert_not_called()
        self.assertTrue(Alert.objects.filter(section=self.s, rule="exceedance").exists())
