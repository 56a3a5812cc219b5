"""Locust users for ``bench_load``: each starts signed in (a session made beforehand), browses the
ledger, an outfall's page, the map layers and the sections API, and now and then logs in again.
Run by bench_load.py (``locust --headless``); credentials, sessions and outfall ids come from the
environment it sets (BENCH_USER, BENCH_PASSWORD, BENCH_SESSIONS, BENCH_OUTFALL_IDS)."""

from __future__ import annotations

import itertools
import os
import random

from locust import HttpUser, between, task

_IDS = [int(i) for i in os.environ.get("BENCH_OUTFALL_IDS", "").split(",") if i]
_SESSIONS = itertools.cycle([k for k in os.environ.get("BENCH_SESSIONS", "").split(",") if k])


class SiteUser(HttpUser):
    """A bureau member at work: a page every 1–3 s."""

    wait_time = between(1, 3)

    def on_start(self):
        self.client.cookies.set("sessionid", next(_SESSIONS))

    @task(1)
    def login(self):
        self.client.get("/accounts/login/", name="GET /accounts/login/")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post("/accounts/login/", name="POST /accounts/login/", allow_redirects=False,
                              data={"username": os.environ["BENCH_USER"], "password": os.environ["BENCH_PASSWORD"],
                                    "csrfmiddlewaretoken": token}, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"login answered {r.status_code}")

    @task(3)
    def ledger(self):
        self.client.get("/ledger/", name="GET /ledger/")

    @task(3)
    def outfall_page(self):
        self.client.get(f"/ledger/{random.choice(_IDS)}/", name="GET /ledger/<id>/")

    @task(1)
    def map_outfalls(self):
        self.client.get("/map/layers/outfalls.geojson", name="GET /map/layers/outfalls.geojson")

    @task(1)
    def map_rivers(self):
        self.client.get("/map/layers/rivers.geojson", name="GET /map/layers/rivers.geojson")

    @task(1)
    def map_sections(self):
        self.client.get("/map/layers/sections.geojson", name="GET /map/layers/sections.geojson")

    @task(1)
    def map_towns(self):
        self.client.get("/map/layers/towns.geojson", name="GET /map/layers/towns.geojson")

    @task(2)
    def sections_api(self):
        self.client.get("/api/sections/", name="GET /api/sections/")
