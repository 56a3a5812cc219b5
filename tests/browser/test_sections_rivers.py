"""A bureau user imports a river file, sees its report, asks what is upstream of a section, and
opens the section page with its charts (plotly served by the app) and assessments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import PASSWORD, make_towns, make_users
from outfall.demo.laixi import rivers_geojson
from outfall.monitoring.ingest import import_readings
from outfall.monitoring.services import import_sections

pytestmark = pytest.mark.django_db(transaction=True)
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "readings_sample.csv"


def test_rivers_upload_navigate_and_section_chart(page, live_server, login, tmp_path):
    a, b = make_towns()
    users = make_users(a, b)
    import_sections(("断面编码,断面名称,经度,纬度,水质目标\n370285S01,马连庄,120.4235,37.12,Ⅱ\n"
                     "370285S02,产芝水库,120.443,36.976,Ⅲ\n370285S03,洙河入河口,120.41,36.844,Ⅳ\n"
                     "370285S04,大沽河沽河桥,120.384,36.776,Ⅲ\n").encode(),
                    actor=users["admin"], name="s.csv")
    import_readings(SAMPLE.read_bytes(), actor=users["admin"], name=SAMPLE.name)
    f = tmp_path / "laixi.geojson"
    f.write_text(json.dumps(rivers_geojson(), ensure_ascii=False), encoding="utf-8")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login("bureau", PASSWORD)
    page.click("nav >> text=河网")
    page.set_input_files("input[name=file]", str(f))
    with page.expect_navigation():
        page.click("button:has-text('导入河网')")
    assert "已导入 10 个河段" in page.inner_text(".messages")
    assert "未发现问题" in page.inner_text("#report")
    page.fill("input[name=start]", "370285S03")
    page.select_option("select[name=mode]", "UT")
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    rows = page.locator("#nav-result tr")
    assert rows.count() == 2  # header + the 洙河 reach itself (the section is on ZH-01 near its mouth)
    assert "ZH-01" in page.inner_text("#nav-result")
    page.click("nav >> text=断面")
    page.click("text=370285S03")
    page.wait_for_selector("#chart-NH3N .main-svg")
    assert "Ⅴ类" in page.inner_text("#latest") and "超标" in page.inner_text("#latest")
    assert page.locator(".periods").first.inner_text().count("2025-11") == 1
    assert errors == []
