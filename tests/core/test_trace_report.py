"""The Word trace report (issue #10 item 3): built from a real trace of a simulated spill, reopened with
python-docx and read back: headings, the candidate table in the tracer's order, the pictures, the
Chinese fonts; bad input named by its key; any candidate list gives a valid document."""

from __future__ import annotations

import copy
import io
import os
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta
from functools import cache

import docx
import numpy as np
import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from networks import confluence

from outfall.core.errors import InputError
from outfall.core.network import build_network
from outfall.core.simulate import Point, Pulse, Source, Steady, simulate
from outfall.core.simulate.scenario import readings_for
from outfall.core.tracing import OutfallSite, SectionSite, trace
from outfall.reports import figures
from outfall.reports.trace_docx import trace_report_docx
from outfall.reports.trace_input import TRACE_REPORT_SPEC

T0 = datetime(2026, 5, 1, 0, 0)
TIMES = np.arange(0.0, 36.0, 1.0)
HEADINGS = ["一、结论", "二、候选排污口排序", "三、溯源示意图", "四、各断面实测与模型解释浓度", "五、核查任务",
            "六、模型参数与说明"]


def _iso(h: float) -> str:
    return (T0 + timedelta(hours=float(h))).isoformat() + "+08:00"


@cache
def _traced() -> dict:
    """A spill from P0 on tributary t1 of the confluence network, traced by the real core tracer at the
    outlet section, then dressed with the keys the traces app adds from the database."""
    reaches = confluence()
    net = build_network(reaches)
    ix = net.index
    layout = [("P0", "t1", 0.3, "工业排污口", 0.02, 2), ("P1", "t2", 0.5, "城镇污水处理厂排污口", None, 0),
              ("P2", "m", 0.1, "", 0.01, 0), ("P3", "t1", 0.6, "农业排口", 0.005, 1)]
    outs = [OutfallSite(c, ix[r], m, typ, q, v) for c, r, m, typ, q, v in layout]
    srcs = [Source(o.code, o.reach, o.measure, o.discharge_m3_s or 0.01,
                   Pulse(200.0, 6.0, 2.0, 2.0) if o.code == "P0" else Steady(2.0)) for o in outs]
    secs = [SectionSite(f"S_{r.id}", ix[r.id], 0.95) for r in reaches]
    pts = [Point(s.code, s.reach, s.measure) for s in secs]
    rd = readings_for(net, srcs, pts, TIMES, own_data={"P0"}, noise_rel=0.05, seed=9, parameter="NH3N",
                      dispersion_m2_s=2.0, background_mg_l=0.3)
    t, v = rd["S_m"]
    at = float(t[np.argmax(v)])
    res = trace(net, outs, secs, rd, section="S_m", parameter="NH3N", at=at, at_label=_iso(at), limit=1.0, n_boot=5)
    model = simulate(net, srcs, pts, TIMES, parameter="NH3N", dispersion_m2_s=2.0, background_mg_l=0.3)
    d = res.as_dict(with_notes=True)
    coords = {r.id: np.asarray(r.coords) for r in reaches}
    site = {c: (typ, *(coords[r][0] + m * (coords[r][-1] - coords[r][0]))) for c, r, m, typ, _, _ in layout}
    for c in d["candidates"]:
        typ, lon, lat = site[c["outfall"]]
        c.update(name=f"{c['outfall']} 某企业排口", type=typ or None, town="水集街道", lon=lon, lat=lat)
    upstream = {p for c in d["candidates"] for p in c["evidence"]["path"]}
    section_xy = {f"S_{r.id}": r.coords[-1] for r in reaches}
    return {
        **{k: d[k] for k in ("observed", "limit", "candidates", "unexplained_share", "notes")},
        "title": "大沽河 S_m 断面氨氮超标溯源报告",
        "section": {"code": "S_m", "name": "大沽河入海口", "river": "大沽河"},
        "parameter": {"code": "NH3N", "name": "氨氮", "unit": "mg/L"},
        "at": d["at"],
        "alert": {"id": 17, "rule": "exceedance", "severity": "high", "state": "open", "opened_at": _iso(at)},
        "model": {"version": "core-2026.11", "decay_per_day": None, "window_h": 48.0, "dispersion_m2_s": 2.0},
        "map": {"reaches": [{"id": r.id, "coords": [list(p) for p in r.coords], "upstream": r.id in upstream}
                            for r in reaches],
                "sections": [{"code": s.code, "name": f"断面 {s.code}", "lon": section_xy[s.code][0],
                              "lat": section_xy[s.code][1]} for s in secs],
                "outfalls": [{"code": c["outfall"], "lon": c["lon"], "lat": c["lat"], "share": c["share"]}
                             for c in d["candidates"]]},
        "series": [{"section": s.code, "times": [_iso(h) for h in rd[s.code][0]],
                    "observed": [float(x) for x in rd[s.code][1]], "explained": [float(x) for x in model[j]]}
                   for j, s in enumerate(secs)],
        "tasks": [{"outfall": d["candidates"][0]["outfall"], "assignee": "张三", "deadline": "2026-05-04",
                   "state": "assigned", "result": None, "note": "夜间采样"}],
        "generated_by": "李四（市生态环境局）",
        "generated_at": "2026-05-01T15:00:00+08:00",
    }


def report() -> dict:
    return copy.deepcopy(_traced())


def _open(data: bytes):
    return docx.Document(io.BytesIO(data))


def _headings(doc) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]


def _candidate_table(doc):
    return next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("排名"))


def _media(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [z.read(n) for n in z.namelist() if n.startswith("word/media/")]


def test_the_report_reads_back_headings_table_pictures_and_fonts():
    r = report()
    assert len(r["candidates"]) == 4 and r["candidates"][0]["outfall"] == "P0"  # the tracer found the spill
    data = trace_report_docx(r)
    doc = _open(data)
    assert doc.paragraphs[0].text == r["title"]
    assert [h.split(" ")[0] for h in _headings(doc)] == HEADINGS
    table = _candidate_table(doc)
    body = table.rows[1:]
    assert [row.cells[1].text.split("\n")[0] for row in body] == [c["outfall"] for c in r["candidates"]]
    assert [row.cells[0].text for row in body] == [str(n) for n in range(1, len(r["candidates"]) + 1)]
    header_props = table.rows[0]._tr.trPr
    assert header_props is not None and header_props.find(qn("w:tblHeader")) is not None
    # the map and one chart per section
    assert len(doc.inline_shapes) == 1 + len(r["series"])
    media = _media(data)
    assert len(media) == 1 + len(r["series"])
    assert all(m.startswith(b"\x89PNG") and len(m) < 150_000 for m in media)
    # Chinese fonts: East Asian font on every run with text, and on the Normal style
    runs = [run for p in doc.paragraphs for run in p.runs if run.text.strip()]
    runs += [run for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs for run in p.runs]
    assert runs and all(run._r.rPr.rFonts.get(qn("w:eastAsia")) in ("宋体", "黑体") for run in runs)
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert {run._r.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs if p.style.name == "Heading 1"
            for run in p.runs} == {"黑体"}


def test_the_words_say_the_conclusion_the_tasks_and_the_footer():
    r = report()
    doc = _open(trace_report_docx(r))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    top = r["candidates"][0]
    assert top["outfall"] in text.split("二、候选排污口排序")[0]  # named in the conclusion
    assert "超标" in cells and "#17" in cells  # observed vs limit, and the alert
    assert "张三" in cells and "夜间采样" in cells  # the verification task
    assert "按指标默认值" in cells  # decay not given: the default is said
    for note in r["notes"]:
        assert note in text
    footer = "\n".join(p.text for p in doc.sections[0].footer.paragraphs)
    assert r["generated_by"] in footer and "2026-05-01 15:00" in footer
    assert "PAGE" in doc.sections[0].footer._element.xml and "NUMPAGES" in doc.sections[0].footer._element.xml


def test_a_group_the_data_cannot_split_is_named_with_its_joint_share():
    r = report()
    for c in r["candidates"][:2]:
        c["group"] = 1
    r["candidates"][0]["share"], r["candidates"][1]["share"] = 0.30, 0.25
    doc = _open(trace_report_docx(r))
    text = "\n".join(p.text for p in doc.paragraphs)
    a, b = r["candidates"][0]["outfall"], r["candidates"][1]["outfall"]
    assert f"无法区分以下 2 个排污口：{a}、{b}" in text and "合计约占本次实测浓度的 55%" in text
    assert "（组 55%）" in _candidate_table(doc).rows[1].cells[4].text


def test_a_lone_top_candidate_is_named_with_its_share_and_its_evidence_in_words():
    r = report()
    for n, c in enumerate(r["candidates"], 1):
        c["group"] = n
    top = r["candidates"][0]
    top["share"], top["evidence"]["share_sd"] = 0.7, 0.05
    r["candidates"][1]["share"] = 0.1
    top["evidence"].update(delivery=0.874, load_feasibility=None, data_reason="own readings elevated ×3.2",
                           type_reason="emits", history=1.2)
    doc = _open(trace_report_docx(r))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"最可能的来源是排污口 {top['outfall']}" in text and "约占本次实测浓度的 70%（±5%），较有把握" in text
    evidence = _candidate_table(doc).rows[1].cells[6].text
    for words in ("衰减后到达 87%", "排放量未知", "自有数据升高 ×3.2", "该类型排放此指标", "2 次违法/超标记录"):
        assert words in evidence


def test_empty_candidates_and_series_still_give_a_report_that_says_so():
    r = report()
    r.update(candidates=[], series=[], tasks=[], notes=[], unexplained_share=1.0)
    r["map"]["outfalls"] = []
    doc = _open(trace_report_docx(r))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert [h.split(" ")[0] for h in _headings(doc)] == HEADINGS
    assert "没有登记的排污口" in text and "本表为空" in text and "没有可供绘图的断面读数" in text
    assert "尚未派发核查任务" in text
    assert len(doc.inline_shapes) == 1  # the map still shows the reaches and sections


@pytest.mark.parametrize(("path", "value"), [
    ("title", None), ("section.code", 3), ("at", "yesterday"), ("observed", "3.2"), ("observed", float("nan")),
    ("candidates[0].evidence.delivery", "0.9"), ("candidates[1].share", True), ("map.reaches[0].coords", [[1]]),
    ("series[1].observed[3]", "x"), ("model.window_h", None), ("alert.opened_at", "soon"), ("tasks[0].state", 1),
])
def test_a_wrong_type_is_refused_naming_its_key(path, value):
    r = report()
    *parents, last = path.replace("[", ".").replace("]", "").split(".")
    node = r
    for k in parents:
        node = node[int(k)] if isinstance(node, list) else node[k]
    node[int(last) if isinstance(node, list) else last] = value
    with pytest.raises(InputError) as e:
        trace_report_docx(r)
    assert path in e.value.message and path in e.value.user_message


@pytest.mark.parametrize("key", [*TRACE_REPORT_SPEC, "candidates.0.evidence", "map.sections.0.lon", "parameter.unit"])
def test_a_missing_key_is_refused_naming_it(key):
    r = report()
    *parents, last = key.split(".")
    node = r
    for k in parents:
        node = node[int(k)] if isinstance(node, list) else node[k]
    del node[last]
    with pytest.raises(InputError) as e:
        trace_report_docx(r)
    want = key.replace(".0.", "[0].")
    assert f"missing key {want}" in e.value.message and want in e.value.user_message


def test_series_of_different_lengths_are_refused():
    r = report()
    r["series"][0]["explained"].pop()
    with pytest.raises(InputError, match=r"series\[0\]"):
        trace_report_docx(r)


def test_labels_stay_ascii_without_a_cjk_font():
    assert figures.label("断面", "section", cjk=False).isascii()
    assert figures.ascii_only("个/L 断面") == "?/L ??"
    png = figures.series_png(report()["series"][0], parameter="氨氮", unit="mg/L", limit=1.0, title="断面 S_m")
    assert png.startswith(b"\x89PNG")


_SHARE = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def candidate_lists(draw):
    """0–40 candidates with shares summing to at most 1, in groups, with optional unknowns."""
    n = draw(st.integers(0, 40))
    raw = draw(st.lists(_SHARE, min_size=n, max_size=n))
    total = draw(_SHARE)
    shares = [total * x / sum(raw) for x in raw] if sum(raw) > 0 else raw
    out = []
    for i, s in enumerate(sorted(shares, reverse=True)):
        ev = {"path": ["m"], "distance_km": draw(st.floats(0, 200)), "travel_time_h": draw(st.floats(0, 48)),
              "delivery": draw(st.floats(0, 1)), "load_feasibility": draw(st.one_of(st.none(), st.floats(0, 1))),
              "data": 1.0, "data_reason": draw(st.sampled_from(["no own readings", "own readings elevated ×3.1",
                                                                 "own readings normal ×1.0", "其他原因"])),
              "type": 1.0, "type_reason": draw(st.sampled_from(["emits", "type unknown", "?"])),
              "history": draw(st.sampled_from([1.0, 1.1, 1.5, 2.0])), "share_sd": s * draw(st.floats(0, 1)),
              "expected_contribution_mg_l": None, "load_ratio": None}
        out.append({"outfall": f"X{i:02d}", "score": s, "share": s, "distance_km": ev["distance_km"],
                    "travel_time_h": ev["travel_time_h"], "estimated_contribution_mg_l": 3.2 * s,
                    "group": draw(st.integers(1, max(1, n // 2))), "evidence": ev,
                    "name": draw(st.one_of(st.none(), st.just(""), st.text(max_size=8))),
                    "type": draw(st.one_of(st.none(), st.just("工业排污口"))), "town": None,
                    "lon": draw(st.one_of(st.none(), st.floats(120.3, 120.5))), "lat": 36.9})
    return out


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cands=candidate_lists())
def test_any_candidate_list_gives_a_valid_document(cands):
    r = report()
    r["candidates"] = cands
    r["unexplained_share"] = 1.0 - sum(c["share"] for c in cands)
    r["map"]["outfalls"] = [{"code": c["outfall"], "lon": c["lon"], "lat": c["lat"] if c["lon"] is not None else None,
                             "share": c["share"]} for c in cands]
    r["series"] = []  # the charts do not depend on the candidates; the map does
    doc = _open(trace_report_docx(r))
    assert [h.split(" ")[0] for h in _headings(doc)] == HEADINGS
    if cands:
        assert [row.cells[1].text.split("\n")[0] for row in _candidate_table(doc).rows[1:]] == \
            [c["outfall"] for c in cands]
    assert len(doc.inline_shapes) == 1


@pytest.mark.skipif(shutil.which("libreoffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice is not installed here (apt-get install libreoffice-writer-nogui; .ci/run does)")
def test_libreoffice_turns_the_report_into_a_pdf(tmp_path):
    src = tmp_path / "trace.docx"
    src.write_bytes(trace_report_docx(report()))
    run = subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                          "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=180, check=False)
    out = tmp_path / "trace.pdf"
    assert run.returncode == 0 and out.exists(), f"exit {run.returncode}: {run.stdout} {run.stderr}"
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
