"""Traces: start a trace on a simulated event, store it reproducibly, verification tasks feeding
back into the alert and into the next trace, every bad input answered clearly, the CLI contract."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

import traces_fixtures as fx
from factories import make_towns, make_users
from outfall.alerts.models import Alert
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.core.tracing import OutfallSite, SectionSite, trace
from outfall.history.models import ChangeRecord
from outfall.monitoring.models import SectionReading
from outfall.rivers.models import Snap
from outfall.rivers.selectors import current_network
from outfall.traces import services
from outfall.traces.models import Trace
from outfall.traces.report_data import KEYS, report_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a, b = make_towns()
    users = make_users(a, b)
    w = fx.build(a, users["admin"], other_town=b)
    w.update(users=users, town_a=a, town_b=b)
    return w


def make_alert(w, state="new"):
    return Alert.objects.create(site_kind="section", section=w["SM"], site_code=w["SM"].code, parameter="NH3N",
                                rule="exceedance", severity="medium", state=state, opened_at=w["peak"],
                                last_time=w["peak"] + dt.timedelta(hours=1), value=2.0, limit=1.0, peak=2.0,
                                rules_version=1, explanation_zh="x", town=w["town_a"], episode_open=False)


def first_group(t: Trace) -> list[str]:
    c = t.result["candidates"]
    return [x["outfall"] for x in c if x["group"] == c[0]["group"]]


def test_a_trace_finds_the_spill_and_is_stored_with_what_reproduces_it(world):
    admin = world["users"]["admin"]
    t = services.start_trace(world["SM"], "氨氮", world["peak"], actor=admin)
    assert t.parameter == "NH3N" and t.result["candidates"][0]["outfall"] == world["P1"].code
    assert set(t.candidates.values_list("code", flat=True)) == {world[k].code for k in ("P1", "P2", "P3")}
    assert t.result["section"] == world["SM"].code and t.result["limit"] == 1.0
    assert abs(sum(c["share"] for c in t.result["candidates"]) + t.result["unexplained_share"] - 1) < 1e-3
    assert t.model_version.startswith("0.") and "+tracing." in t.model_version
    # the chart: the event section and S1 (reached by the spill), explained ≈ observed at the peak
    drawn = {s["section"]: s for s in t.series}
    assert world["SM"].code in drawn and world["S1"].code in drawn
    sm = drawn[world["SM"].code]
    k = int(np.argmax(sm["observed"]))
    assert sm["explained"][k] == pytest.approx(sm["observed"][k], rel=0.35)
    assert {o["code"] for o in t.map["outfalls"]} == {world[k].code for k in ("P1", "P2", "P3")}
    assert any(r["upstream"] for r in t.map["reaches"])
    from outfall.history.services import history_of

    rec = history_of(t).get(action="create")
    assert rec.after["candidates"][0] == world["P1"].code
    # the stored inputs alone give the same answer
    inp = t.inputs
    net = current_network()
    outs = [OutfallSite(c, net.index[r], m, typ, q, v) for c, r, m, typ, q, v in inp["outfalls"]]
    secs = [SectionSite(c, net.index[r], m) for c, r, m in inp["sections"]]
    rd = {c: (np.array(tv[0]), np.array(tv[1])) for c, tv in inp["readings"].items()}
    again = trace(net, outs, secs, rd, section=inp["section"], parameter=inp["parameter"], at=inp["at_h"],
                  at_label=t.result["at"], limit=inp["limit"], window_h=inp["window_h"])
    assert again.as_dict() == t.result


def test_readings_are_loaded_by_parameter_and_time_only(world):
    from outfall.traces.inputs import load_readings

    SectionReading.objects.create(section=world["SM"], time=fx.T0 - dt.timedelta(days=30), parameter="NH3N",
                                  value=9.0, unit="mg/L")
    SectionReading.objects.create(section=world["SM"], time=fx.T0, parameter="TP", value=9.0, unit="mg/L")
    SectionReading.objects.create(section=world["SM"], time=fx.T0 + dt.timedelta(minutes=30), parameter="NH3N",
                                  value=None, qualifier="<", detection_limit=0.025, unit="mg/L")
    rd = load_readings("NH3N", fx.T0, fx.T0 + dt.timedelta(hours=1), section_ids=[world["SM"].pk], outfall_ids=[])
    t, v = rd[world["SM"].code]
    assert len(t) == 3 and 9.0 not in v and 0.0125 in v  # below detection: half the detection limit


def test_from_an_alert_in_one_click_then_a_discharge_confirms_it_and_counts_next_time(world):
    admin, town_a = world["users"]["admin"], world["users"]["town_a"]
    alert = make_alert(world)
    t = services.trace_alert(alert, actor=admin)
    alert.refresh_from_db()
    assert t.alert == alert and alert.state == "tracing"
    task = services.create_task(t, world["P1"], actor=admin, assignee=town_a, deadline=dt.date(2025, 7, 10))
    with pytest.raises(InputError) as e:
        services.create_task(t, world["P1"], actor=admin)
    assert "已有未完成" in e.value.user_message
    with pytest.raises(PermissionDeniedError):
        services.complete_task(task, "discharging", actor=world["users"]["viewer"])
    done = services.complete_task(task, "discharging", "现场发现偷排", actor=town_a)
    alert.refresh_from_db()
    assert done.state == "done" and done.done_at and alert.state == "confirmed" and "确认" in done.alert_outcome
    with pytest.raises(InputError) as e:
        services.complete_task(task, "not_discharging", actor=admin)
    assert "已完成" in e.value.user_message
    again = services.start_trace(world["SM"], "NH3N", world["peak"], actor=admin)
    ev = {c["outfall"]: c["evidence"] for c in again.result["candidates"]}
    assert ev[world["P1"].code]["history"] > ev[world["P2"].code]["history"] == 1.0


def test_all_tasks_without_a_discharge_mark_the_alert_not_genuine_naming_them(world):
    admin = world["users"]["admin"]
    alert = make_alert(world, state="acknowledged")
    t = services.trace_alert(alert, actor=admin)
    tasks = [services.create_task(t, world[k], actor=admin) for k in ("P1", "P3")]
    services.complete_task(tasks[0], "not_discharging", actor=admin)
    alert.refresh_from_db()
    assert alert.state == "tracing"  # one task still open
    services.complete_task(tasks[1], "not_discharging", actor=admin)
    alert.refresh_from_db()
    assert alert.state == "not_genuine"
    reason = alert.steps.order_by("-pk").first().note
    assert f"#{tasks[0].pk}" in reason and f"#{tasks[1].pk}" in reason and world["P3"].code in reason


def test_an_inconclusive_result_leaves_the_alert_as_it_is(world):
    admin = world["users"]["admin"]
    alert = make_alert(world, state="acknowledged")
    t = services.trace_alert(alert, actor=admin)
    tasks = [services.create_task(t, world[k], actor=admin) for k in ("P1", "P3")]
    services.complete_task(tasks[0], "not_discharging", actor=admin)
    done = services.complete_task(tasks[1], "inconclusive", actor=admin)
    alert.refresh_from_db()
    assert alert.state == "tracing" and "无法判断" in done.alert_outcome


def test_only_candidates_get_tasks_and_only_allowed_people(world):
    admin, inspector = world["users"]["admin"], world["users"]["inspector"]
    t = services.start_trace(world["SM"], "NH3N", world["peak"], actor=admin)
    from factories import make_outfall

    stranger = make_outfall(world["town_a"], admin, lon=120.7, lat=36.7, original_lon=120.7, original_lat=36.7)
    with pytest.raises(InputError) as e:
        services.create_task(t, stranger, actor=admin)
    assert "不是溯源" in e.value.user_message
    with pytest.raises(PermissionDeniedError):
        services.create_task(t, world["P1"], actor=world["users"]["town_a"])
    with pytest.raises(InputError) as e:
        services.create_task(t, world["P2"], actor=admin, assignee=world["users"]["town_a"])  # P2 is town B's
    assert "不能核查" in e.value.user_message
    task = services.create_task(t, world["P2"], actor=admin, assignee=inspector)
    with pytest.raises(PermissionDeniedError):
        services.complete_task(task, "inconclusive", actor=world["users"]["town_a"])
    assert services.complete_task(task, "inconclusive", actor=inspector).state == "done"
    with pytest.raises(PermissionDeniedError):
        services.start_trace(world["SM"], "NH3N", world["peak"], actor=world["users"]["town_a"])


# --- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("change", "text"), [
    ("unsnapped", "未定位到河网"),
    ("no_reading_window", "没有氨氮 (NH3N)读数"),
    ("between_readings", "最近一次在"),
    ("unknown_parameter", "未知监测指标"),
    ("negative_decay", "衰减系数须为非负数"),
])
def test_bad_input_is_refused_clearly_and_changes_nothing(world, change, text):
    admin, at, parameter, kw = world["users"]["admin"], world["peak"], "NH3N", {}
    if change == "unsnapped":
        Snap.objects.filter(section=world["SM"]).delete()
    elif change == "no_reading_window":
        at = at + dt.timedelta(days=30)
    elif change == "between_readings":
        SectionReading.objects.filter(section=world["SM"], time__gt=at, time__lt=at + dt.timedelta(hours=6)).delete()
        at = at + dt.timedelta(hours=3)
    elif change == "unknown_parameter":
        parameter = "XYZ"
    else:
        kw["decay_per_day"] = -1.0
    before = ChangeRecord.objects.count()
    with pytest.raises(InputError) as e:
        services.start_trace(world["SM"], parameter, at, actor=admin, **kw)
    assert text in e.value.user_message
    assert Trace.objects.count() == 0 and ChangeRecord.objects.count() == before


def test_missing_data_is_said_with_what_was_assumed(db):
    a, b = make_towns()
    users = make_users(a, b)
    w = fx.build(a, users["admin"], hydraulics=False)
    w["P3"].design_discharge_m3_d = None
    w["P3"].save()  # test setup: an outfall whose discharge nobody entered
    t = services.start_trace(w["SM"], "NH3N", w["peak"], actor=users["admin"])
    notes = "\n".join(t.notes)
    assert "默认" in notes and "流速" in notes  # missing velocities/flows: the defaults and their source
    assert w["P3"].code in notes and "设计排放量" in notes
    assert "衰减系数按默认 k = 0.2" in notes
    SectionReading.objects.bulk_create([SectionReading(section=w["SM"], time=r.time, parameter="FCOLI",
                                                       value=r.value * 1000, unit="个/L")
                                        for r in SectionReading.objects.filter(section=w["SM"])])
    t = services.start_trace(w["SM"], "FCOLI", w["peak"], actor=users["admin"])
    assert t.result["candidates"] and any("FCOLI" in n for n in t.notes)


def test_no_outfall_upstream_is_an_answer_not_an_empty_list(world):
    from outfall.ledger.services import cancel_outfall

    for k in ("P1", "P2", "P3"):
        cancel_outfall(world[k], actor=world["users"]["admin"], reason="封堵")
    t = services.start_trace(world["SM"], "NH3N", world["peak"], actor=world["users"]["admin"])
    assert t.result["candidates"] == [] and t.result["unexplained_share"] == 1.0
    assert any("没有排污口" in n for n in t.notes)


# --- report data and CLI ------------------------------------------------------------------------
def test_report_data_has_exactly_the_agreed_keys(world):
    admin = world["users"]["admin"]
    t = services.trace_alert(make_alert(world), actor=admin)
    services.create_task(t, world["P1"], actor=admin, assignee=world["users"]["inspector"])
    d = report_data(t, user=admin)
    assert tuple(d) == KEYS
    assert set(d["section"]) == {"code", "name", "river"} and set(d["parameter"]) == {"code", "name", "unit"}
    assert set(d["alert"]) == {"id", "rule", "severity", "state", "opened_at"}
    c = d["candidates"][0]
    assert c["outfall"] == world["P1"].code and c["name"] == "排口P1" and c["town"] == world["town_a"].name
    assert {"lon", "lat", "type", "evidence", "share"} <= set(c)
    assert set(d["model"]) == {"version", "decay_per_day", "window_h", "dispersion_m2_s"} and d["model"]["decay_per_day"] == 0.2
    assert set(d["map"]) == {"reaches", "sections", "outfalls"}
    assert set(d["map"]["reaches"][0]) == {"id", "coords", "upstream"}
    assert set(d["series"][0]) == {"section", "times", "observed", "explained"}
    assert d["tasks"] == [{"outfall": world["P1"].code, "assignee": "inspector", "deadline": None, "state": "open",
                           "result": "", "note": ""}]
    json.dumps(d)  # plain JSON values only


def cli(monkeypatch, capsys, *args):
    import outfall.cli as cli_mod

    monkeypatch.setattr(cli_mod, "django_setup", lambda *a, **k: None)
    code = cli_mod.main(["trace", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_contract(world, monkeypatch, capsys):
    at = world["peak"].isoformat()
    code, out, _ = cli(monkeypatch, capsys, world["SM"].code, "--parameter", "NH3N", "--at", at, "--format", "json")
    assert code == 0
    d = json.loads(out)
    assert list(d)[:7] == ["section", "parameter", "at", "observed", "limit", "candidates", "unexplained_share"]
    assert d["section"] == world["SM"].code and d["parameter"] == "NH3N" and d["candidates"][0]["outfall"] == world["P1"].code
    for c in d["candidates"]:
        assert {"outfall", "score", "share", "distance_km", "travel_time_h", "estimated_contribution_mg_l", "evidence",
                "group"} <= set(c)
    assert d["candidates"] == sorted(d["candidates"], key=lambda c: -c["score"])
    assert Trace.objects.count() == 0  # the CLI prints; it stores nothing
    # without --at: the latest reading (no alert here)
    code, out, _ = cli(monkeypatch, capsys, world["SM"].code, "--parameter", "氨氮", "--format", "json")
    latest = SectionReading.objects.filter(section=world["SM"]).latest("time").time
    assert code == 0 and dt.datetime.fromisoformat(json.loads(out)["at"]) == latest
    # with an alert: its peak
    make_alert(world)
    code, out, _ = cli(monkeypatch, capsys, world["SM"].code, "--parameter", "NH3N", "--format", "json")
    assert dt.datetime.fromisoformat(json.loads(out)["at"]) == world["peak"]
    code, out, _ = cli(monkeypatch, capsys, world["SM"].code, "--parameter", "NH3N")
    assert code == 0 and world["P1"].code in out and "未解释" in out


@pytest.mark.parametrize(("args", "text"), [
    (["NOPE", "--parameter", "NH3N"], "不存在"),
    (["TSSM", "--parameter", "XYZ"], "未知监测指标"),
    (["TSSM", "--parameter", "NH3N", "--at", "2030-13-01"], "不是时间"),
    (["TSSM", "--parameter", "TP"], "没有 TP 的读数"),
    (["TSSM", "--parameter", "NH3N", "--at", "2025-09-01T00:00"], "没有氨氮"),
])
def test_cli_refuses_bad_input_with_exit_2(world, monkeypatch, capsys, args, text):
    code, out, err = cli(monkeypatch, capsys, *args)
    assert code == 2 and text in err and out == ""


def test_report_data_passes_the_report_writers_check(world):
    check = pytest.importorskip("outfall.reports.trace_input").check_trace_report
    admin = world["users"]["admin"]
    t = services.trace_alert(make_alert(world), actor=admin)
    services.create_task(t, world["P1"], actor=admin, deadline=dt.date(2025, 7, 9))
    check(report_data(t, user=admin))
    from outfall.ledger.services import cancel_outfall

    for k in ("P1", "P2", "P3"):
        cancel_outfall(world[k], actor=admin, reason="封堵")
    empty = services.start_trace(world["SM"], "NH3N", world["peak"], actor=admin)
    check(report_data(empty))  # no candidate, no alert, no user


def test_apps_above_add_their_violations_through_the_hook(world, monkeypatch):
    from outfall.traces import inputs

    admin = world["users"]["admin"]
    assert inputs.violations_by_outfall() == {}
    monkeypatch.setattr(inputs, "violation_sources", [lambda: {world["P2"].pk: 2}, lambda: {world["P2"].pk: 1}])
    t = services.start_trace(world["SM"], "NH3N", world["peak"], actor=admin)
    assert inputs.violations_by_outfall() == {world["P2"].pk: 3}
    ev = {c["outfall"]: c["evidence"] for c in t.result["candidates"]}
    assert ev[world["P2"].code]["history"] == pytest.approx(1.3) and ev[world["P1"].code]["history"] == 1.0
