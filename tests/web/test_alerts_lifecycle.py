"""Issue #9: the lifecycle (illegal steps refused with a clear message) and who may act, for every
role, through the services, the pages and the API."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.test import TestCase
from rest_framework.authtoken.models import Token

from alerts_fixtures import make_section
from factories import make_towns, make_users
from outfall.alerts import lifecycle
from outfall.alerts.models import Alert
from outfall.core.errors import InputError, PermissionDeniedError

#: role → may act on an alert of town A
MAY_ACT = {"admin": True, "bureau": True, "town_a": True, "town_b": False, "inspector": False, "viewer": False}


def make_alert(section, town, t=dt.datetime(2025, 7, 1, tzinfo=dt.UTC)):
    return Alert.objects.create(site_kind="section", section=section, site_code=section.code, parameter="NH3N",
                                rule="exceedance", severity="medium", opened_at=t, last_time=t, value=2.0, limit=1.0,
                                peak=2.0, rules_version=1, explanation_zh="氨氮超标", explanation_en="over", town=town,
                                episode_open=False)


class LifecycleTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a, cls.b = make_towns()
        cls.users = make_users(cls.a, cls.b)
        cls.section = make_section(town=cls.a)

    def setUp(self):
        self.alert = make_alert(self.section, self.a)

    def test_path_and_steps(self):
        admin = self.users["admin"]
        lifecycle.acknowledge_alert(self.alert, actor=admin, note="收到")
        lifecycle.start_tracing(self.alert, actor=admin)
        lifecycle.confirm_alert(self.alert, actor=admin)
        lifecycle.close_alert(self.alert, actor=admin)
        self.alert.refresh_from_db()
        self.assertEqual(self.alert.state, "closed")
        self.assertEqual([(s.from_state, s.to_state) for s in self.alert.steps.all()],
                         [("new", "acknowledged"), ("acknowledged", "tracing"), ("tracing", "confirmed"),
                          ("confirmed", "closed")])

    def test_illegal_transition_refused_clearly(self):
        admin = self.users["admin"]
        lifecycle.start_tracing(self.alert, actor=admin)
        with self.assertRaises(InputError) as cm:
            lifecycle.close_alert(self.alert, actor=admin)
        self.assertIn("不能改为「已关闭」", cm.exception.user_message)
        self.assertIn("属实", cm.exception.user_message)  # what it may become instead
        lifecycle.mark_not_genuine(self.alert, actor=admin, reason="仪器漂移")
        lifecycle.close_alert(self.alert, actor=admin)
        with self.assertRaises(InputError):
            lifecycle.acknowledge_alert(self.alert, actor=admin)
        self.assertEqual(Alert.objects.get(pk=self.alert.pk).state, "closed")

    def test_not_genuine_needs_reason(self):
        with self.assertRaises(InputError):
            lifecycle.mark_not_genuine(self.alert, actor=self.users["admin"], reason="  ")
        self.assertEqual(Alert.objects.get(pk=self.alert.pk).state, "new")

    def test_every_role_services(self):
        for role, allowed in MAY_ACT.items():
            alert = make_alert(self.section, self.a, dt.datetime(2025, 8, 1, tzinfo=dt.UTC) + dt.timedelta(
                hours=list(MAY_ACT).index(role)))
            with self.subTest(role=role):
                if allowed:
                    lifecycle.acknowledge_alert(alert, actor=self.users[role])
                    self.assertEqual(Alert.objects.get(pk=alert.pk).state, "acknowledged")
                else:
                    with self.assertRaises(PermissionDeniedError):
                        lifecycle.acknowledge_alert(alert, actor=self.users[role])
                    self.assertEqual(Alert.objects.get(pk=alert.pk).state, "new")

    def test_every_role_pages_and_api(self):
        for role, allowed in MAY_ACT.items():
            alert = make_alert(self.section, self.a, dt.datetime(2025, 9, 1, tzinfo=dt.UTC) + dt.timedelta(
                hours=list(MAY_ACT).index(role)))
            with self.subTest(role=role):
                self.client.force_login(get_user_model().objects.get(username=role))
                self.assertEqual(self.client.get("/alerts/").status_code, 200)
                page = self.client.get(f"/alerts/{alert.pk}/")
                self.assertEqual(page.status_code, 200)
                self.assertEqual('name="to" value="acknowledged"' in page.content.decode(), allowed)
                r = self.client.post(f"/alerts/{alert.pk}/act/", {"to": "acknowledged", "note": "x"})
                self.assertEqual(r.status_code, 302 if allowed else 403)
                self.assertEqual(Alert.objects.get(pk=alert.pk).state, "acknowledged" if allowed else "new")
                token = Token.objects.get_or_create(user=self.users[role])[0]
                auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
                self.assertEqual(self.client.get(f"/api/alerts/{alert.pk}/", **auth).status_code, 200)
                r = self.client.post(f"/api/alerts/{alert.pk}/trace/", {"note": "查"}, content_type="application/json",
                                     **auth)
                self.assertEqual(r.status_code, 200 if allowed else 403, r.content)
                r = self.client.post(f"/api/alerts/{alert.pk}/not-genuine/", {}, content_type="application/json",
                                     **auth)  # no reason: 400 for who may act, 403 before that for the others
                self.assertEqual(r.status_code, 400 if allowed else 403, r.content)
                self.client.logout()

    def test_api_illegal_step_is_400(self):
        token = Token.objects.create(user=self.users["bureau"])
        r = self.client.post(f"/api/alerts/{self.alert.pk}/confirm/", {}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        self.assertEqual(r.status_code, 400)
        self.assertIn("不能改为", r.content.decode())

    def test_assign_only_to_who_may_act(self):
        with self.assertRaises(InputError):
            lifecycle.assign_alert(self.alert, self.users["town_b"], actor=self.users["admin"])
        lifecycle.assign_alert(self.alert, self.users["town_a"], actor=self.users["admin"])
        self.assertEqual(Alert.objects.get(pk=self.alert.pk).assignee, self.users["town_a"])

    def test_escalation(self):
        self.users["bureau"].email = "bureau@example.org"
        self.users["bureau"].save()
        self.assertEqual(lifecycle.escalate_overdue_alerts(dt.datetime.now(dt.UTC)), [])
        from django.core import mail
        from huey.contrib.djhuey import HUEY

        self.addCleanup(setattr, HUEY, "immediate", HUEY.immediate)
        HUEY.immediate = True
        with self.captureOnCommitCallbacks(execute=True):
            due = lifecycle.escalate_overdue_alerts(dt.datetime.now(dt.UTC) + dt.timedelta(hours=3))
        self.assertEqual([a.pk for a in due], [self.alert.pk])
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("bureau@example.org", mail.outbox[0].to)
        self.assertIn("氨氮超标", mail.outbox[0].body)
        self.assertIn("升级", self.alert.steps.last().note)
        self.assertIsNotNone(Alert.objects.get(pk=self.alert.pk).escalated_at)
        self.assertEqual(lifecycle.escalate_overdue_alerts(dt.datetime.now(dt.UTC) + dt.timedelta(hours=4)), [])
        self.assertIn("bureau@example.org", lifecycle.escalation_recipients())


class ListFilterTest(TestCase):
    def test_filters_page_and_api(self):
        a, b = make_towns()
        users = make_users(a, b)
        s1 = make_section("370285S11", town=a, river="大沽河")
        s2 = make_section("370285S12", town=b, river="小沽河")
        x = make_alert(s1, a)
        y = make_alert(s2, b)
        Alert.objects.filter(pk=y.pk).update(state="tracing", rule="jump", severity="low")
        self.client.force_login(users["viewer"])
        token = Token.objects.create(user=users["viewer"])

        def ids(query):
            page = self.client.get(f"/alerts/?{query}").content.decode()
            api = self.client.get(f"/api/alerts/?{query}", HTTP_AUTHORIZATION=f"Token {token.key}").json()
            rows = api["results"] if isinstance(api, dict) else api
            got = {r["id"] for r in rows}
            self.assertEqual({p for p in (x.pk, y.pk) if f'href="/alerts/{p}/"' in page}, got)
            return got

        self.assertEqual(ids(""), {x.pk, y.pk})
        self.assertEqual(ids("state=tracing"), {y.pk})
        self.assertEqual(ids(f"town={a.pk}"), {x.pk})
        self.assertEqual(ids("river=小沽河"), {y.pk})
        self.assertEqual(ids("rule=exceedance"), {x.pk})
        self.assertEqual(ids("severity=low"), {y.pk})
