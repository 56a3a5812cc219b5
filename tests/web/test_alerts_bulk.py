"""Issue #9 leftovers: check_alerts writes its alerts in bulk — the statements do not grow with the
number of alerts, every created alert has its first step and a history record, every changed one an
update record, and an incremental check that closes one episode and opens the next of the same series
stores both (the close is written before the insert, or the one-open-episode constraint refuses it)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from alerts_fixtures import T0, add_readings, make_section
from factories import make_towns
from outfall.alerts.checking import check_alerts
from outfall.alerts.models import Alert, AlertStep
from outfall.history.models import ChangeRecord

QUIET = [0.5] * 8  # more than the default grace (6) of readings under the limit: episodes stay apart


def _episodes(n: int) -> list[float]:
    """13 readings under NH3N's class III limit (1.0 mg/L), then n spells of two over, each followed by 8 under."""
    return [0.5] * 13 + ([1.4, 1.5] + QUIET) * n


def _inserts(queries, table: str) -> int:
    """INSERT statements into ``table`` (an executemany counts once, logged as "N times: INSERT …")."""
    return sum(1 for q in queries if re.match(r"\s*(\d+ times: )?INSERT INTO \"?" + table, q["sql"], re.I))


class BulkTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, _ = make_towns()

    def _count(self, code: str, n: int):
        s = make_section(code, town=self.town)
        add_readings(s, _episodes(n))
        with CaptureQueriesContext(connection) as ctx:
            touched = check_alerts(sections=[s.pk], which=["exceedance"])
        self.assertEqual(len(touched), n)
        return ctx.captured_queries

    def test_statements_do_not_grow_with_the_alerts(self):
        """2 alerts and 40: the same statements, but for the INSERT of the alerts, which SQLite
        splits at 999 parameters (about 30 alert rows) and PostgreSQL does not."""
        few, many = self._count("370285S11", 2), self._count("370285S12", 40)
        self.assertLessEqual(len(many), len(few) + 1, "\n".join(q["sql"][:120] for q in many))
        self.assertLessEqual(_inserts(many, "alerts_alert\\b"), 2)
        for table in ("alerts_alertstep", "history_changerecord"):
            self.assertEqual(_inserts(many, table), 1, table)

    def test_every_new_alert_has_its_step_and_history(self):
        s = make_section("370285S13", town=self.town)
        add_readings(s, _episodes(5))
        touched = check_alerts(sections=[s.pk], which=["exceedance"])
        ids = {str(t.alert.pk) for t in touched}
        self.assertEqual(len(ids), 5)
        self.assertTrue(all(t.new for t in touched))
        self.assertEqual(set(AlertStep.objects.filter(alert__section=s, from_state="", to_state="new")
                             .values_list("alert_id", flat=True)), {int(i) for i in ids})
        created = ChangeRecord.objects.filter(action="create", target_type__model="alert", target_id__in=ids)
        self.assertEqual(created.count(), 5)
        self.assertEqual(len({r.batch_id for r in created}), 1)  # one check, one batch
        self.assertTrue(all(r.after["episode_open"] is False and r.after["readings_count"] == 2 for r in created))

    def test_close_and_reopen_in_one_incremental_check(self):
        s = make_section("370285S14", town=self.town)
        add_readings(s, [0.5] * 13 + [1.4, 1.5])  # an episode still open at the last reading
        (first,) = check_alerts(sections=[s.pk], which=["exceedance"])
        self.assertTrue(first.alert.episode_open)
        later = T0 + dt.timedelta(hours=4 * 15)
        add_readings(s, QUIET + [1.6, 1.7], start=later)  # it recovers, and a new one opens
        touched = check_alerts(sections=[s.pk], since=later, which=["exceedance"])
        self.assertEqual([t.new for t in touched], [False, True])
        old, new = (Alert.objects.get(pk=t.alert.pk) for t in touched)
        self.assertEqual(old.pk, first.alert.pk)
        self.assertEqual((old.episode_open, old.recovered_at), (False, later))
        self.assertEqual((new.episode_open, new.value, new.readings_count), (True, 1.7, 2))
        update = ChangeRecord.objects.get(action="update", target_type__model="alert", target_id=str(old.pk))
        self.assertEqual((update.before["episode_open"], update.after["episode_open"]), (True, False))

    def test_an_unchanged_recheck_writes_nothing(self):
        s = make_section("370285S15", town=self.town)
        add_readings(s, _episodes(3) + [1.4])
        check_alerts(sections=[s.pk], which=["exceedance"])
        with CaptureQueriesContext(connection) as ctx:
            again = check_alerts(sections=[s.pk], which=["exceedance"])
        self.assertEqual((len(again), sum(t.new for t in again)), (4, 0))
        writes = [q for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
        self.assertEqual(writes, [])
