"""The demo's remediation tasks (issue #13 "Done when": the demo holds tasks in every state): every
state and measure, overdue and due-soon tasks, the two effect-check stories, a second load changes
nothing, and the remediation part of the dashboard equals counts made with plain ORM queries."""

from __future__ import annotations

import datetime as dt
import io
import tempfile

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings
from django.utils import timezone

from outfall.remediation import reporting, selectors
from outfall.remediation.models import Evidence, RemediationTask

MEDIA = tempfile.mkdtemp()


@override_settings(MEDIA_ROOT=MEDIA)
class DemoRemediationTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from outfall.demo import ledger, monitoring, remediation, rivers

        out = io.StringIO()
        with override_settings(MEDIA_ROOT=MEDIA):
            for step in (ledger, rivers, monitoring, remediation):
                step.load(stdout=out)
        cls.output = out.getvalue()
        cls.admin = get_user_model().objects.get(username="admin")

    def test_every_state_and_measure_with_evidence(self):
        tasks = RemediationTask.objects.all()
        self.assertGreaterEqual(tasks.count(), 35)
        self.assertEqual(set(tasks.values_list("state", flat=True)),
                         {"planned", "in_progress", "close_requested", "signed_off"})
        self.assertEqual(set(tasks.values_list("measure", flat=True)), {"ban", "merge", "standardize"})
        self.assertTrue(tasks.filter(updates__kind="reopen").exists())
        for t in tasks.filter(state="signed_off"):
            self.assertTrue(Evidence.objects.filter(update__task=t).exists())
            want = {"ban": "banned", "merge": "merged", "standardize": "remediated"}[t.measure]
            self.assertEqual(t.outfall.status, want)
        for t in tasks.filter(state="signed_off", measure="merge"):
            self.assertEqual(t.outfall.merged_into_id, t.merge_into_id)
        self.assertTrue(selectors.due_filter(tasks, "overdue").exists())
        self.assertTrue(selectors.due_filter(tasks, "due_soon").exists())

    def test_the_effect_stories(self):
        from outfall.demo.remediation import IMPROVED, NOT_IMPROVED

        verdicts = {}
        for t in RemediationTask.objects.filter(signed_off_at__in=[IMPROVED[1], NOT_IMPROVED[1]]):
            verdicts[t.signed_off_at] = selectors.effect_of(t)[2].verdict
        self.assertEqual(verdicts, {IMPROVED[1]: "improved", NOT_IMPROVED[1]: "not_improved"})
        # the page says when the section upstream (a control) improved as much
        task = RemediationTask.objects.get(signed_off_at=IMPROVED[1])
        control = selectors.control_of(task)
        self.client.force_login(self.admin)
        page = self.client.get(f"/remediation/{task.pk}/").content.decode()
        # in the demo year the spring-to-summer fall of ammonia is the season's: 马连庄 upstream fell too
        self.assertEqual((control[0].code, control[2].verdict), ("370285S01", "improved"))
        self.assertIn("季节或流量", page)

    def test_loading_again_changes_nothing(self):
        from outfall.demo import remediation

        n = RemediationTask.objects.count()
        out = io.StringIO()
        remediation.load(stdout=out)
        self.assertEqual(RemediationTask.objects.count(), n)
        self.assertIn("跳过", out.getvalue())

    def test_summary_equals_plain_counts(self):
        start, end = dt.date(2025, 1, 1), timezone.localdate() + dt.timedelta(days=1)
        part = reporting.summary(user=self.admin, town_id=None, start=start, end=end)
        rates = {r.label: (r.done, r.total) for r in part.rates}
        qs = RemediationTask.objects.filter(start_date__lt=end)
        signed = qs.filter(state="signed_off")
        self.assertEqual(rates["整治任务"], (signed.count(), qs.count()))
        for label, m in (("依法取缔", "ban"), ("清理合并", "merge"), ("规范整治", "standardize")):
            self.assertEqual(rates[label], (signed.filter(measure=m).count(), qs.filter(measure=m).count()))
        today = timezone.localdate()
        overdue = qs.filter(state__in=["planned", "in_progress"], deadline__lt=today).count()
        self.assertEqual(rates["逾期未完成"][0], overdue)
        by_town = {row[0]: row[1:] for row in part.tables[0].rows}
        for town in {t.outfall.town.name for t in qs.select_related("outfall__town")}:
            mine = qs.filter(outfall__town__name=town)
            self.assertEqual(by_town[town], [mine.count(), mine.filter(state="signed_off").count(),
                                             mine.exclude(state="signed_off").count(),
                                             mine.filter(state__in=["planned", "in_progress"],
                                                         deadline__lt=today).count()])
        self.assertEqual(sum(part.series[0].y["已销号"]), signed.count())
        self.assertEqual(len(part.tables[1].rows), 1)  # the not-improved story
        # one town's own view
        shuiji = get_user_model().objects.get(username="shuiji")
        mine = reporting.summary(user=shuiji, town_id=None, start=start, end=end)
        own = qs.filter(outfall__town_id=shuiji.town_id)
        self.assertEqual({r.label: r.total for r in mine.rates}["整治任务"], own.count())
