"""``outfall classify FILE`` (shared/DESIGN.md §3): output shape, hand-worked classes, refused input, no Django.

Expected classes of tests/data/readings_sample.csv, by GB 3838-2002 Table 1:

- 370285S01 (river): NH3N 0.12 I, TP 0.032 II (0.02 < 0.032 ≤ 0.1), DO 10.9 I, CODMn 2.2 II (2 < 2.2 ≤ 4),
  pH 8.1 I, water temperature −0.4 not evaluated → II, limited by CODMn and TP, nothing over III.
- 370285S02 (lake), 20:00: TP 0.06 lake IV (0.05 < 0.06 ≤ 0.1), ×(0.06 − 0.05)/0.05 = 0.2; NH3N 0.2 II;
  TN 1.2 is a reference item → IV. 08:00: TP "*" only → no value, class null.
- 370285S03 (river): NH3N 1.62 V, ×0.62; TP 0.31 V, ×(0.31 − 0.2)/0.2 = 0.55; COD 24 IV, ×(24 − 20)/20 = 0.2;
  volatile phenol 0.002L at its limit → I → V, limited by NH3N and TP.
- 370285S04 (no water type → river): TP w21011 45 µg/L = 0.045 mg/L II; CODMn 4.1 III → III.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from outfall.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "readings_sample.csv"

EXPECTED = [
    {"site_code": "370285S01", "time": "2025-11-06T20:00:00+08:00", "class": "II", "limiting": ["CODMN", "TP"],
     "exceedance": {}},
    {"site_code": "370285S02", "time": "2025-11-06T20:00:00+08:00", "class": "IV", "limiting": ["TP"],
     "exceedance": {"TP": 0.2}},
    {"site_code": "370285S02", "time": "2025-11-07T08:00:00+08:00", "class": None, "limiting": [], "exceedance": {}},
    {"site_code": "370285S03", "time": "2025-11-06T20:00:00+08:00", "class": "V", "limiting": ["NH3N", "TP"],
     "exceedance": {"COD": 0.2, "NH3N": 0.62, "TP": 0.55}},
    {"site_code": "370285S04", "time": "2025-11-06T20:00:00+08:00", "class": "III", "limiting": ["CODMN"],
     "exceedance": {}},
]


def _json(capsys, *args) -> list:
    assert main(["classify", *map(str, args), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_is_the_design_contract(capsys):
    assert _json(capsys, SAMPLE) == EXPECTED


def test_water_type_from_the_file_else_the_option(capsys, tmp_path):
    f = tmp_path / "tp.csv"
    f.write_text("site_code,time,parameter,value\nS1,2025-11-06 20:00,TP,0.06\n", encoding="utf-8")
    assert _json(capsys, f)[0]["class"] == "II"  # default river: 0.02 < 0.06 ≤ 0.1
    out = _json(capsys, f, "--water-type", "lake")
    assert out[0]["class"] == "IV" and out[0]["exceedance"] == {"TP": 0.2}
    # the file's own column wins over the option
    assert _json(capsys, SAMPLE, "--water-type", "lake")[3]["class"] == "V"  # S03 says river: TP 0.31 river V


def test_csv_and_table_formats(capsys):
    assert main(["classify", str(SAMPLE), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "site_code,time,class,limiting,exceedance"
    assert lines[4] == "370285S03,2025-11-06T20:00:00+08:00,V,NH3N;TP,COD:0.2;NH3N:0.62;TP:0.55"
    assert main(["classify", str(SAMPLE)]) == 0
    table = capsys.readouterr().out
    assert "氨氮(0.62)" in table and "高锰酸盐指数" in table


def test_refused_input_exits_2_with_every_error(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("site_code,time,parameter,value,unit\nS1,20:00,NH3N,0.5,mg/L\nS1,2025-11-06,奇怪,1,mg/L\n"
                   "S1,2025-11-06,TP,-1,mg/L\n", encoding="utf-8")
    assert main(["classify", str(bad), "--format", "json"]) == 2
    err = capsys.readouterr().err
    assert "发现 3 处错误" in err and "bad.csv 第2行 列「监测时间」" in err and "第4行 列「监测值」" in err


def test_conflicting_water_types_in_one_sample_are_refused(capsys, tmp_path):
    f = tmp_path / "wt.csv"
    f.write_text("site_code,time,parameter,value,water_type\nS1,2025-11-06,TP,0.06,river\n"
                 "S1,2025-11-06,NH3N,0.2,lake\n", encoding="utf-8")
    assert main(["classify", str(f)]) == 2
    assert "wt.csv 第3行 列「水体类型」" in capsys.readouterr().err


def test_missing_file_is_a_clear_error(capsys, tmp_path):
    assert main(["classify", str(tmp_path / "nope.csv")]) == 2
    assert "无法读取文件" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX subprocess")
def test_classify_never_starts_django():
    code = ("import sys; from outfall.cli import main; main(['classify', sys.argv[1], '--format', 'json']); "
            "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'")
    done = subprocess.run([sys.executable, "-c", code, str(SAMPLE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == EXPECTED
