"""Remediation tasks (issue #13 part 2): every step through the services, the pages and the API, every
refusal, the outfall's status following its task, and history."""

from __future__ import annotations

import datetime as dt
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from rest_framework.authtoken.models import Token

from factories import make_towns, make_users
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.history.models import ChangeRecord
from outfall.ledger.models import Outfall
from outfall.remediation import services
from outfall.remediation.models import Evidence, RemediationTask
from remediation_fixtures import build, pdf, png, task_data

MEDIA = tempfile.mkdtemp()


@override_settings(MEDIA_ROOT=MEDIA)
class ServiceTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, cls.other = make_towns()
        cls.u = make_users(cls.town, cls.other)
        cls.w = build(cls.town, cls.other, cls.u["admin"])

    def status(self, key):
        return Outfall.objects.get(pk=self.w[key].pk).status

    def make(self, key="P1", **over):
        return services.create_task(self.w[key], task_data(**over), actor=self.u["bureau"])

    def test_open_tasks_count_with_the_outfalls_past_violations(self):
        from outfall.traces.inputs import violations_by_outfall

        t = self.make()
        self.make("P2")
        self.assertEqual(violations_by_outfall(), {self.w["P1"].pk: 1, self.w["P2"].pk: 1})
        services.start_task(t, actor=self.u["bureau"])
        services.add_progress(t, "完成封堵", [png()], actor=self.u["bureau"])
        services.sign_off_task(services.request_close(t, actor=self.u["bureau"]), actor=self.u["bureau"])
        self.assertEqual(violations_by_outfall(), {self.w["P2"].pk: 1})  # a signed-off task no longer counts

    def test_standardize_from_start_to_sign_off_and_reopen(self):
        t = self.make()
        self.assertEqual((t.state, self.status("P1")), ("planned", "to_remediate"))
        t = services.start_task(t, actor=self.u["town_a"], note="施工队进场")
        self.assertEqual((t.state, self.status("P1")), ("in_progress", "remediating"))
        services.add_progress(t, "完成封堵", [png(), pdf()], actor=self.u["town_a"])
        self.assertEqual(sorted(Evidence.objects.values_list("kind", flat=True)), ["document", "photo"])
        t = services.request_close(t, actor=self.u["town_a"], note="已完成，申请销号")
        self.assertEqual(t.state, "close_requested")
        t = services.sign_off_task(t, actor=self.u["bureau"], note="现场复核通过")
        self.assertEqual((t.state, self.status("P1")), ("signed_off", "remediated"))
        self.assertIsNotNone(t.signed_off_at)
        t = services.reopen_task(t, "复查发现仍有排放", actor=self.u["bureau"])
        self.assertEqual((t.state, self.status("P1"), t.signed_off_at), ("in_progress", "remediating", None))
        kinds = list(t.updates.values_list("kind", flat=True))
        self.assertEqual(kinds, ["created", "start", "progress", "request_close", "sign_off", "reopen"])
        notes = list(ChangeRecord.objects.filter(target_id=str(t.pk), target_type__model="remediationtask")
                     .order_by("id").values_list("note", flat=True))
        self.assertEqual(notes[1:], ["施工队进场", "已完成，申请销号", "现场复核通过", "复查发现仍有排放"])
        states = [r.after["state"] for r in ChangeRecord.objects.filter(
            target_id=str(t.pk), target_type__model="remediationtask").order_by("id")]
        self.assertEqual(states, ["planned", "in_progress", "close_requested", "signed_off", "in_progress"])
        # the outfall's own history shows its status moves
        statuses = [r.after["status"] for r in ChangeRecord.objects.filter(
            target_type__model="outfall", target_id=str(self.w["P1"].pk), before__isnull=False).order_by("id")]
        self.assertEqual(statuses, ["to_remediate", "remediating", "remediated", "remediating"])

    def _to_requested(self, t, evidence=True):
        t = services.start_task(t, actor=self.u["bureau"])
        if evidence:
            services.add_progress(t, "", [png()], actor=self.u["bureau"])
        return services.request_close(t, actor=self.u["bureau"])

    def test_ban_and_merge_set_the_outfall_status(self):
        t = self._to_requested(self.make("P1", measure="ban"))
        services.sign_off_task(t, actor=self.u["admin"])
        self.assertEqual(self.status("P1"), "banned")
        m = self._to_requested(self.make("P2", measure="merge", merge_into=self.w["P3"]))
        services.sign_off_task(m, actor=self.u["bureau"])
        p2 = Outfall.objects.get(pk=self.w["P2"].pk)
        self.assertEqual((p2.status, p2.merged_into_id), ("merged", self.w["P3"].pk))
        services.reopen_task(m, "合并管线未接通", actor=self.u["bureau"])
        p2.refresh_from_db()
        self.assertEqual((p2.status, p2.merged_into_id), ("remediating", None))
        m = services.request_close(m, actor=self.u["bureau"])
        services.sign_off_task(m, actor=self.u["bureau"])
        from outfall.ledger.services import update_outfall  # the ledger form changes the status back

        update_outfall(Outfall.objects.get(pk=p2.pk), {"status": "in_use"}, actor=self.u["bureau"])
        p2.refresh_from_db()
        self.assertEqual((p2.status, p2.merged_into_id), ("in_use", None))

    def test_refusals(self):
        with self.assertRaises(InputError) as e:  # deadline before the start date
            self.make(deadline=dt.date(2026, 1, 4))
        self.assertIn("期限", e.exception.user_message)
        with self.assertRaises(InputError):
            self.make(measure="merge")  # without a target
        with self.assertRaises(InputError):
            self.make(measure="merge", merge_into=self.w["P1"])  # into itself
        with self.assertRaises(PermissionDeniedError):
            services.create_task(self.w["P1"], task_data(), actor=self.u["town_a"])
        self.assertFalse(RemediationTask.objects.exists())
        t = self.make()
        with self.assertRaises(InputError):
            self.make()  # a second open task on the outfall
        with self.assertRaises(InputError):
            services.sign_off_task(t, actor=self.u["bureau"])  # planned: not requested
        t = self._to_requested(t, evidence=False)
        with self.assertRaises(PermissionDeniedError):
            services.sign_off_task(t, actor=self.u["town_a"])  # a town account never signs off
        with self.assertRaises(InputError) as e:
            services.sign_off_task(t, actor=self.u["bureau"])  # no evidence
        self.assertIn("佐证", e.exception.user_message)
        with self.assertRaises(InputError):
            services.reopen_task(t, "  ", actor=self.u["bureau"])
        with self.assertRaises(PermissionDeniedError):
            services.reopen_task(t, "x", actor=self.u["town_a"])
        with self.assertRaises(PermissionDeniedError):
            services.add_progress(t, "x", actor=self.u["town_b"])  # another town's outfall
        with self.assertRaises(PermissionDeniedError):
            services.add_progress(t, "x", actor=self.u["inspector"])
        self.assertEqual(RemediationTask.objects.get(pk=t.pk).state, "close_requested")

    def test_merge_into_a_banned_outfall_is_refused(self):
        t = self._to_requested(self.make("P3", measure="ban"))
        services.sign_off_task(t, actor=self.u["bureau"])
        with self.assertRaises(InputError) as e:
            self.make("P1", measure="merge", merge_into=self.w["P3"])
        self.assertIn("已取缔", e.exception.user_message)
        with self.assertRaises(InputError):  # a banned outfall gets no new task
            self.make("P3")

    def test_evidence_type_and_size(self):
        t = self.make()
        n = ChangeRecord.objects.count()
        with self.assertRaises(InputError) as e:
            services.add_progress(t, "x", [SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 10)], actor=self.u["bureau"])
        self.assertIn("a.exe", e.exception.user_message)
        with self.assertRaises(InputError):  # a PNG name on a broken image
            services.add_progress(t, "x", [SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\nbroken")], actor=self.u["bureau"])
        with override_settings(MAX_UPLOAD_BYTES=10), self.assertRaises(InputError) as e:
            services.add_progress(t, "x", [pdf()], actor=self.u["bureau"])
        self.assertIn("上限", e.exception.user_message)
        with self.assertRaises(InputError):
            services.add_progress(t, "  ", [], actor=self.u["bureau"])
        self.assertEqual((ChangeRecord.objects.count(), Evidence.objects.count()), (n, 0))

    def test_edit(self):
        t = self.make()
        services.update_task(t, {**task_data(), "deadline": dt.date(2026, 4, 30)}, actor=self.u["bureau"])
        self.assertEqual(RemediationTask.objects.get(pk=t.pk).deadline, dt.date(2026, 4, 30))
        with self.assertRaises(InputError):
            services.update_task(t, {**task_data(), "deadline": dt.date(2025, 12, 1)}, actor=self.u["bureau"])
        with self.assertRaises(PermissionDeniedError):
            services.update_task(t, task_data(), actor=self.u["town_a"])


@override_settings(MEDIA_ROOT=MEDIA)
class PagesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, cls.other = make_towns()
        cls.u = make_users(cls.town, cls.other)
        cls.w = build(cls.town, cls.other, cls.u["admin"])

    def login(self, who):
        self.client.force_login(self.u[who])

    def test_every_step_through_the_pages(self):
        self.login("bureau")
        r = self.client.post("/remediation/new/", {
            "outfall": self.w["P1"].code, "measure": "merge", "merge_into": self.w["P3"].code, "plan": "并入污水管网",
            "department": "住建局", "start_date": "2026-01-05", "deadline": "2026-03-31", "parameter": "氨氮"})
        t = RemediationTask.objects.get()
        self.assertRedirects(r, f"/remediation/{t.pk}/")
        self.assertEqual(t.parameter, "NH3N")
        self.login("town_a")
        self.client.post(f"/remediation/{t.pk}/start/", {"note": "开工"})
        self.client.post(f"/remediation/{t.pk}/progress/", {"text": "管线接通", "files": [png(), pdf()]})
        self.client.post(f"/remediation/{t.pk}/request-close/", {"note": "申请销号"})
        r = self.client.post(f"/remediation/{t.pk}/sign-off/", {})
        self.assertEqual(r.status_code, 403)  # a town account may not sign off
        self.login("bureau")
        self.client.post(f"/remediation/{t.pk}/sign-off/", {"note": "通过"})
        t.refresh_from_db()
        self.assertEqual(t.state, "signed_off")
        page = self.client.get(f"/remediation/{t.pk}/").content.decode()
        for text in ("已销号", "管线接通", "验收报告.pdf", "效果评估", "RSS1"):
            self.assertIn(text, page)
        ev = Evidence.objects.get(kind="photo")
        self.assertEqual(self.client.get(f"/remediation/{t.pk}/evidence/{ev.pk}/")["Content-Type"], "image/png")
        outfall_page = self.client.get(f"/ledger/{self.w['P1'].pk}/").content.decode()
        self.assertIn("remediation-panel", outfall_page)
        self.assertIn("并入排污口", outfall_page)
        self.client.post(f"/remediation/{t.pk}/reopen/", {"reason": ""})
        t.refresh_from_db()
        self.assertEqual(t.state, "signed_off")  # refused: no reason
        self.client.post(f"/remediation/{t.pk}/reopen/", {"reason": "复查未完成"})
        t.refresh_from_db()
        self.assertEqual(t.state, "in_progress")

    def test_refusals_show_a_message_and_write_nothing(self):
        self.login("bureau")
        r = self.client.post("/remediation/new/", {
            "outfall": self.w["P1"].code, "measure": "ban", "plan": "取缔", "start_date": "2026-02-01",
            "deadline": "2026-01-01"}, follow=True)
        self.assertContains(r, "早于开始日期")
        self.assertFalse(RemediationTask.objects.exists())
        self.login("town_a")
        self.assertEqual(self.client.post("/remediation/new/", {}).status_code, 403)

    def test_list_filters_and_highlight(self):
        today = dt.date.today()
        late = services.create_task(self.w["P1"], task_data(start_date=today - dt.timedelta(days=30),
                                                            deadline=today - dt.timedelta(days=1)),
                                    actor=self.u["bureau"])
        soon = services.create_task(self.w["P2"], task_data(start_date=today, deadline=today + dt.timedelta(days=3),
                                                            measure="ban"), actor=self.u["bureau"])
        self.login("bureau")
        page = self.client.get("/remediation/").content.decode()
        self.assertIn('class="overdue"', page)
        self.assertIn('class="due_soon"', page)
        ids = lambda r: {t.pk for t in r.context["tasks"]}  # noqa: E731
        self.assertEqual(ids(self.client.get("/remediation/?due=overdue")), {late.pk})
        self.assertEqual(ids(self.client.get("/remediation/?due=due_soon")), {soon.pk})
        self.assertEqual(ids(self.client.get("/remediation/?measure=ban")), {soon.pk})
        self.assertEqual(ids(self.client.get(f"/remediation/?town={self.other.pk}")), {soon.pk})
        self.assertEqual(ids(self.client.get("/remediation/?state=in_progress")), set())
        self.login("town_a")  # town staff: their town's tasks only
        self.assertEqual(ids(self.client.get("/remediation/")), {late.pk})
        self.assertEqual(self.client.get(f"/remediation/{soon.pk}/").status_code, 404)


@override_settings(MEDIA_ROOT=MEDIA)
class ApiTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town, cls.other = make_towns()
        cls.u = make_users(cls.town, cls.other)
        cls.w = build(cls.town, cls.other, cls.u["admin"])
        cls.tokens = {k: Token.objects.create(user=v).key for k, v in cls.u.items()}

    def api(self, who, method, url, data=None, multipart=False):
        h = {"HTTP_AUTHORIZATION": f"Token {self.tokens[who]}"}
        if method == "get":
            return self.client.get(url, **h)
        if multipart:
            return self.client.post(url, data, **h)
        return getattr(self.client, method)(url, data or {}, content_type="application/json", **h)

    def test_every_step_through_the_api(self):
        base = "/api/remediation-tasks/"
        r = self.api("bureau", "post", base, {"outfall": self.w["P1"].code, "measure": "ban", "plan": "依法取缔",
                                             "start_date": "2026-01-05", "deadline": "2026-02-28",
                                             "responsible_party": self.w["P1"].responsible_parties.first().name})
        self.assertEqual(r.status_code, 201, r.content)
        pk = r.json()["id"]
        self.assertEqual(self.api("town_a", "post", base, {}).status_code, 403)
        r = self.api("bureau", "patch", f"{base}{pk}/", {"deadline": "2026-01-01"})
        self.assertEqual(r.status_code, 400)  # before the start date
        self.assertEqual(self.api("bureau", "patch", f"{base}{pk}/", {"department": "执法大队"}).json()["department"],
                         "执法大队")
        self.assertEqual(self.api("town_a", "post", f"{base}{pk}/start/").json()["state"], "in_progress")
        self.assertEqual(self.api("town_b", "post", f"{base}{pk}/progress/", {"text": "x"}).status_code, 404)
        self.assertEqual(self.api("town_a", "post", f"{base}{pk}/request-close/").json()["state"], "close_requested")
        r = self.api("bureau", "post", f"{base}{pk}/sign-off/")
        self.assertEqual(r.status_code, 400)  # no evidence yet
        self.assertIn("佐证", r.json()["detail"] if "detail" in r.json() else str(r.json()))
        self.assertEqual(self.api("town_a", "post", f"{base}{pk}/reopen/", {"reason": "x"}).status_code, 403)
        self.assertEqual(self.api("bureau", "post", f"{base}{pk}/reopen/", {"reason": "补充材料"}).json()["state"],
                         "in_progress")
        r = self.api("town_a", "post", f"{base}{pk}/progress/", {"text": "拆除完毕", "files": [png()]}, multipart=True)
        self.assertEqual(r.status_code, 200, r.content)
        self.api("town_a", "post", f"{base}{pk}/request-close/", {"note": "再次申请", "files": [pdf()]}, multipart=True)
        self.assertEqual(self.api("town_a", "post", f"{base}{pk}/sign-off/").status_code, 403)
        self.assertEqual(self.api("admin", "post", f"{base}{pk}/sign-off/").json()["state"], "signed_off")
        self.assertEqual(Outfall.objects.get(pk=self.w["P1"].pk).status, "banned")
        d = self.api("viewer", "get", f"{base}{pk}/").json()
        self.assertEqual([u["kind"] for u in d["updates"]],
                         ["created", "start", "request_close", "reopen", "progress", "request_close", "sign_off"])
        self.assertEqual(d["effect"]["section"], "RSS1")
        self.assertEqual(d["effect"]["result"]["verdict"], "not_enough_data")
        self.assertEqual(len(self.api("town_b", "get", base).json()["results"]), 0)
        self.assertEqual(len(self.api("town_a", "get", f"{base}?state=signed_off").json()["results"]), 1)
