"""Issue #9: notifications. An HTTP receiver on 127.0.0.1 (http.server in a thread) and Django's
locmem e-mail backend get what the channels send: the generic webhook's JSON, WeCom's markdown,
DingTalk's markdown with timestamp and sign (checked here with DingTalk's own recipe), the e-mail.
A receiver that is down or slow gives failed attempts that are logged and retried; nothing is lost."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.core import mail
from django.test import TestCase
from huey.contrib.djhuey import HUEY

from alerts_fixtures import add_readings, make_section
from factories import make_towns, make_users
from outfall.alerts import channels as channel_module
from outfall.alerts import services
from outfall.alerts.models import Alert, Delivery
from outfall.core.errors import InputError, PermissionDeniedError

SECRET = "SEC" + "0123456789abcdef" * 4
VALUES = [0.5] * 13 + [2.6, 0.5]  # one reading over 2.6 times the III limit (high severity)


class Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        if self.path.startswith("/slow"):
            time.sleep(1.0)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append((self.path, json.loads(body)))
        status = 500 if self.path.startswith("/fail") else 200
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')
        except (BrokenPipeError, ConnectionResetError):  # the slow case: the sender gave up first
            pass

    def log_message(self, *args):
        pass


class NotifyTest(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()
        super().tearDownClass()

    def setUp(self):
        Receiver.received = []
        self.town, other = make_towns()
        self.users = make_users(self.town, other)
        self.admin = self.users["admin"]
        self.section = make_section(town=self.town)
        add_readings(self.section, VALUES)
        self.addCleanup(setattr, HUEY, "immediate", HUEY.immediate)
        HUEY.immediate = True

    def channel(self, name, kind, url="", **kw):
        ch = services.add_channel({"name": name, "kind": kind, "url": url, **kw}, actor=self.admin)
        services.add_subscription(ch, actor=self.admin, min_severity="medium")
        return ch

    def check(self):
        with self.captureOnCommitCallbacks(execute=True):
            touched = services.check_alerts(actor=self.admin, which=["exceedance"])
        return touched[0].alert

    def test_every_channel_delivers(self):
        self.channel("hook", "webhook", f"{self.base}/hook")
        self.channel("wecom", "wecom", f"{self.base}/wecom?key=abc")
        self.channel("ding", "dingtalk", f"{self.base}/ding?access_token=tok", secret=SECRET)
        self.channel("mail", "email", recipients="a@example.org, b@example.org")
        before = int(time.time() * 1000)
        alert = self.check()
        self.assertEqual(alert.severity, "high")
        got = {p.split("?")[0]: (p, body) for p, body in Receiver.received}
        self.assertEqual(set(got), {"/hook", "/wecom", "/ding"})
        self.assertEqual(got["/hook"][1]["alert"]["id"], alert.pk)
        self.assertEqual(got["/hook"][1]["alert"]["value"], 2.6)
        self.assertEqual(got["/wecom"][1]["msgtype"], "markdown")
        self.assertIn(alert.explanation_zh, got["/wecom"][1]["markdown"]["content"])
        path, body = got["/ding"]
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        ts = int(q["timestamp"][0])
        self.assertTrue(before <= ts <= int(time.time() * 1000))
        expected = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest())
        self.assertEqual(q["sign"][0], expected.decode())
        self.assertEqual(q["access_token"], ["tok"])
        self.assertEqual(body["msgtype"], "markdown")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["a@example.org", "b@example.org"])
        self.assertIn(self.section.code, mail.outbox[0].subject)
        self.assertEqual(sorted(Delivery.objects.values_list("channel__name", "status", "attempt")),
                         [("ding", "sent", 1), ("hook", "sent", 1), ("mail", "sent", 1), ("wecom", "sent", 1)])
        page = self.client
        page.force_login(self.users["viewer"])
        html = page.get(f"/alerts/{alert.pk}/").content.decode()
        self.assertIn("已发送", html)

    def test_subscription_filters_severity(self):
        ch = services.add_channel({"name": "hook", "kind": "webhook", "url": f"{self.base}/hook"}, actor=self.admin)
        services.add_subscription(ch, actor=self.admin, min_severity="critical")
        self.check()
        self.assertEqual(Receiver.received, [])
        self.assertFalse(Delivery.objects.exists())

    def _run_retries(self):
        far = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
        tasks = HUEY.read_schedule(far)
        self.assertEqual(len(tasks), 1)
        self.assertGreaterEqual(tasks[0].eta, dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=20))
        for task in tasks:  # the worker would run it after the delay; run it now as if the time had come
            HUEY.execute(task, timestamp=far)

    def test_receiver_down_then_up_retried_nothing_lost(self):
        ch = self.channel("hook", "webhook", "http://127.0.0.1:9/down")  # port 9: discard, nothing listens
        alert = self.check()
        first = Delivery.objects.get()
        self.assertEqual((first.status, first.attempt), ("failed", 1))
        self.assertTrue(first.error)
        ch.url = f"{self.base}/hook"
        ch.save()
        self._run_retries()
        self.assertEqual(list(Delivery.objects.order_by("attempt").values_list("attempt", "status")),
                         [(1, "failed"), (2, "sent")])
        self.assertEqual(Receiver.received[0][1]["alert"]["id"], alert.pk)

    def test_slow_and_failing_receivers_are_logged(self):
        self.channel("slow", "webhook", f"{self.base}/slow")
        self.channel("fail", "webhook", f"{self.base}/fail")
        old = channel_module.TIMEOUT_S
        channel_module.TIMEOUT_S = 0.3
        self.addCleanup(setattr, channel_module, "TIMEOUT_S", old)
        self.check()
        rows = {c: (s, h) for c, s, h in Delivery.objects.values_list("channel__name", "status", "http_status")}
        self.assertEqual(rows, {"slow": ("failed", None), "fail": ("failed", 500)})
        self.assertEqual(Alert.objects.count(), 1)  # the alert stays whatever the channels do

    def test_channel_validated_at_entry(self):
        bad = [{"name": "a", "kind": "webhook", "url": "ftp://x"},
               {"name": "b", "kind": "dingtalk", "url": f"{self.base}/d", "secret": "nope"},
               {"name": "c", "kind": "email", "recipients": "not-an-address"},
               {"name": "d", "kind": "pager", "url": f"{self.base}/d"}]
        for data in bad:
            with self.subTest(data=data), self.assertRaises(InputError) as cm:
                services.add_channel(data, actor=self.admin)
            self.assertTrue(cm.exception.user_message)
        with self.assertRaises(PermissionDeniedError):
            services.add_channel({"name": "e", "kind": "webhook", "url": f"{self.base}/e"}, actor=self.users["town_a"])


class ChannelAdminTest(TestCase):
    def test_admin_checks_channel_and_keeps_history(self):
        from outfall.alerts.models import Channel
        from outfall.history.models import ChangeRecord

        a, b = make_towns()
        self.client.force_login(make_users(a, b)["admin"])
        r = self.client.post("/admin/alerts/channel/add/", {"name": "钉钉", "kind": "dingtalk",
                                                            "url": "ftp://x", "secret": "bad", "active": "on"})
        self.assertEqual(r.status_code, 200)
        self.assertIn("http(s)", r.content.decode())
        self.assertFalse(Channel.objects.exists())
        r = self.client.post("/admin/alerts/channel/add/", {"name": "钉钉", "kind": "dingtalk", "active": "on",
                                                            "url": "https://oapi.dingtalk.com/robot/send?access_token=t",
                                                            "secret": SECRET})
        self.assertEqual(r.status_code, 302)
        ch = Channel.objects.get()
        self.assertTrue(ChangeRecord.objects.filter(target_id=str(ch.pk), action="create").exists())
        self.assertNotIn(SECRET, str(ChangeRecord.objects.get(target_id=str(ch.pk)).after))
