"""The demo year of cases, and ``cases.reporting.summary`` on it against counts made independently with
plain ORM queries (issue #13 "Done when": the dashboard's rates equal counts computed independently)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.test import TestCase

from outfall.accounts.models import Town
from outfall.cases.models import Campaign, Case
from outfall.cases.reporting import summary
from outfall.core.enums import CaseSource, CaseState
from outfall.history.models import ChangeRecord

START, END = dt.date(2025, 1, 1), dt.date(2026, 1, 1)


class CasesDemoTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        from outfall.demo import cases, ledger

        out = io.StringIO()
        ledger.load(stdout=out)
        cases.load(stdout=out)
        cls.output = out.getvalue()
        cls.admin = get_user_model().objects.get(username="admin")

    def test_a_realistic_year_with_every_state_and_some_overdue(self):
        self.assertIn("演示案件", self.output)
        central = Case.objects.filter(source=CaseSource.CENTRAL_INSPECTION)
        self.assertEqual((central.count(), central.filter(state="closed").count()), (101, 100))
        self.assertEqual(set(Case.objects.values_list("state", flat=True)), {s.value for s in CaseState})
        self.assertEqual(set(Case.objects.filter(source="complaint").values_list("channel", flat=True)),
                         {"12345", "12369", "letter", "visit", "other"})
        self.assertTrue(Case.objects.filter(state__in=["intake", "assigned", "handling"],
                                            deadline__lt=dt.date(2025, 12, 31)).exists())
        self.assertEqual(Campaign.objects.get(name="2025年入河排污口专项执法检查").cases.count(), 35)
        ct = ContentType.objects.get_for_model(Case)
        closed = Case.objects.filter(state="closed").values_list("pk", flat=True)
        steps = ChangeRecord.objects.filter(target_type=ct, target_id__in=[str(p) for p in closed]).count()
        self.assertEqual(steps, 5 * len(closed))  # intake, assigned, handling, replied, closed: each in history

    def test_a_second_load_changes_nothing(self):
        from outfall.demo import cases

        before = Case.objects.count()
        out = io.StringIO()
        cases.load(stdout=out)
        self.assertEqual(Case.objects.count(), before)
        self.assertIn("跳过", out.getvalue())

    def assert_summary_matches_orm(self, *, user, town_id):
        part = summary(user=user, town_id=town_id, start=START, end=END)
        qs = Case.objects.filter(intake_date__gte=START, intake_date__lt=END)
        if town_id is not None:
            qs = Case.objects.filter(pk__in=qs.filter(Q(assigned_town_id=town_id) | Q(towns__id=town_id)).values("pk"))
        expected = []
        for s in CaseSource:
            n = qs.filter(source=s.value).count()
            if n:
                expected.append((s.label, qs.filter(source=s.value, state="closed").count(), n))
                if s == CaseSource.COMPLAINT:
                    expected.append((s.label, qs.filter(source=s.value, state__in=["replied", "closed"]).count(), n))
        self.assertEqual([(r.label, r.done, r.total) for r in part.rates], expected)
        campaigns = (qs.filter(source="campaign").values("campaign__name")
                     .annotate(n=Count("id"), done=Count("id", filter=Q(state="closed"))).order_by("campaign__name"))
        self.assertEqual(part.tables[0].rows, [[c["campaign__name"], c["n"], c["done"], c["n"] - c["done"]]
                                               for c in campaigns])
        as_of = dt.date(2025, 12, 31)
        late = (qs.filter(deadline__lt=as_of).exclude(Q(replied_on__lte=as_of) | Q(closed_on__lte=as_of))
                .values("source").annotate(n=Count("id")))
        late = {r["source"]: r["n"] for r in late}
        self.assertEqual({row[0]: row[3] for row in part.tables[1].rows},
                         {CaseSource(s).label: late.get(s, 0) for s in qs.values_list("source", flat=True).distinct()})
        intake = dict(qs.annotate(m=TruncMonth("intake_date")).values("m").annotate(n=Count("id"))
                      .values_list("m", "n"))
        closed_qs = Case.objects.filter(closed_on__gte=START, closed_on__lt=END)
        if town_id is not None:
            closed_qs = Case.objects.filter(pk__in=closed_qs.filter(Q(assigned_town_id=town_id) | Q(towns__id=town_id))
                                            .values("pk"))
        closed = dict(closed_qs.annotate(m=TruncMonth("closed_on")).values("m").annotate(n=Count("id"))
                      .values_list("m", "n"))
        series = part.series[0]
        self.assertEqual(series.x, [f"2025-{m:02d}" for m in range(1, 13)])
        self.assertEqual(series.y["受理"], [float(intake.get(dt.date(2025, m, 1), 0)) for m in range(1, 13)])
        self.assertEqual(series.y["办结"], [float(closed.get(dt.date(2025, m, 1), 0)) for m in range(1, 13)])
        return part

    def test_the_summary_equals_counts_made_with_the_orm(self):
        part = self.assert_summary_matches_orm(user=self.admin, town_id=None)
        self.assertEqual(part.key, "cases")
        self.assertEqual(part.rates[0].text(), "100/101 已整改 (99.0%)")  # the seed's own form

    def test_the_summary_of_one_town_and_of_a_town_account(self):
        town = Town.objects.get(name="水集街道")
        self.assert_summary_matches_orm(user=self.admin, town_id=town.pk)
        staff = get_user_model().objects.get(username="shuiji")
        mine = summary(user=staff, town_id=None, start=START, end=END)
        whole = summary(user=self.admin, town_id=town.pk, start=START, end=END)
        self.assertEqual(mine.rates, whole.rates)  # town staff count only what they may see: their town
