"""Every CLI command on a new, empty database answers with what is missing and the next step, never
a traceback (issue #8). Commands are enumerated from the argparse parser, so a new one is covered
without editing this file; each runs on its own copy of an empty, migrated SQLite database."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from outfall.cli import build_parser

DATA = Path(__file__).resolve().parents[1] / "data"

#: Commands not run here, with the test that covers them.
SKIP = {
    ("serve",): "blocks while serving; tests/web/test_serve.py starts it on a new database",
    ("demo",): "fills the database by design; tests/web/test_cli.py runs it on a new database",
    ("worker",): "runs until stopped; tests/web/test_health.py starts it beside serve",
}

#: A real file for positional FILE arguments, by the command's words (else a file that does not exist).
FILES = {
    ("import", "towns"): DATA / "deploy" / "towns.geojson",
    ("import", "rivers"): DATA / "deploy" / "rivers.geojson",
    ("import", "sections"): DATA / "deploy" / "sections.csv",
    ("import", "outfalls"): DATA / "deploy" / "ledger.csv",
    ("import", "readings"): DATA / "deploy" / "readings.csv",
    ("classify",): DATA / "readings_sample.csv",
}


def _subparsers(parser: argparse.ArgumentParser):
    return [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]


def _leaves(parser: argparse.ArgumentParser, words: tuple = ()):
    subs = _subparsers(parser)
    if not subs:
        yield words, parser
        return
    for name, child in subs[0].choices.items():
        yield from _leaves(child, (*words, name))


def command_lines(tmp: Path) -> list[tuple[str, ...]]:
    """One argv per leaf command (and per choice of a positional with choices)."""
    lines = []
    for words, parser in _leaves(build_parser()):
        variants = [words]
        for action in parser._actions:
            if action.option_strings and not action.required:
                continue
            if action.option_strings:  # a required option: its first choice, else a word
                value = action.choices[0] if action.choices else "x"
                variants = [(*v, action.option_strings[0], str(value)) for v in variants]
            elif action.choices:
                variants = [(*v, str(c)) for v in variants for c in action.choices]
            elif action.type is Path or action.dest == "file":
                variants = [(*v, str(FILES.get(tuple(a for a in v if not a.startswith("-"))[:2],
                                               FILES.get(v[:1], tmp / "missing.csv")))) for v in variants]
            else:
                variants = [(*v, "x") for v in variants]
        lines.extend(v for v in variants if v[: len(words)] not in SKIP and words[:1] not in {k[:1] for k in SKIP})
    return lines


def _run(argv, db: Path, tmp: Path):
    env = {**os.environ, "OUTFALL_DATA_DIR": str(tmp)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("OUTFALL_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "outfall", *argv, "--db", f"sqlite:///{db}"], capture_output=True,
                          text=True, env=env, timeout=300, stdin=subprocess.DEVNULL, cwd=tmp)


def test_every_command_on_an_empty_database(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    r = _run(["user", "list"], empty, tmp_path)  # migrates a new database; there is no user yet
    assert r.returncode == 0 and "尚无用户" in r.stderr, r.stderr
    lines = command_lines(tmp_path)
    assert ("network", "check") in lines and ("import", "towns", str(FILES[("import", "towns")])) in lines
    assert len(lines) >= 14

    def one(k_argv):
        k, argv = k_argv
        db = tmp_path / f"c{k}.sqlite3"
        shutil.copy(empty, db)
        if argv[-1].endswith(".xlsx") or argv[0] == "export":
            argv = (*argv[:-1], str(tmp_path / f"out{k}.xlsx"))
        return argv, _run(list(argv), db, tmp_path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, enumerate(lines)))
    for argv, r in results:
        said = r.stdout + r.stderr
        assert "Traceback" not in r.stderr, (argv, r.stderr)
        assert r.returncode in (0, 2), (argv, r.returncode, said)
        assert said.strip(), argv
        if r.returncode:
            assert r.stderr.startswith("错误: "), (argv, r.stderr)
    said = {" ".join(a[:2]): r.stdout + r.stderr for a, r in results}
    assert "尚无河网: 先导入河网 (outfall import rivers FILE)" in said["network check"]
    assert "尚未导入河网" in said["network navigate"]
    assert "no administrator yet: outfall user add NAME --role admin" in said["import towns"]
    assert "尚无排污口，导出的是空表" in said["export ledger"]


def test_with_only_an_administrator_each_import_names_the_step_before_it(tmp_path):
    db = tmp_path / "a.sqlite3"
    r = _run(["user", "add", "root", "--role", "admin"], db, tmp_path)
    assert r.returncode == 0, r.stderr
    r = _run(["import", "outfalls", str(FILES[("import", "outfalls")])], db, tmp_path)
    assert r.returncode == 2 and "尚无镇街 / no towns yet: outfall import towns FILE" in r.stderr
    r = _run(["import", "readings", str(FILES[("import", "readings")]), "--dry-run"], db, tmp_path)
    assert r.returncode == 2 and "no sections or outfalls yet: outfall import sections FILE" in r.stdout


def test_import_towns_crs_option_for_a_file_that_declares_none(tmp_path):
    """A GeoJSON in projected metres without a ``crs`` member: refused, then read with --crs."""
    import json

    import numpy as np
    import shapely
    from pyproj import Transformer

    fc = json.loads(FILES[("import", "towns")].read_text(encoding="utf-8"))
    tr = Transformer.from_crs(4326, 4549, always_xy=True)
    for f in fc["features"]:
        g = shapely.transform(shapely.geometry.shape(f["geometry"]),
                              lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
        f["geometry"] = shapely.geometry.mapping(g)
    path = tmp_path / "towns_gk.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "c.sqlite3"
    assert _run(["user", "add", "root", "--role", "admin"], db, tmp_path).returncode == 0
    r = _run(["import", "towns", str(path), "--dry-run"], db, tmp_path)
    assert r.returncode == 2 and "不是经纬度且文件未声明坐标系 (用 --crs 指定" in r.stdout
    r = _run(["import", "towns", str(path), "--crs", "EPSG:4549"], db, tmp_path)
    assert r.returncode == 0 and "新建: 3" in r.stdout, r.stdout + r.stderr
    r = _run(["import", "outfalls", str(path), "--crs", "EPSG:4549"], db, tmp_path)
    assert r.returncode == 2 and "--crs 不适用于 outfalls" in r.stderr
