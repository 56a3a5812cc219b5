"""Concurrency (issue #7 item 9): simultaneous creates get distinct generated codes, the same ledger
file committed twice at once lands once, and 8 clients creating outfalls and pushing overlapping
readings for a while see no error.

Threads each use their own database connection (Django's are per thread) and go through the whole
request stack with the test client. PostgreSQL only: the SQLite test database lives in memory, shared
by the threads, which is not how SQLite is deployed (a file, BEGIN IMMEDIATE serialising writers).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

from factories import make_towns, make_users
from outfall.ledger.models import Outfall
from outfall.monitoring.models import SectionReading
from outfall.monitoring.services import import_sections

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                       reason="needs PostgreSQL: concurrent writers on SQLite are serialised by BEGIN IMMEDIATE and "
                              "the in-memory test database cannot show it"),
]

#: Seconds the mixed-load test runs: CONCURRENCY_TEST_S, else 30 in CI (CI=true) and 5 locally.
DURATION_S = float(os.environ.get("CONCURRENCY_TEST_S") or (30 if os.environ.get("CI") else 5))

SECTIONS = ("断面编码,断面名称,经度,纬度,水质目标,所在河流\n"
            "370285S01,马连庄,120.4235,37.12,Ⅱ,大沽河\n"
            "370285S02,产芝水库,120.443,36.976,Ⅲ,产芝水库\n"
            "370285S03,洙河入河口,120.41,36.844,Ⅳ,洙河\n").encode()


def _outfall(n: int) -> dict:
    return {"name": f"并发排污口{n}", "category": "工业排污口", "subtype": "工矿企业排污口", "lon": 120.5 + (n % 5000) * 1e-5,
            "lat": 36.9, "town": "水集街道", "receiving_water": "大沽河",
            "responsible_parties": [{"name": f"并发公司{n % 7}"}]}


def _run_threads(n: int, target) -> list:
    """Run target(i, barrier) in n threads started together; returns their results (or exceptions)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            results[i] = target(i, barrier)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return results


@pytest.fixture
def actors(transactional_db):
    town_a, town_b = make_towns()
    users = make_users(town_a, town_b)
    import_sections(SECTIONS, actor=users["admin"], name="sections.csv")
    return {name: Token.objects.create(user=u).key for name, u in users.items() if name in ("admin", "bureau")}


def _client(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token}")


def test_simultaneous_creates_get_distinct_codes(actors):
    n = 80

    def create(i, barrier):
        c = _client(actors["admin" if i % 2 else "bureau"])
        barrier.wait()
        r = c.post("/api/outfalls/", _outfall(i), content_type="application/json")
        return r.status_code, r.json().get("code") if r.status_code == 201 else r.content[:300]

    results = _run_threads(n, create)
    failures = [r for r in results if not isinstance(r, tuple) or r[0] != 201]
    assert not failures, failures[:5]
    codes = [r[1] for r in results]
    assert len(set(codes)) == n == Outfall.objects.count()
    assert sorted(codes) == [f"370285G{k:04d}" for k in range(1, n + 1)]


def test_same_ledger_file_committed_twice_at_once_lands_once(actors, tmp_path, settings):
    """Two commits of one dry-run token: one imports, the other is told the file is being (or was) imported."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    user = get_user_model().objects.get(username="bureau")
    rows = "\n".join(f"并发{k},工业排污口,工矿企业排污口,{120.5 + k * 1e-4},36.9,水集街道,大沽河" for k in range(200))
    data = ("排污口名称,一级类型,二级类型,经度,纬度,所属镇街,受纳水体\n" + rows).encode()
    c = Client()
    c.force_login(user)
    r = c.post("/ledger/import/", {"file": SimpleUploadedFile("l.csv", data)})
    token = r.context["token"]
    session = c.cookies

    def commit(i, barrier):
        ci = Client()
        ci.cookies = session
        barrier.wait()
        r = ci.post("/ledger/import/", {"token": token})
        return r.status_code, r.content.decode()

    results = _run_threads(2, commit)
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
    assert Outfall.objects.count() == 200
    texts = [r[1] for r in results]
    assert sum("已导入" in t and "正在导入" in t for t in texts) == 1, [t[:200] for t in texts]


def test_mixed_load_of_creates_and_overlapping_pushes(actors):
    """8 clients for DURATION_S: creating outfalls and pushing readings of the same sections and times."""
    deadline = time.monotonic() + DURATION_S
    t0 = dt.datetime(2025, 11, 6, tzinfo=dt.UTC)
    params = ["NH3N", "TP", "CODMN", "DO", "PH"]

    def work(i, barrier):
        c = _client(actors["admin" if i % 2 else "bureau"])
        rng = random.Random(i)
        created, pushed, errors = [], set(), []
        barrier.wait()
        k = 0
        while time.monotonic() < deadline:
            k += 1
            if k % 3 == 0:
                r = c.post("/api/outfalls/", _outfall(i * 100000 + k), content_type="application/json")
                if r.status_code == 201:
                    created.append(r.json()["code"])
                else:
                    errors.append((r.status_code, r.content[:200]))
                continue
            # Overlapping keys: every client writes the same 3 sections × 24 hours × 5 items, in its own order.
            items = []
            for site in ("370285S01", "370285S02", "370285S03"):
                for h in rng.sample(range(24), 8):
                    for p in params:
                        when = t0 + dt.timedelta(hours=h)
                        items.append({"site_code": site, "time": when.isoformat(), "parameter": p,
                                      "value": f"{rng.uniform(0.1, 9):.3f}"})
                        pushed.add((site, when, p))
            rng.shuffle(items)
            r = c.post("/api/readings/", {"source": "automatic", "readings": items}, content_type="application/json")
            if r.status_code != 201:
                errors.append((r.status_code, r.content[:200]))
        return created, pushed, errors, k - k // 3

    results = _run_threads(8, work)
    crashed = [r for r in results if not isinstance(r, tuple)]
    assert not crashed, crashed
    errors = [e for _c, _p, errs, _n in results for e in errs]
    assert not errors, (len(errors), errors[:3])
    created = [code for c, _p, _e, _n in results for code in c]
    assert created, "no outfall was created"
    assert len(created) == len(set(created)), [c for c, n in Counter(created).items() if n > 1]
    assert set(created) == set(Outfall.objects.values_list("code", flat=True))
    pushed = set().union(*(p for _c, p, _e, _n in results))
    stored = {(s, t, p) for s, t, p in SectionReading.objects.values_list("section__code", "time", "parameter")}
    assert stored == pushed
    print(f"\nconcurrency: 8 clients, {DURATION_S:g} s: {len(created)} outfalls created, "
          f"{sum(n for *_x, n in results)} pushes, 0 errors")
