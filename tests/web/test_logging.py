"""Logs: JSON lines when OUTFALL_LOG_FORMAT=json, each request's line with its id, user and path."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import TestCase
from django.utils.module_loading import import_string

from factories import make_towns, make_users
from outfall.site.logging_ import RequestContextFilter, config_dict


def json_handler(stream) -> logging.Handler:
    """The stdout handler of the JSON configuration, writing to ``stream``."""
    params = dict(config_dict(log_format="json", level="INFO")["formatters"]["json"])
    handler = logging.StreamHandler(stream)
    handler.setFormatter(import_string(params.pop("()"))(**params))
    handler.addFilter(RequestContextFilter())
    return handler


def test_unknown_log_format_stops_the_start():
    with pytest.raises(ValueError, match="OUTFALL_LOG_FORMAT='xml'"):
        config_dict(log_format="xml", level="INFO")


def test_json_config_sends_every_logger_to_stdout():
    cfg = config_dict(log_format="JSON", level="debug")
    assert cfg["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert cfg["root"]["handlers"] == ["stdout"] and cfg["loggers"]["outfall"]["level"] == "DEBUG"
    assert cfg["loggers"]["huey"]["handlers"] == ["stdout"]


class RequestLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users(*make_towns())

    def setUp(self):
        self.buf = io.StringIO()
        self.handler = json_handler(self.buf)
        self.logger = logging.getLogger("outfall")
        self.logger.addHandler(self.handler)
        self.level = self.logger.level
        self.logger.setLevel(logging.INFO)

    def tearDown(self):
        self.logger.removeHandler(self.handler)
        self.logger.setLevel(self.level)

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.buf.getvalue().splitlines()]

    def test_request_line_has_id_user_and_path(self):
        self.client.force_login(self.users["town_a"])
        r = self.client.get("/ledger/", {"q": "x"})
        self.assertEqual(r.status_code, 200)
        (line,) = [x for x in self.lines() if x["logger"] == "outfall.request"]
        self.assertEqual(line["request_id"], r["X-Request-ID"])
        self.assertEqual(len(line["request_id"]), 32)
        self.assertEqual(line["user"], "town_a")
        self.assertEqual(line["path"], "/ledger/")
        self.assertEqual((line["method"], line["status"], line["level"]), ("GET", 200, "INFO"))
        self.assertIsInstance(line["duration_ms"], float)
        self.assertIn("time", line)

    def test_a_proxys_request_id_is_kept_and_a_bad_one_replaced(self):
        r = self.client.get("/healthz", HTTP_X_REQUEST_ID="edge-42.a")
        self.assertEqual(r["X-Request-ID"], "edge-42.a")
        r2 = self.client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
        self.assertNotIn("bad", r2["X-Request-ID"])
        lines = [x for x in self.lines() if x["logger"] == "outfall.request"]
        self.assertEqual([x["request_id"] for x in lines], ["edge-42.a", r2["X-Request-ID"]])
        self.assertEqual(lines[0]["user"], "-")

    def test_records_logged_while_serving_carry_the_request(self):
        log = logging.getLogger("outfall.test")
        from outfall.site import health

        def noisy():
            log.warning("checked")
            return {"status": "up"}

        from unittest import mock

        with mock.patch.dict(health.CHECKS, {"noisy": noisy}):
            r = self.client.get("/healthz")
        (line,) = [x for x in self.lines() if x["message"] == "checked"]
        self.assertEqual((line["request_id"], line["path"], line["level"]), (r["X-Request-ID"], "/healthz", "WARNING"))

    def test_token_user_is_named(self):
        from rest_framework.authtoken.models import Token

        token = Token.objects.create(user=self.users["viewer"])
        r = self.client.get("/api/outfalls/", HTTP_AUTHORIZATION=f"Token {token.key}")
        self.assertEqual(r.status_code, 200)
        (line,) = [x for x in self.lines() if x["logger"] == "outfall.request"]
        self.assertEqual(line["user"], "viewer")
