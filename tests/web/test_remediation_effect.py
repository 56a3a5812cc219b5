"""Remediation (issue #13 parts 2 and 4): the effect check on the receiving section, the "signed off but
the river did not improve" list, the due-soon/overdue push through the alert channels (once each),
and the remediation part of the dashboard and the monthly report."""

from __future__ import annotations

import datetime as dt
import tempfile
from unittest import mock

from django.core import mail
from django.test import TestCase, override_settings
from django.utils import timezone

from factories import make_towns, make_users
from outfall.alerts import services as alert_services
from outfall.remediation import reporting, selectors, services
from outfall.remediation.models import RemediationTask, Reminder
from outfall.remediation.reminders import send_due_reminders
from remediation_fixtures import add_readings, build, png, task_data

MEDIA = tempfile.mkdtemp()
STARTED = dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)
SIGNED = dt.datetime(2025, 7, 15, 9, tzinfo=dt.UTC)


def run_through(task, actor, *, started=STARTED, signed=SIGNED):
    task = services.start_task(task, actor=actor, at=started)
    services.add_progress(task, "完成", [png()], actor=actor, at=started + dt.timedelta(days=10))
    task = services.request_close(task, actor=actor, at=signed - dt.timedelta(days=2))
    return services.sign_off_task(task, actor=actor, at=signed)


@override_settings(MEDIA_ROOT=MEDIA)
class EffectTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, cls.other = make_towns()
        cls.u = make_users(cls.town, cls.other)
        cls.w = build(cls.town, cls.other, cls.u["admin"])
        b = cls.u["bureau"]
        # S1 (below P1): from about 2 mg/L to 0.5 → improved; SM (below P2 and P3): no change → not improved
        add_readings(cls.w["S1"], STARTED - dt.timedelta(days=84), [2.1, 1.9, 2.4, 2.0, 2.2, 1.8, 2.3, 2.0])
        add_readings(cls.w["S1"], SIGNED + dt.timedelta(days=3), [0.6, 0.5, 0.7, 0.4, 0.5, 0.6])
        add_readings(cls.w["SM"], STARTED - dt.timedelta(days=84), [1.0, 1.2, 0.9, 1.1, 1.0, 1.05])
        add_readings(cls.w["SM"], SIGNED + dt.timedelta(days=3), [1.1, 1.0, 1.3, 0.9, 1.2, 1.0])
        start, deadline = dt.date(2025, 5, 20), dt.date(2025, 8, 31)
        cls.t1 = run_through(services.create_task(cls.w["P1"], task_data(start_date=start, deadline=deadline), actor=b), b)
        cls.t3 = run_through(services.create_task(cls.w["P3"], task_data(start_date=start, deadline=deadline,
                                                                          measure="ban"), actor=b), b)
        # P2 (town B): signed off without readings after it → not enough data
        cls.t2 = run_through(services.create_task(cls.w["P2"], task_data(start_date=start, deadline=deadline), actor=b),
                             b, signed=dt.datetime(2025, 12, 30, tzinfo=dt.UTC))

    def test_the_first_section_downstream(self):
        self.assertEqual(selectors.downstream_section(self.w["P1"])[0].code, "RSS1")
        self.assertEqual(selectors.downstream_section(self.w["P2"])[0].code, "RSSM")
        self.assertEqual(selectors.downstream_section(self.w["P3"])[0].code, "RSSM")

    def test_improved_not_improved_not_enough_data(self):
        s, _km, r1 = selectors.effect_of(self.t1)
        self.assertEqual((s.code, r1.verdict, r1.n_before, r1.n_after), ("RSS1", "improved", 8, 6))
        self.assertLess(r1.p_value, 0.05)
        self.assertEqual(r1.median_after, 0.55)
        _s, _km, r3 = selectors.effect_of(self.t3)
        self.assertEqual(r3.verdict, "not_improved")
        _s, _km, r2 = selectors.effect_of(self.t2)
        self.assertEqual(r2.verdict, "not_enough_data")
        self.assertEqual([t.pk for t, _s, _r in selectors.not_improved(RemediationTask.objects.all())], [self.t3.pk])

    def test_the_upstream_control(self):
        """P3's river (SM) did not improve while S1 upstream of it did; P1 has no section upstream."""
        section, _km, result = selectors.control_of(self.t3)
        self.assertEqual((section.code, result.verdict), ("RSS1", "improved"))
        self.assertIsNone(selectors.control_of(self.t1))
        self.client.force_login(self.u["bureau"])
        self.assertIn("同期也改善", self.client.get(f"/remediation/{self.t3.pk}/").content.decode())
        api = self.client.get(f"/api/remediation-tasks/{self.t3.pk}/").json()["effect"]
        self.assertEqual((api["control"]["section"], api["control"]["result"]["verdict"]), ("RSS1", "improved"))

    def test_the_task_page_shows_the_check(self):
        self.client.force_login(self.u["viewer"])
        page = self.client.get(f"/remediation/{self.t1.pk}/").content.decode()
        self.assertIn("已改善", page)
        self.assertIn("Mann", page)
        self.assertIn("未改善", self.client.get(f"/remediation/{self.t3.pk}/").content.decode())
        # windows are arguments: 10 days before the start hold no S1 reading (they are 84…35 days before)
        narrow = self.client.get(f"/remediation/{self.t1.pk}/?before_days=10")
        self.assertEqual(narrow.context["effect"].verdict, "not_enough_data")
        api = self.client.get(f"/api/remediation-tasks/{self.t1.pk}/?before_days=10&after_days=400").json()
        self.assertEqual((api["effect"]["result"]["verdict"], api["effect"]["result"]["n_before"]), ("not_enough_data", 0))
        self.assertEqual(self.client.get(f"/remediation/{self.t1.pk}/?before_days=x").context["effect"].verdict,
                         "improved")  # a bad value falls back to 90

    def test_summary(self):
        part = reporting.summary(user=self.u["admin"], town_id=None, start=dt.date(2025, 1, 1), end=dt.date(2026, 1, 1))
        self.assertEqual(part.key, "remediation")
        rates = {r.label: (r.done, r.total) for r in part.rates}
        self.assertEqual(rates["整治任务"], (3, 3))
        self.assertEqual(rates["依法取缔"], (1, 1))
        self.assertEqual(rates["规范整治"], (2, 2))
        self.assertEqual(rates["清理合并"], (0, 0))
        self.assertEqual(part.tables[1].rows[0][0].split()[0], self.w["P3"].code)
        self.assertEqual(part.series[0].y["已销号"][6], 2.0)  # July
        self.assertEqual(part.series[0].y["已销号"][11], 1.0)  # December
        town_a = reporting.summary(user=self.u["town_a"], town_id=None, start=dt.date(2025, 1, 1),
                                   end=dt.date(2025, 12, 1))
        self.assertEqual({r.label: r.total for r in town_a.rates}["整治任务"], 2)
        before = reporting.summary(user=self.u["admin"], town_id=None, start=dt.date(2025, 1, 1),
                                   end=dt.date(2025, 7, 1))
        self.assertEqual({r.label: (r.done, r.total) for r in before.rates}["整治任务"], (0, 3))
        b_only = reporting.summary(user=self.u["admin"], town_id=self.other.pk, start=dt.date(2025, 1, 1),
                                   end=dt.date(2026, 1, 1))
        self.assertEqual(b_only.tables[0].rows, [[self.other.name, 1, 1, 0, 0]])


@override_settings(MEDIA_ROOT=MEDIA, OUTFALL_REMEDIATION_DUE_SOON_DAYS=7)
class PushTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, cls.other = make_towns()
        cls.u = make_users(cls.town, cls.other)
        cls.w = build(cls.town, cls.other, cls.u["admin"])
        cls.ch = ch = alert_services.add_channel({"name": "整治群", "kind": "email", "recipients": "hb@example.org"},
                                                 actor=cls.u["admin"])
        alert_services.add_subscription(ch, actor=cls.u["admin"])
        other = alert_services.add_channel({"name": "姜山镇", "kind": "email", "recipients": "js@example.org"},
                                           actor=cls.u["admin"])
        alert_services.add_subscription(other, actor=cls.u["admin"], town=cls.other)

    def test_due_soon_then_overdue_each_once(self):
        today = timezone.localdate()
        t = services.create_task(self.w["P1"], task_data(start_date=today, deadline=today + dt.timedelta(days=10)),
                                 actor=self.u["bureau"])
        self.assertEqual(send_due_reminders(on=today), [])
        sent = send_due_reminders(on=today + dt.timedelta(days=4))
        self.assertEqual([(r.task_id, r.kind, r.channels) for r in sent], [(t.pk, "due_soon", 1)])
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("即将到期", mail.outbox[0].subject)
        self.assertEqual(mail.outbox[0].to, ["hb@example.org"])  # not the other town's channel
        self.assertEqual(send_due_reminders(on=today + dt.timedelta(days=5)), [])  # never twice
        services.start_task(t, actor=self.u["town_a"])
        sent = send_due_reminders(on=today + dt.timedelta(days=11))
        self.assertEqual([r.kind for r in sent], ["overdue"])
        self.assertIn("已逾期 1 天", mail.outbox[1].body)
        self.assertEqual(send_due_reminders(on=today + dt.timedelta(days=12)), [])
        self.assertEqual(len(mail.outbox), 2)
        # a new deadline may be reminded of again; a requested close-out is not reminded
        services.update_task(t, {**task_data(start_date=today), "deadline": today + dt.timedelta(days=15)},
                             actor=self.u["bureau"])
        self.assertEqual([r.kind for r in send_due_reminders(on=today + dt.timedelta(days=12))], ["due_soon"])
        services.request_close(t, actor=self.u["town_a"])
        self.assertEqual(send_due_reminders(on=today + dt.timedelta(days=30)), [])
        self.assertEqual(Reminder.objects.count(), 3)
        self.client.force_login(self.u["town_a"])
        page = self.client.get(f"/remediation/{t.pk}/").content.decode()
        self.assertIn("到期提醒", page)
        section = page[page.index('id="reminders"'):page.index('id="history"')]
        self.assertEqual((section.count("<li>"), section.count("已逾期"), section.count("即将到期")), (3, 1, 2))

    def test_the_worker_job_runs_it(self):
        from outfall.remediation.tasks import remediation_reminders_task

        today = timezone.localdate()
        services.create_task(self.w["P2"], task_data(start_date=today - dt.timedelta(days=20),
                                                     deadline=today - dt.timedelta(days=1)), actor=self.u["bureau"])
        remediation_reminders_task.call_local()
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["hb@example.org", "js@example.org"])
        remediation_reminders_task.call_local()
        self.assertEqual(len(mail.outbox), 2)

    # a channel that fails a reminder gets it again from the worker, with back-off

    def _overdue(self):
        today = timezone.localdate()
        return services.create_task(self.w["P1"], task_data(start_date=today - dt.timedelta(days=20),
                                                            deadline=today - dt.timedelta(days=1)),
                                    actor=self.u["bureau"])

    def _flaky(self, failures: int):
        from outfall.alerts.channels import ChannelError

        calls = []

        def sender(channel, msg):
            calls.append(msg["title"])
            if len(calls) <= failures:
                raise ChannelError("smtp down")

        return calls, mock.patch("outfall.remediation.reminders.load_channel", return_value=sender)

    def test_a_failed_channel_is_sent_again_by_the_worker(self):
        self._overdue()
        calls, patch = self._flaky(1)
        with patch, self.assertLogs("outfall.remediation", "WARNING"):
            (row,) = send_due_reminders()
        self.assertEqual(len(calls), 2)  # the tests' queue runs the retry at once
        self.assertEqual(calls[0], calls[1])
        row.refresh_from_db()
        self.assertEqual((row.channels, row.failed), (1, 0))

    def test_a_channel_that_keeps_failing_stays_counted_and_the_retry_raises(self):
        from outfall.alerts.channels import ChannelError
        from outfall.remediation.reminders import resend

        t = self._overdue()
        calls, patch = self._flaky(99)
        with patch, self.assertLogs("outfall.remediation", "WARNING"):
            (row,) = send_due_reminders()
            row.refresh_from_db()
            self.assertEqual(row.failed, 1)
            with self.assertRaises(ChannelError):  # what makes huey try again later
                resend(row.pk, self.ch.pk, timezone.localdate())
            services.start_task(t, actor=self.u["town_a"])
            services.request_close(t, actor=self.u["town_a"])
            n = len(calls)
            self.assertFalse(resend(row.pk, self.ch.pk, timezone.localdate()))  # closed meanwhile: not retried
            self.assertEqual(len(calls), n)
        row.refresh_from_db()
        self.assertEqual(row.failed, 1)
