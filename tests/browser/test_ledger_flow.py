"""A bureau user logs in, imports a file with errors, sees them, fixes it, commits, opens an
outfall file and sees its history (issue: foundation, browser test)."""

from __future__ import annotations

import csv

import pytest

from factories import PASSWORD, make_towns, make_users

pytestmark = pytest.mark.django_db(transaction=True)

HEADER = ["排污口编码", "排污口名称", "一级类型", "经度", "纬度", "所属镇街", "受纳水体", "统一社会信用代码", "责任主体"]


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)


def test_import_fix_commit_and_history(page, live_server, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    town_a, town_b = make_towns()
    make_users(town_a, town_b)
    bad, good = tmp_path / "台账.csv", tmp_path / "台账-改.csv"
    write(bad, [["", "甲厂排口", "工业排污口", "120.5", "36.9", "水集街道", "大沽河", "91350100M000100Y44", "甲厂"],
                ["", "乙村排口", "其他排口", "36.9", "120.5", "姜山镇", "小沽河", "", ""]])
    write(good, [["", "甲厂排口", "工业排污口", "120.5", "36.9", "水集街道", "大沽河", "91350100M000100Y43", "甲厂"],
                 ["", "乙村排口", "其他排口", "120.5", "36.9", "姜山镇", "小沽河", "", ""]])

    login("bureau", PASSWORD)
    page.click("nav >> text=导入")
    page.set_input_files("input[type=file]", str(bad))
    with page.expect_navigation():
        page.click("button:has-text('试导入')")
    errors = page.locator("#import-errors")
    assert "校验位错误" in errors.inner_text()
    assert "经纬度可能颠倒" in errors.inner_text()
    assert page.locator("#error-count").inner_text() == "2"
    assert page.locator("#commit").count() == 0

    page.set_input_files("input[type=file]", str(good))
    with page.expect_navigation():
        page.click("button:has-text('试导入')")
    assert page.locator("#error-count").inner_text() == "0"
    with page.expect_navigation():
        page.click("#commit")
    assert "已导入" in page.locator("#import-result").inner_text()

    page.click("nav >> text=台账")
    assert "共 2 个" in page.locator("#counts").inner_text()
    page.fill("input[name=q]", "甲厂")
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    page.click("text=370285G0001")
    page.click("text=修改")
    page.fill("#id_name", "甲厂总排口")
    with page.expect_navigation():
        page.click("button:has-text('保存')")
    history = page.locator("#history").inner_text()
    assert "甲厂排口" in history and "甲厂总排口" in history and "导入" in history
    page.screenshot(path=str(tmp_path / "outfall-file.png"), full_page=True)
