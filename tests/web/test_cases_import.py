"""The inspection office's case workbook: import through the page, the service and the CLI, whole or
nothing, every problem listed with file, row and column; export, and the export re-imports unchanged."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from factories import make_outfall, make_towns, make_users
from outfall.cases import services
from outfall.cases.excel import case_cells, export_cases, import_cases
from outfall.cases.models import Case
from outfall.core.errors import PermissionDeniedError, RowErrors
from outfall.history.models import ChangeRecord

pytestmark = pytest.mark.django_db

HEADER = ["序号", "来源", "批次", "交办编号", "交办时间", "问题类型", "所属镇街", "问题描述", "涉及排污口编码", "办理期限"]


def workbook(rows, header=HEADER, *, title: str | None = "第三轮中央生态环境保护督察交办件清单（第1批）") -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "交办件"
    if title:
        ws.append([title])  # the title row offices put above the header
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def w():
    a, b = make_towns()
    users = make_users(a, b)
    return {"a": a, "b": b, "users": users, "outfall": make_outfall(a, users["admin"])}


def good_rows(w):
    return [[1, "中央", "第1批", "DSD2025001", "2025-06-01", "水污染", "水集街道", "某村生活污水直排小沽河",
             w["outfall"].code, "2025-06-30"],
            [2, "中央", "第1批", "DSD2025002", "2025年6月1日", "水污染", "姜山镇、水集街道", "养殖场粪污外溢", "", ""],
            [3, "省级", "第2批", 20250003, "2025/6/3", "", w["b"].code, "河道两侧垃圾", "", None]]


def test_a_good_batch_lands_whole_under_one_batch_id(w):
    r = import_cases(workbook(good_rows(w)), actor=w["users"]["bureau"], name="交办件.xlsx")
    assert r.committed and r.created == 3 and r.errors == [] and r.header_row == 2
    c1, c2, c3 = (Case.objects.get(number=n) for n in ("DSD2025001", "DSD2025002", "20250003"))
    assert (c1.source, c1.batch, c1.intake_date.isoformat(), c1.deadline.isoformat()) == (
        "central_inspection", "第1批", "2025-06-01", "2025-06-30")
    assert list(c1.outfalls.all()) == [w["outfall"]] and c1.title == "某村生活污水直排小沽河"
    assert c2.deadline.isoformat() == "2025-07-01" and {t.name for t in c2.towns.all()} == {"水集街道", "姜山镇"}
    assert c3.source == "provincial_inspection" and c3.number == "20250003" and c3.towns.get() == w["b"]
    recs = ChangeRecord.objects.filter(action="import")
    assert recs.count() == 3 and len({r.batch_id for r in recs}) == 1 and recs[0].batch_id == r.batch_id


def test_every_problem_is_listed_and_nothing_is_written(w):
    Case.objects.create(source="central_inspection", number="DSD2025009", title="已有", intake_date="2025-05-01",
                        deadline="2025-05-31")
    rows = good_rows(w) + [
        [4, "中央", "第1批", "DSD2025001", "2025-06-02", "", "水集街道", "编号与第3行重复", "", ""],
        [5, "中央", "第1批", "DSD2025009", "2025-06-02", "", "水集街道", "编号已存在", "", ""],
        [6, "中央", "第1批", "DSD2025010", "六月二日", "", "水集街道", "日期不对", "", ""],
        [7, "中央", "第1批", "DSD2025011", "2025-06-05", "", "夏格庄镇", "镇街不存在", "370285X9999", ""],
        [8, "中央", "第1批", "DSD2025012", "2025-06-05", "", "水集街道", "期限早于交办", "", "2025-06-01"],
        [9, "市级", "第1批", "DSD2025013", "2025-06-05", "", "水集街道", "来源不对", "", ""],
    ]
    before = ChangeRecord.objects.count()
    with pytest.raises(RowErrors) as e:
        import_cases(workbook(rows), actor=w["users"]["bureau"], name="交办件.xlsx")
    got = {(x.row, x.column) for x in e.value.errors}
    assert got == {(6, "交办编号"), (7, "交办编号"), (8, "交办时间"), (9, "所属镇街"), (9, "涉及排污口编码"),
                   (10, "办理期限"), (11, "来源")}, e.value.errors
    assert all(x.file == "交办件.xlsx" and x.sheet == "交办件" for x in e.value.errors)
    msgs = {(x.row, x.column): x.message for x in e.value.errors}
    assert "与第 3 行重复" in msgs[(6, "交办编号")] and "已存在" in msgs[(7, "交办编号")]
    assert "夏格庄镇" in msgs[(9, "所属镇街")] and "370285X9999" in msgs[(9, "涉及排污口编码")]
    assert "早于交办时间" in msgs[(10, "办理期限")]
    assert Case.objects.count() == 1 and ChangeRecord.objects.count() == before
    dry = import_cases(workbook(rows), actor=w["users"]["bureau"], name="交办件.xlsx", dry_run=True)
    assert not dry.committed and len(dry.errors) == 7 and Case.objects.count() == 1


def test_unknown_and_missing_columns(w):
    header = ["来源", "批次", "交办时间", "问题描述", "督办意见", "整改时限要求"]
    with pytest.raises(RowErrors) as e:
        import_cases(workbook([["中央", "第1批", "2025-06-01", "x", "y", "z"]], header=header),
                     actor=w["users"]["bureau"], name="f.xlsx")
    got = {(x.row, x.column) for x in e.value.errors}
    assert got == {(2, "督办意见"), (2, "整改时限要求"), (2, "交办编号")}
    assert any("未知列「督办意见」" in x.message for x in e.value.errors)
    assert any("缺少必填列「交办编号」" in x.message for x in e.value.errors)
    assert not Case.objects.exists()


def test_only_bureau_roles_import(w):
    for name in ("town_a", "inspector", "viewer"):
        with pytest.raises(PermissionDeniedError):
            import_cases(workbook(good_rows(w)), actor=w["users"][name], name="f.xlsx")
    assert not Case.objects.exists()


def test_the_import_page(client, w):
    client.force_login(w["users"]["bureau"])
    bad = workbook(good_rows(w), header=[*HEADER[:-1], "督办意见"])
    r = client.post(reverse("cases:import"), {"file": SimpleUploadedFile("交办件.xlsx", bad), "dry_run": "0"})
    page = r.content.decode()
    assert r.status_code == 200 and 'id="import-errors"' in page and "未知列「督办意见」" in page and "交办件.xlsx" in page
    assert not Case.objects.exists()
    r = client.post(reverse("cases:import"), {"file": SimpleUploadedFile("交办件.xlsx", workbook(good_rows(w))),
                                              "dry_run": "1"})
    assert '<b id="created-count">3</b>' in r.content.decode() and not Case.objects.exists()
    r = client.post(reverse("cases:import"), {"file": SimpleUploadedFile("交办件.xlsx", workbook(good_rows(w))),
                                              "dry_run": "0"})
    assert "已导入" in r.content.decode() and Case.objects.count() == 3
    client.force_login(w["users"]["town_a"])
    assert client.get(reverse("cases:import")).status_code == 403


def test_the_export_re_imports_unchanged(w, tmp_path):
    bureau = w["users"]["bureau"]
    import_cases(workbook(good_rows(w)), actor=bureau, name="a.xlsx")
    services.open_case(actor=bureau, source="complaint", title="=HYPERLINK(\"x\")", channel="12369",
                       complainant_name="张三", complainant_contact="13812345678", towns=[w["a"]], number="XF-1",
                       description="#N/A")
    cells = sorted(case_cells(c, user=bureau) for c in Case.objects.all())
    data = export_cases(Case.objects.all(), user=bureau)
    Case.objects.all().delete()
    result = import_cases(data, actor=bureau, name="export.xlsx")
    assert result.created == 4
    assert sorted(case_cells(c, user=bureau) for c in Case.objects.all()) == cells


def test_the_cli_imports_and_exports(w, tmp_path, monkeypatch):
    import outfall.cli

    monkeypatch.setattr(outfall.cli, "django_setup", lambda *a, **k: None)
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(good_rows(w)))
    bad.write_bytes(workbook(good_rows(w) + [[4, "中央", "", "DSD2025001", "2025-06-02", "", "", "重复", "", ""]]))

    def run(*argv):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = outfall.cli.main(list(argv))
        return code, out.getvalue(), err.getvalue()

    code, out, err = run("cases", "import", str(bad), "--user", "bureau")
    assert code == 2 and "bad.xlsx" in err and "第6行" in err and "交办编号" in err and not Case.objects.exists()
    code, out, _ = run("cases", "import", str(good), "--dry-run", "--format", "json")
    assert code == 0 and json.loads(out)["created"] == 3 and not Case.objects.exists()
    code, _out, err = run("cases", "import", str(good), "--user", "town_a")
    assert code == 2 and not Case.objects.exists()
    code, out, _ = run("cases", "import", str(good), "--user", "bureau")
    assert code == 0 and Case.objects.count() == 3
    target = tmp_path / "out.xlsx"
    code, out, _ = run("cases", "export", str(target), "--user", "town_b")
    assert code == 0 and target.exists()
    numbers = [r[2] for r in openpyxl.load_workbook(target).active.iter_rows(min_row=2, values_only=True)]
    assert numbers == ["DSD2025002", "20250003"]  # town B staff export only the cases linking their town
    assert run("cases", "export", str(tmp_path / "out.csv"))[0] == 2


def test_campaign_findings_name_their_campaign(w):
    bureau = w["users"]["bureau"]
    services.create_campaign(actor=bureau, name="2025年专项", year=2025)
    header = ["来源", "交办编号", "交办时间", "问题描述", "专项行动", "所属镇街"]
    rows = [["专项执法检查发现问题", "ZX-1", "2025-04-02", "排口无标识", "2025年专项", "水集街道"],
            ["专项", "ZX-2", "2025-04-03", "排口破损", "2024年专项", "水集街道"],
            ["中央", "ZX-3", "2025-04-03", "错配", "2025年专项", "水集街道"]]
    with pytest.raises(RowErrors) as e:
        import_cases(workbook(rows, header=header, title=None), actor=bureau, name="zx.xlsx")
    assert [(x.row, x.column) for x in e.value.errors] == [(3, "专项行动"), (4, "专项行动")]
    import_cases(workbook(rows[:1], header=header, title=None), actor=bureau, name="zx.xlsx")
    assert Case.objects.get().campaign.name == "2025年专项"
