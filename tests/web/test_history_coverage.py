"""STYLE rule 3: every public state-changing service of every app writes at least one ChangeRecord.

Services are found by name (``create_*``, ``update_*``, ``cancel_*``, ``add_*``, ``remove_*``,
``import_*``, ``close_*``, ``acknowledge_*``, ``assign_*``, ``delete_*``, ``set_*``, ``ingest_*``,
``resolve_*``) in every ``outfall.<app>.services`` module. A service without a case below fails the
test, so a new service cannot land without its history being checked.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

import outfall
from factories import make_outfall, make_towns, make_users, outfall_data
from outfall.history.models import ChangeRecord

TOWNS_GEOJSON = Path(__file__).resolve().parents[1] / "data" / "deploy" / "towns.geojson"

VERBS = ("create_", "update_", "cancel_", "add_", "remove_", "import_", "close_", "acknowledge_", "assign_",
         "delete_", "set_", "ingest_", "resolve_", "disable_")


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buf, "PNG")
    return buf.getvalue()


def _ledger_cases():
    from outfall.ledger import services

    def create(ctx):
        services.create_outfall(outfall_data(ctx["town"]), actor=ctx["admin"])

    def update(ctx):
        services.update_outfall(ctx["outfall"], {"notes": "x"}, actor=ctx["admin"])

    def cancel(ctx):
        services.cancel_outfall(ctx["outfall"], actor=ctx["admin"], reason="封堵")

    def add_photo(ctx):
        services.add_photo(ctx["outfall"], SimpleUploadedFile("a.png", _png()), actor=ctx["admin"])

    def remove_photo(ctx):
        photo = services.add_photo(ctx["outfall"], SimpleUploadedFile("a.png", _png()), actor=ctx["admin"])
        ChangeRecord.objects.all().delete()
        services.remove_photo(photo, actor=ctx["admin"])

    def set_status(ctx):
        services.set_outfall_status(ctx["outfall"], "remediating", actor=ctx["admin"])

    def resolve(ctx):
        party = {"name": "某造纸厂", "uscc": "91350100M000100Y43", "industry": "", "contact": ""}
        services.resolve_parties([party], actor=ctx["admin"])
        ChangeRecord.objects.all().delete()
        services.resolve_parties([{**party, "industry": "造纸和纸制品业"}], actor=ctx["admin"])

    return {"outfall.ledger.services.resolve_parties": resolve,
            "outfall.ledger.services.create_outfall": create, "outfall.ledger.services.update_outfall": update,
            "outfall.ledger.services.cancel_outfall": cancel, "outfall.ledger.services.add_photo": add_photo,
            "outfall.ledger.services.remove_photo": remove_photo,
            "outfall.ledger.services.set_outfall_status": set_status}


def _monitoring_cases():
    from outfall.monitoring import services

    def section_data(code="S1"):
        return {"code": code, "name": "测试断面", "lon": 120.4, "lat": 36.8, "original_lon": 120.4,
                "original_lat": 36.8, "original_crs": "WGS84", "target_class": "III", "water_type": "river",
                "level": "municipal"}

    def create(ctx):
        services.create_section(section_data(), actor=ctx["admin"])

    def update(ctx):
        s = services.create_section(section_data("S2"), actor=ctx["admin"])
        ChangeRecord.objects.all().delete()
        services.update_section(s, {"target_class": "II"}, actor=ctx["admin"])

    def import_(ctx):
        data = "断面编码,断面名称,经度,纬度,水质目标,水体类型\nS3,甲断面,120.4,36.8,Ⅲ,河流\n".encode()
        services.import_sections(data, actor=ctx["admin"], name="s.csv")

    def create_station_account(ctx):
        services.create_station_account("station-x", actor=ctx["admin"])

    def add_binding(ctx):
        services.add_station_binding(ctx["users"]["viewer"], ctx["outfall"], actor=ctx["admin"])

    def remove_binding(ctx):
        b = services.add_station_binding(ctx["users"]["viewer"], ctx["outfall"], actor=ctx["admin"])
        ChangeRecord.objects.all().delete()
        services.remove_station_binding(b, actor=ctx["admin"])

    return {"outfall.monitoring.services.create_station_account": create_station_account,
            "outfall.monitoring.services.add_station_binding": add_binding,
            "outfall.monitoring.services.remove_station_binding": remove_binding,
            "outfall.monitoring.services.create_section": create,
            "outfall.monitoring.services.update_section": update,
            "outfall.monitoring.services.import_sections": import_}


def _import_outfalls(ctx):
    from outfall.ledger.excel import import_outfalls

    data = ("排污口名称,一级类型,经度,纬度,所属镇街,受纳水体\n甲,其他排口,120.5,36.9,水集街道,大沽河\n").encode()
    import_outfalls(data, actor=ctx["admin"], name="o.csv")


def _import_rivers(ctx):
    from outfall.demo.laixi import rivers_geojson
    from outfall.rivers.services import import_rivers

    import_rivers(rivers_geojson(), actor=ctx["admin"], name="r.geojson")


def _accounts_cases():
    from outfall.accounts import services

    def create(ctx):
        services.create_user("new_bureau", role="bureau", password="a-long-pass-phrase-9", actor=ctx["admin"])

    def set_role(ctx):
        services.set_user_role(ctx["users"]["viewer"], role="inspector", actor=ctx["admin"])

    def disable(ctx):
        services.disable_user(ctx["users"]["viewer"], actor=ctx["admin"])

    def import_(ctx):
        services.import_towns(TOWNS_GEOJSON, actor=ctx["admin"])

    return {"outfall.accounts.services.create_user": create, "outfall.accounts.services.set_user_role": set_role,
            "outfall.accounts.services.disable_user": disable, "outfall.accounts.services.import_towns": import_}
def _alerts_cases():
    import datetime as dt

    from outfall.alerts import lifecycle, limits, services
    from outfall.alerts.models import Alert

    def section():
        from outfall.monitoring.models import Section

        return Section.objects.create(code="S9", name="断面", lon=120.4, lat=36.8, original_lon=120.4,
                                      original_lat=36.8)

    def alert(ctx):
        t = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
        return Alert.objects.create(site_kind="section", section=section(), site_code="S9", parameter="NH3N",
                                    rule="exceedance", severity="medium", opened_at=t, last_time=t, value=2.0,
                                    limit=1.0, peak=2.0, rules_version=1, explanation_zh="x", town=ctx["town"])

    def channel(ctx):
        return services.add_channel({"name": "群", "kind": "webhook", "url": "http://127.0.0.1:9/hook"},
                                    actor=ctx["admin"])

    def add_subscription(ctx):
        ch = channel(ctx)
        ChangeRecord.objects.all().delete()
        services.add_subscription(ch, actor=ctx["admin"])

    def move(name, **kw):
        def case(ctx):
            a = alert(ctx)
            if name in ("confirm_alert",):
                a = lifecycle.acknowledge_alert(a, actor=ctx["admin"])
                ChangeRecord.objects.all().delete()
            getattr(lifecycle, name)(a, actor=ctx["admin"], **kw)
        return case

    def assign(ctx):
        lifecycle.assign_alert(alert(ctx), ctx["users"]["bureau"], actor=ctx["admin"])

    def escalate(ctx):
        alert(ctx)
        lifecycle.escalate_overdue_alerts(dt.datetime(2100, 1, 1, tzinfo=dt.UTC), actor=ctx["admin"])

    def import_limits(ctx):
        data = f"排污口编码,指标,限值,单位\n{ctx['outfall'].code},氨氮,5,mg/L\n".encode()
        limits.import_limits(data, actor=ctx["admin"], name="l.csv")

    def add_limit(ctx):
        limits.add_outfall_limit(ctx["outfall"], {"parameter": "COD", "limit": "50", "unit": "mg/L"},
                                 actor=ctx["admin"])

    def check(ctx):
        from outfall.monitoring.models import SectionReading

        s = section()
        SectionReading.objects.create(section=s, time=dt.datetime(2025, 7, 1, tzinfo=dt.UTC), parameter="NH3N",
                                      value=3.0, unit="mg/L")
        services.check_alerts(actor=ctx["admin"])

    return {"outfall.alerts.services.add_channel": channel,
            "outfall.alerts.services.add_subscription": add_subscription,
            "outfall.alerts.services.set_receptor": lambda ctx: services.set_receptor(section(), "drinking_water",
                                                                                     actor=ctx["admin"]),
            "outfall.alerts.lifecycle.acknowledge_alert": move("acknowledge_alert"),
            "outfall.alerts.lifecycle.start_tracing": move("start_tracing"),
            "outfall.alerts.lifecycle.confirm_alert": move("confirm_alert"),
            "outfall.alerts.lifecycle.mark_not_genuine": move("mark_not_genuine", reason="仪器故障"),
            "outfall.alerts.lifecycle.close_alert": move("close_alert"),
            "outfall.alerts.lifecycle.assign_alert": assign,
            "outfall.alerts.lifecycle.escalate_overdue_alerts": escalate,
            "outfall.alerts.limits.import_limits": import_limits,
            "outfall.alerts.limits.add_outfall_limit": add_limit,
            "outfall.alerts.checking.check_alerts": check}


def _export_job_cases():
    import datetime as dt

    from django.test import override_settings

    from outfall.ledger import export_jobs

    def create(ctx):
        export_jobs.create_export_job(actor=ctx["admin"], filters={})

    def done_job(ctx):
        job = export_jobs.create_export_job(actor=ctx["admin"], filters={})
        job = export_jobs.run_export_job(job.pk)
        assert job.state == "done", job.error
        ChangeRecord.objects.all().delete()
        return job

    def run(ctx):
        job = export_jobs.create_export_job(actor=ctx["admin"], filters={})
        ChangeRecord.objects.all().delete()
        export_jobs.run_export_job(job.pk)

    def in_tmp(case):
        def wrapped(ctx):
            with override_settings(OUTFALL_EXPORTS_DIR=ctx["tmp"]):
                case(ctx)
        return wrapped

    def stalled(ctx):
        job = export_jobs.create_export_job(actor=ctx["admin"], filters={})
        ChangeRecord.objects.all().delete()
        export_jobs.fail_stalled_exports(now=job.created_at + dt.timedelta(days=365))

    def remove(ctx):
        job = done_job(ctx)
        export_jobs.remove_expired_exports(now=job.finished_at + dt.timedelta(days=365))

    return {"outfall.ledger.export_jobs.create_export_job": in_tmp(create),
            "outfall.ledger.export_jobs.run_export_job": in_tmp(run),
            "outfall.ledger.export_jobs.record_download": in_tmp(
                lambda ctx: export_jobs.record_download(done_job(ctx), actor=ctx["admin"])),
            "outfall.ledger.export_jobs.remove_expired_exports": in_tmp(remove),
            "outfall.ledger.export_jobs.fail_stalled_exports": in_tmp(stalled)}


#: dotted service name → function(ctx) that calls it. Apps add their cases here.
def _traces_cases():
    import traces_fixtures as fx
    from outfall.traces import services

    def world(ctx):
        w = fx.build(ctx["town"], ctx["admin"])
        ChangeRecord.objects.all().delete()
        return w

    def start(ctx):
        w = world(ctx)
        services.start_trace(w["SM"], "NH3N", w["peak"], actor=ctx["admin"])

    def task(ctx):
        w = world(ctx)
        t = services.start_trace(w["SM"], "NH3N", w["peak"], actor=ctx["admin"])
        ChangeRecord.objects.all().delete()
        return w, services.create_task(t, w["P1"], actor=ctx["admin"])

    def complete(ctx):
        _w, k = task(ctx)
        ChangeRecord.objects.all().delete()
        services.complete_task(k, "inconclusive", actor=ctx["admin"])

    return {"outfall.traces.services.start_trace": start, "outfall.traces.services.create_task": task,
            "outfall.traces.services.complete_task": complete}


def _inspections_cases():
    import uuid

    from outfall.inspections import services

    def create(ctx):
        services.create_inspection(ctx["outfall"], {"discharging": "yes", "finding": "黑臭"}, actor=ctx["users"]["inspector"],
                                   client_key=uuid.uuid4(), photos=[(SimpleUploadedFile("a.png", _png()), "site")],
                                   quick_tests=[{"parameter": "NH3N", "value": "3.2"}])
        kinds = set(ChangeRecord.objects.values_list("target_type__model", flat=True))
        assert {"inspection", "readingbatch"} <= kinds, kinds  # the inspection and its quick-test readings

    return {"outfall.inspections.services.create_inspection": create}
def _remediation_cases():
    import datetime as dt

    from outfall.remediation import services

    def data():
        return {"measure": "standardize", "plan": "规范整治", "department": "", "start_date": dt.date(2026, 1, 1),
                "deadline": dt.date(2026, 3, 1), "parameter": "NH3N"}

    def create(ctx):
        return services.create_task(ctx["outfall"], data(), actor=ctx["admin"])

    def fresh(ctx, upto=None):
        t = create(ctx)
        steps = [("start", lambda t: services.start_task(t, actor=ctx["admin"])),
                 ("progress", lambda t: services.add_progress(t, "", [SimpleUploadedFile("a.png", _png())],
                                                              actor=ctx["admin"]) and t),
                 ("request", lambda t: services.request_close(t, actor=ctx["admin"])),
                 ("sign_off", lambda t: services.sign_off_task(t, actor=ctx["admin"]))]
        for name, step in steps:
            if name == upto:
                break
            t = step(t)
        ChangeRecord.objects.all().delete()
        return t

    def update(ctx):
        services.update_task(fresh(ctx, "start"), {**data(), "department": "水务局"}, actor=ctx["admin"])

    def progress(ctx):
        services.add_progress(fresh(ctx, "start"), "进展", actor=ctx["admin"])

    def start(ctx):
        services.start_task(fresh(ctx, "start"), actor=ctx["admin"])

    def request(ctx):
        services.request_close(fresh(ctx, "request"), actor=ctx["admin"])

    def sign_off(ctx):
        services.sign_off_task(fresh(ctx, "sign_off"), actor=ctx["admin"])

    def reopen(ctx):
        services.reopen_task(fresh(ctx), "复查未通过", actor=ctx["admin"])

    n = "outfall.remediation.services."
    return {n + "create_task": create, n + "update_task": update, n + "add_progress": progress,
            n + "start_task": start, n + "request_close": request, n + "sign_off_task": sign_off,
            n + "reopen_task": reopen}
def _cases_cases():
    from outfall.cases import services

    def opened(ctx, **kw):
        case = services.open_case(actor=ctx["admin"], source="complaint", title="测试", towns=[ctx["town"]],
                                  outfalls=[ctx["outfall"]], complainant_contact="13812345678", **kw)
        return case

    def at(state):
        def run(ctx):
            case = opened(ctx)
            if state != "intake":
                services.assign_case(case, actor=ctx["admin"], town=ctx["town"])
            if state in ("handling", "replied", "closed"):
                services.add_note(case, "核查", actor=ctx["admin"])
            if state in ("replied", "closed"):
                services.reply_case(case, "已答复", actor=ctx["admin"])
            if state == "closed":
                services.close_case(case, "rectified", actor=ctx["admin"])
            ChangeRecord.objects.all().delete()
            return case
        return run

    def import_(ctx):
        import io

        import openpyxl

        from outfall.cases.excel import import_cases

        wb = openpyxl.Workbook()
        wb.active.append(["来源", "交办编号", "交办时间", "问题描述", "所属镇街"])
        wb.active.append(["中央", "D1", "2025-06-01", "直排", ctx["town"].name])
        buf = io.BytesIO()
        wb.save(buf)
        import_cases(buf.getvalue(), actor=ctx["admin"], name="cases.xlsx")

    def from_alert(ctx):
        from outfall.alerts.models import Alert

        alert = Alert.objects.create(site_kind="outfall", outfall=ctx["outfall"], site_code=ctx["outfall"].code,
                                     parameter="COD", rule="discharge", severity="medium", opened_at="2025-06-01T00:00Z",
                                     last_time="2025-06-01T00:00Z", value=2.0, limit=1.0, peak=2.0, rules_version=1,
                                     explanation_zh="x", town=ctx["town"], episode_open=False)
        ChangeRecord.objects.all().delete()
        services.open_case_from_alert(alert, actor=ctx["admin"])

    def from_task(ctx):
        _w, task = _traces_cases()["outfall.traces.services.create_task"](ctx)
        ChangeRecord.objects.all().delete()
        services.open_case_from_task(task, actor=ctx["admin"])

    return {"outfall.cases.services.open_case": opened,
            "outfall.cases.services.assign_case": lambda ctx: services.assign_case(
                at("intake")(ctx), actor=ctx["admin"], department="执法大队"),
            "outfall.cases.services.add_note": lambda ctx: services.add_note(at("assigned")(ctx), "核查",
                                                                             actor=ctx["admin"]),
            "outfall.cases.services.reply_case": lambda ctx: services.reply_case(at("handling")(ctx), "已答复",
                                                                                 actor=ctx["admin"]),
            "outfall.cases.services.close_case": lambda ctx: services.close_case(at("replied")(ctx), "partly",
                                                                                 actor=ctx["admin"]),
            "outfall.cases.services.reopen_case": lambda ctx: services.reopen_case(at("closed")(ctx), "反弹",
                                                                                   actor=ctx["admin"]),
            "outfall.cases.services.create_campaign": lambda ctx: services.create_campaign(
                actor=ctx["admin"], name="专项", year=2025),
            "outfall.cases.services.open_case_from_alert": from_alert,
            "outfall.cases.services.open_case_from_task": from_task,
            "outfall.cases.excel.import_cases": import_}


CASES: dict = {"outfall.ledger.excel.import_outfalls": _import_outfalls}
CASES.update(_ledger_cases())
CASES.update(_export_job_cases())
CASES.update(_monitoring_cases())
CASES["outfall.rivers.services.import_rivers"] = _import_rivers
CASES.update(_accounts_cases())
CASES.update(_alerts_cases())
CASES.update(_traces_cases())
CASES.update(_inspections_cases())
CASES.update(_remediation_cases())
CASES.update(_cases_cases())


def discovered_services() -> list[str]:
    names = []
    for mod in pkgutil.iter_modules(outfall.__path__):
        try:
            services = importlib.import_module(f"outfall.{mod.name}.services")
        except ModuleNotFoundError:
            continue
        for name, fn in inspect.getmembers(services, inspect.isfunction):
            if fn.__module__ == services.__name__ and name.startswith(VERBS):
                names.append(f"{services.__name__}.{name}")
    return sorted(names)


def test_every_service_has_a_history_case():
    missing = [n for n in discovered_services() if n not in CASES]
    assert discovered_services(), "no services found"
    assert missing == [], f"services without a history case in {__file__}: {missing}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_service_writes_history(name, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    town, town_b = make_towns()
    users = make_users(town, town_b)
    ctx = {"town": town, "admin": users["admin"], "users": users, "tmp": tmp_path}
    ctx["outfall"] = make_outfall(town, users["admin"])
    ChangeRecord.objects.all().delete()
    CASES[name](ctx)
    recs = list(ChangeRecord.objects.all())
    assert recs, f"{name} wrote no ChangeRecord"
    assert all(r.actor_name for r in recs)
