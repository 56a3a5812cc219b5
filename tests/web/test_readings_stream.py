"""Streaming readings import (issue #11): chunks written in one transaction, every error of every
chunk reported (capped, with a count of the rest), a key repeated across chunks refused when its
value differs, dry runs that write nothing, no index the unique key already covers, and
concurrent overlapping pushes on PostgreSQL that neither fail nor duplicate (issue #7)."""

from __future__ import annotations

import random
import threading

import pytest
from django.db import connection, connections

from factories import make_towns, make_users
from outfall.core.errors import RowErrors
from outfall.core.standards import readings_io
from outfall.history.models import ChangeRecord
from outfall.monitoring.ingest import import_readings, ingest_pushed_readings
from outfall.monitoring.models import OutfallReading, ReadingBatch, SectionReading
from outfall.monitoring.services import import_sections

SECTIONS = ("断面编码,断面名称,经度,纬度,水质目标\n"
            "370285S01,马连庄,120.4235,37.12,Ⅱ\n"
            "370285S02,沽河桥,120.384,36.776,Ⅲ\n").encode()
HEAD = "site_code,time,parameter,value\n"


@pytest.fixture
def admin(db):
    a, b = make_towns()
    admin = make_users(a, b)["admin"]
    import_sections(SECTIONS, actor=admin, name="s.csv")
    return admin


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(readings_io, "CHUNK_ROWS", 2)


def _rows(n: int, *, hour0: int = 0) -> list[str]:
    return [f"370285S01,2025-11-06 {(hour0 + i) % 24:02d}:00,TP,0.{i + 1:02d}" for i in range(n)]


def test_a_file_of_many_chunks_lands_whole_with_one_batch(admin, small_chunks):
    r = import_readings((HEAD + "\n".join(_rows(7)) + "\n").encode(), actor=admin, name="r.csv")
    assert r.committed and (r.rows, r.section_rows) == (7, 7)
    assert SectionReading.objects.count() == 7
    assert set(SectionReading.objects.values_list("batch_id", flat=True)) == {r.batch_id}
    assert ReadingBatch.objects.get().rows == 7
    assert ChangeRecord.objects.filter(batch_id=r.batch_id).count() == 1


def test_errors_of_every_chunk_are_reported_and_nothing_is_written(admin, small_chunks):
    rows = _rows(7)
    rows[0] = rows[0].replace("0.01", "abc")            # row 2, chunk 1
    rows[4] = rows[4].replace("TP", "奇怪指标")          # row 6, chunk 3
    rows[6] = rows[6].replace("370285S01", "NOPE")      # row 8, chunk 4
    with pytest.raises(RowErrors) as exc:
        import_readings((HEAD + "\n".join(rows)).encode(), actor=admin, name="bad.csv")
    assert [(e.file, e.row, e.column) for e in exc.value.errors] == [
        ("bad.csv", 2, "监测值"), ("bad.csv", 6, "监测指标"), ("bad.csv", 8, "站点编码")]
    assert SectionReading.objects.count() == 0 and ReadingBatch.objects.count() == 0
    dry = import_readings((HEAD + "\n".join(rows)).encode(), actor=admin, name="bad.csv", dry_run=True)
    assert [e.row for e in dry.errors] == [2, 6, 8] and not dry.committed


def test_a_key_repeated_in_a_later_chunk(admin, small_chunks):
    rows = _rows(4)
    same = HEAD + "\n".join([*rows, rows[0]]) + "\n"            # row 6 repeats row 2, same value
    r = import_readings(same.encode(), actor=admin, name="same.csv")
    assert r.committed and r.rows == 4 and SectionReading.objects.count() == 4
    other = HEAD + "\n".join([*rows, rows[0].replace("0.01", "0.99")]) + "\n"
    with pytest.raises(RowErrors) as exc:
        import_readings(other.encode(), actor=admin, name="other.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(6, "监测值")]
    assert "数值不同" in exc.value.errors[0].message
    assert sorted(SectionReading.objects.values_list("value", flat=True))[0] == 0.01  # the first import stays


def test_errors_are_capped_with_a_count_of_the_rest(admin, monkeypatch):
    monkeypatch.setattr(readings_io, "MAX_ERRORS", 3)
    rows = [r.replace("TP", "XX") for r in _rows(10)]
    with pytest.raises(RowErrors) as exc:
        import_readings((HEAD + "\n".join(rows)).encode(), actor=admin, name="many.csv")
    assert exc.value.total == 10 and len(exc.value.errors) == 4
    assert [e.row for e in exc.value.errors[:3]] == [2, 3, 4]
    assert "7" in exc.value.errors[3].message and "发现 10 处错误" in exc.value.user_message


def test_dry_run_counts_and_writes_nothing(admin):
    changes = ChangeRecord.objects.count()
    r = import_readings((HEAD + "\n".join(_rows(5)) + "\n").encode(), actor=admin, name="d.csv", dry_run=True)
    assert (r.rows, r.section_rows, r.errors, r.committed, r.batch_id) == (5, 5, [], False, None)
    assert SectionReading.objects.count() == 0 and ReadingBatch.objects.count() == 0
    assert ChangeRecord.objects.count() == changes


def test_no_index_of_the_site_alone(db):
    """The unique key (site, parameter, time, source) serves "readings of a site"; a second index
    on the site column only slows every insert."""
    for model, column in ((SectionReading, "section_id"), (OutfallReading, "outfall_id")):
        with connection.cursor() as cur:
            cons = connection.introspection.get_constraints(cur, model._meta.db_table)
        single = [n for n, c in cons.items() if c["columns"] == [column] and (c["index"] or c["unique"])]
        assert single == [], single
        assert any(c["unique"] and c["columns"][0] == column for c in cons.values())
        fks = [c["foreign_key"] for c in cons.values() if c["columns"] == [column] and c["foreign_key"]]
        assert fks, f"{model._meta.db_table}.{column}: the database foreign key stays"


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_pushes_neither_fail_nor_duplicate():
    """Station pushes that share keys, sent at once from several connections, in shuffled order:
    before the fix about one in seven deadlocked on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("row-lock deadlocks are PostgreSQL's; SQLite runs one writer at a time")
    a, b = make_towns()
    admin = make_users(a, b)["admin"]
    import_sections(SECTIONS, actor=admin, name="s.csv")
    keys = [(s, f"2025-11-{d:02d}T{h:02d}:00:00+08:00", p) for s in ("370285S01", "370285S02")
            for d in (1, 2) for h in range(24) for p in ("NH3N", "TP", "CODMN", "DO")]
    threads, n_threads, rounds = [], 6, 3
    barrier = threading.Barrier(n_threads)
    failures: list[BaseException] = []

    def push(seed: int) -> None:
        rnd = random.Random(seed)
        try:
            for k in range(rounds):
                some = rnd.sample(keys, k=int(len(keys) * 0.8))
                items = [{"site_code": s, "time": t, "parameter": p, "value": f"{rnd.uniform(0.1, 5):.3f}"}
                         for s, t, p in some]
                if k == 0:
                    barrier.wait(timeout=30)
                ingest_pushed_readings(items, actor=admin, source="automatic", name=f"push-{seed}")
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            failures.append(exc)
        finally:
            connections.close_all()

    for i in range(n_threads):
        threads.append(threading.Thread(target=push, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    assert SectionReading.objects.count() == len(keys) == len(set(
        SectionReading.objects.values_list("section_id", "parameter", "time", "source")))
    assert ReadingBatch.objects.count() == n_threads * rounds


@pytest.mark.django_db(transaction=True)
def test_a_deadlocked_transaction_is_run_again_and_others_are_not():
    from django.db import DatabaseError

    from outfall.monitoring.store import atomic_with_retry

    class Deadlock(Exception):
        sqlstate = "40P01"

    calls = []

    def flaky():
        calls.append(connection.in_atomic_block)
        if len(calls) < 3:
            raise DatabaseError("deadlock detected") from Deadlock()
        return "done"

    assert atomic_with_retry(flaky, base_delay=0.001) == "done" and calls == [True, True, True]
    calls.clear()
    with pytest.raises(DatabaseError):
        atomic_with_retry(lambda: calls.append(1) or (_ for _ in ()).throw(DatabaseError("disk full")))
    assert calls == [1]
    calls.clear()
    with pytest.raises(DatabaseError):
        atomic_with_retry(flaky, attempts=2, base_delay=0.001)


def test_readings_of_a_site_that_does_not_exist_are_refused_and_a_deleted_site_takes_its_readings(admin):
    import datetime as dt
    import uuid

    from outfall.core.errors import NotFoundError
    from outfall.monitoring.models import Section
    from outfall.monitoring.store import upsert_readings

    t = dt.datetime(2025, 11, 6, 12, tzinfo=dt.UTC)
    row = ("TP", 0.1, "", None, "mg/L", "0.1", "manual", "ok", uuid.uuid4())
    with pytest.raises(NotFoundError):
        upsert_readings("section", [(987654, t, *row)])
    s = Section.objects.get(code="370285S01")
    assert upsert_readings("section", [(s.pk, t, *row)]) == 1
    s.delete()
    assert SectionReading.objects.count() == 0


def test_a_site_refused_in_a_later_chunk_refuses_the_file(db, small_chunks):
    from factories import make_outfall
    from outfall.monitoring.permissions import REFUSED_MESSAGE

    a, b = make_towns()
    users = make_users(a, b)
    import_sections(SECTIONS, actor=users["admin"], name="s.csv")
    own = make_outfall(a, users["admin"])
    rows = [f"{own.code},2025-11-06 {h:02d}:00,COD,12" for h in range(4)] + _rows(2, hour0=5)
    with pytest.raises(RowErrors) as exc:
        import_readings((HEAD + "\n".join(rows)).encode(), actor=users["town_a"], name="t.csv")
    assert [(e.row, e.column) for e in exc.value.errors] == [(6, "站点编码"), (7, "站点编码")]
    assert REFUSED_MESSAGE in exc.value.errors[0].message
    assert OutfallReading.objects.count() == SectionReading.objects.count() == ReadingBatch.objects.count() == 0
    assert import_readings((HEAD + "\n".join(rows[:4])).encode(), actor=users["town_a"], name="t.csv").committed


def test_alerts_hook_gets_the_sites_and_earliest_time_of_every_chunk(admin, small_chunks, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    from outfall.monitoring import hooks

    calls = []
    monkeypatch.setattr(hooks, "fire_readings_written", lambda *a, **kw: calls.append((*a, kw)))
    rows = _rows(3, hour0=9) + ["370285S02,2025-11-06 01:00,TP,0.2"]
    with django_capture_on_commit_callbacks(execute=True):
        r = import_readings((HEAD + "\n".join(rows)).encode(), actor=admin, name="r.csv")
    ids = set(SectionReading.objects.values_list("section_id", flat=True))
    assert r.committed and len(ids) == 2
    [(sections, outfalls, earliest, actor, kw)] = calls
    assert (sections, outfalls, actor, kw) == (ids, set(), admin, {"rows": 4, "kind": "long"})
    assert earliest.isoformat() == "2025-11-06T01:00:00+08:00"
    with django_capture_on_commit_callbacks(execute=True):
        import_readings((HEAD + "\n".join(rows)).encode(), actor=admin, name="r.csv", dry_run=True)
    assert len(calls) == 1  # a dry run fires nothing
