"""What-if on stored data (``outfall whatif``, ``GET /api/whatif/``) on the small traces network
(tests/web/traces_fixtures.py: P1 on t1 above S1, P2 on t2 above S2, P3 on the main stem above SM).
The oracle is the steady mass balance by hand with no decay: a load L (g/s) removed above a section
lowers it by L / Q, Q the river flow plus the design discharges mixed in above it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.test import Client

import traces_fixtures as fx
from factories import make_outfall, make_towns, make_users
from outfall.core.errors import InputError
from outfall.monitoring.models import SectionReading
from outfall.traces.whatif import parse_period, run_whatif

pytestmark = pytest.mark.django_db

Q_OUT = 1728.0 / 86400.0  # each fixture outfall's design discharge, m³/s
KEYS = ["section", "parameter", "current_mg_l", "predicted_mg_l", "current_class", "predicted_class", "period"]


@pytest.fixture
def world():
    a, b = make_towns()
    users = make_users(a, b)
    w = fx.build(a, users["admin"], other_town=b)
    w.update(users=users, town_a=a, town_b=b)
    return w


def mean_nh3n(section) -> float:
    return float(np.mean([float(v) for v in SectionReading.objects.filter(section=section, parameter="NH3N")
                          .values_list("value", flat=True)]))


def by_section(rows) -> dict:
    return {r["section"]: r for r in rows}


def test_banning_the_upstream_polluter_improves_the_sections_below_and_worsens_none(world):
    fx.add_outfall_readings(world["P1"], [2.0, 4.0])  # own data: 3 mg/L × 0.02 m³/s = 0.06 g/s
    done = run_whatif(ban=[world["P1"].code], parameter="氨氮", decay_per_day=0.0)
    rows = by_section(done.rows)
    s1, s2, sm = (world[k].code for k in ("S1", "S2", "SM"))
    assert set(rows) == {s1, sm}  # S2 is on the other tributary: untouched, left out
    load = 3.0 * Q_OUT
    assert rows[s1]["current_mg_l"] == pytest.approx(mean_nh3n(world["S1"]), abs=1e-6)
    assert rows[s1]["predicted_mg_l"] == pytest.approx(mean_nh3n(world["S1"]) - load / (1.0 + Q_OUT), abs=2e-6)
    assert rows[sm]["predicted_mg_l"] == pytest.approx(mean_nh3n(world["SM"]) - load / (2.0 + 3 * Q_OUT), abs=2e-6)
    for r in done.rows:
        assert 0 < r["predicted_mg_l"] < r["current_mg_l"]
        assert r["parameter"] == "NH3N" and r["period"] == "2024-08～2025-07"
    for k in ("P1", "P2", "P3"):  # any ban, with the parameter's own decay: no section gets worse
        rows = run_whatif(ban=[world[k].code], parameter="NH3N").rows
        assert rows and all(r["predicted_mg_l"] < r["current_mg_l"] for r in rows)


def test_a_load_beyond_what_the_section_carries_is_cut_at_zero_and_said(world):
    fx.add_outfall_readings(world["P1"], [500.0])  # 10 g/s: more than S1 carries
    done = run_whatif(ban=[world["P1"].code], parameter="NH3N")
    s1 = by_section(done.rows)[world["S1"].code]
    assert s1["predicted_mg_l"] == 0 < s1["current_mg_l"]
    assert any("截断" in n and world["S1"].code in n for n in done.notes)


def test_without_own_data_the_load_is_the_types_typical_effluent(world):
    # P3 (urban WWTP, typical NH3N 5 mg/L) has no readings: 5 × 0.02 m³/s comes off SM only
    (row,) = run_whatif(ban=[world["P3"].code], parameter="NH3N", decay_per_day=0.0).rows
    assert row["section"] == world["SM"].code
    assert row["current_mg_l"] - row["predicted_mg_l"] == pytest.approx(5.0 * Q_OUT / (2.0 + 3 * Q_OUT), abs=2e-6)


def test_a_merge_moves_the_load_from_one_tributary_to_the_other(world):
    fx.add_outfall_readings(world["P2"], [2.0])
    rows = by_section(run_whatif(merge={world["P2"].code: world["P1"].code}, parameter="NH3N",
                                 decay_per_day=0.0).rows)
    load = 2.0 * Q_OUT
    s1, s2 = rows[world["S1"].code], rows[world["S2"].code]
    assert s2["predicted_mg_l"] == pytest.approx(s2["current_mg_l"] - load / (1.0 + Q_OUT), abs=2e-6)
    assert s1["predicted_mg_l"] == pytest.approx(s1["current_mg_l"] + load / (1.0 + Q_OUT), abs=2e-6)
    sm = rows.get(world["SM"].code)  # both above SM: its mass balance does not change
    assert sm is None or sm["predicted_mg_l"] == pytest.approx(sm["current_mg_l"], abs=1e-9)


def test_the_period_picks_the_readings(world):
    assert {r["period"] for r in run_whatif(ban=[world["P1"].code], parameter="NH3N", period="2025-07").rows} == {"2025-07"}
    empty = run_whatif(ban=[world["P1"].code], parameter="NH3N", period="2024")
    assert empty.rows == [] and empty.period == "2024" and any("没有 NH3N" in n for n in empty.notes)
    lo, hi, label = parse_period("2025-12", None)
    assert (lo.year, lo.month, hi.year, hi.month, hi.day, label) == (2025, 12, 2025, 12, 31, "2025-12")


def cli(monkeypatch, capsys, *args):
    import outfall.cli as cli_mod

    monkeypatch.setattr(cli_mod, "django_setup", lambda *a, **k: None)
    code = cli_mod.main(["whatif", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_json_keys_are_design_s3_and_the_table_is_readable(world, monkeypatch, capsys):
    code, out, _ = cli(monkeypatch, capsys, "--ban", world["P1"].code, "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert rows and all(list(r) == KEYS for r in rows)
    assert {r["parameter"] for r in rows} == {"NH3N"}  # no --parameter: every one measured that P1 emits
    assert rows == run_whatif(ban=[world["P1"].code]).rows
    code, out, _ = cli(monkeypatch, capsys, "--ban", world["P1"].code, "--parameter", "NH3N")
    assert code == 0 and "情景预测" in out and world["S1"].code in out and "预测类别" in out and "%" in out


@pytest.mark.parametrize(("args", "text"), [
    (["--ban", "NOPE"], "没有这些排污口"),
    (["--merge", "{P1}:{P1}"], "合并到它自己"),
    (["--merge", "{P1}:NOPE"], "没有这些排污口"),
    (["--merge", "{P1}"], "合并须写成"),
    (["--merge", "{P1}:{P3}", "--ban", "{P3}"], "合并目标"),
    (["--ban", "{P1}", "--parameter", "XYZ"], "未知指标"),
    (["--ban", "{P1}", "--parameter", "DO"], "都不排放 DO"),
    (["--ban", "{P1}", "--period", "2025-13"], "时段须为"),
    ([], "请给出要取缔"),
])
def test_cli_refuses_bad_input_with_exit_2_and_the_api_with_400(world, monkeypatch, capsys, args, text):
    args = [a.format(**{k: world[k].code for k in ("P1", "P2", "P3")}) for a in args]
    code, out, err = cli(monkeypatch, capsys, *args)
    assert code == 2 and text in err and out == ""
    query = {}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        query.setdefault(flag.lstrip("-"), []).append(value)
    client = Client()
    client.force_login(world["users"]["viewer"])
    r = client.get("/api/whatif/", query)
    assert r.status_code == 400 and text in r.json()["detail"]


def test_no_network_is_a_clear_error(monkeypatch, capsys):
    a, b = make_towns()
    users = make_users(a, b)
    p = make_outfall(a, users["admin"], design_discharge_m3_d=100.0)
    with pytest.raises(InputError, match="no network") as exc:
        run_whatif(ban=[p.code], parameter="NH3N")
    assert "尚未导入河网" in exc.value.user_message
    code, _, err = cli(monkeypatch, capsys, "--ban", p.code)
    assert code == 2 and "尚未导入河网" in err
    client = Client()
    client.force_login(users["bureau"])
    assert client.get("/api/whatif/", {"ban": p.code}).status_code == 400


def test_api_answers_every_role_the_same_rows_and_anonymous_nobody(world):
    query = {"ban": world["P1"].code, "parameter": "NH3N"}
    assert Client().get("/api/whatif/", query).status_code in (401, 403)
    expected = run_whatif(ban=[world["P1"].code], parameter="NH3N").rows
    for role in ("admin", "bureau", "town_a", "town_b", "inspector", "viewer"):
        client = Client()
        client.force_login(world["users"][role])
        r = client.get("/api/whatif/", query)
        assert r.status_code == 200, role
        assert r.json() == expected and all(list(x) == KEYS for x in r.json())
