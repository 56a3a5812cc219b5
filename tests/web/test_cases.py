"""Cases through pages and API (issue #13 part 1): a complaint and an inspection case each from intake
to close, every step in history; town scope; masking of the complainant; the refusals of the issue's
"Bad input" list that concern cases (deadline before intake, close by a town account, contact asked
by a role that may not see it); evidence files; cases from an alert and from a verification task."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from factories import make_outfall, make_towns, make_users
from outfall.cases import services
from outfall.cases.models import Case, CaseNote
from outfall.history.models import ChangeRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, b = make_towns()
    users = make_users(a, b)
    outfall = make_outfall(a, users["admin"])
    return {"a": a, "b": b, "users": users, "outfall": outfall}


def api(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return c


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buf, "PNG")
    return buf.getvalue()


def history_states(case) -> list:
    ct = ContentType.objects.get_for_model(Case)
    return [r.after.get("state") for r in ChangeRecord.objects.filter(target_type=ct, target_id=str(case.pk))
            .order_by("time", "id")]


def test_a_complaint_from_intake_to_close_through_the_pages(client, w):
    bureau, town = w["users"]["bureau"], w["users"]["town_a"]
    client.force_login(bureau)
    r = client.post(reverse("cases:create"), {
        "source": "complaint", "title": "河边排口冒黑水", "description": "村民反映", "channel": "12345",
        "complainant_name": "张三", "complainant_contact": "13812345678", "intake_date": "2025-03-01",
        "outfalls": w["outfall"].code})
    case = Case.objects.get()
    assert r.status_code == 302 and r.url == reverse("cases:detail", args=[case.pk])
    assert case.deadline == dt.date(2025, 3, 16) and case.number == "2025-XF-0001"  # 15 days for complaints
    assert list(case.towns.all()) == [w["a"]]  # the outfall's town is linked
    page = client.get(r.url).content.decode()
    assert "张三 · 13812345678" in page and 'id="assign-form"' in page and "超期" in page
    assert client.post(reverse("cases:assign", args=[case.pk]), {"town": w["a"].pk}).status_code == 302
    client.force_login(town)  # the town does the handling and the reply
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "张* · 138****5678" in page and "13812345678" not in page and 'id="assign-form"' not in page
    r = client.post(reverse("cases:note", args=[case.pk]), {"text": "已现场核查，封堵暗管",
                                                            "file": SimpleUploadedFile("现场.png", png())})
    assert r.status_code == 302
    note = CaseNote.objects.get()
    assert note.content_type == "image/png" and client.get(reverse("cases:note-file", args=[note.pk])).status_code == 200
    client.post(reverse("cases:reply", args=[case.pk]), {"reply": "已整改并电话答复信访人", "on": "2025-03-10"})
    case.refresh_from_db()
    assert case.state == "replied" and case.replied_on == dt.date(2025, 3, 10)
    assert client.post(reverse("cases:close", args=[case.pk]), {"result": "rectified"}).status_code == 403
    client.force_login(bureau)
    r = client.post(reverse("cases:close", args=[case.pk]), {"result": "rectified", "note": "同意销号",
                                                             "on": "2025-03-12"}, follow=True)
    assert "已办结销号" in r.content.decode()
    case.refresh_from_db()
    assert case.state == "closed" and case.result == "rectified" and case.closed_on == dt.date(2025, 3, 12)
    assert history_states(case) == ["intake", "assigned", "handling", "replied", "closed"]
    timeline = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    for word in ("受理", "已交办", "开始办理", "办理记录", "现场.png", "已答复", "已办结销号"):
        assert word in timeline
    listing = client.get(reverse("cases:list"), {"source": "complaint", "state": "closed", "year": "2025"})
    assert case.number in listing.content.decode()
    assert "信访 1/1 已办结 (100.0%)" in listing.content.decode()  # the year's rates, as the dashboard counts them
    assert case.number not in client.get(reverse("cases:list"), {"state": "intake"}).content.decode()


def test_an_inspection_case_from_intake_to_close_through_the_api(w):
    bureau, town = api(w["users"]["bureau"]), api(w["users"]["town_a"])
    r = bureau.post("/api/cases/", {"source": "central_inspection", "title": "某村生活污水直排", "batch": "第一批",
                                    "number": "DSD2025001", "intake_date": "2025-06-01", "towns": [w["a"].name],
                                    "outfalls": [w["outfall"].code]}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["deadline"] == "2025-07-01" and r.json()["state"] == "intake"
    r = bureau.post(f"/api/cases/{pk}/assign/", {"town": w["a"].code, "department": "执法大队"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "assigned" and r.json()["assigned_town"] == w["a"].name
    r = town.post(f"/api/cases/{pk}/note/", {"text": "方案", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
                  format="multipart")
    assert r.status_code == 400 and "不是可接受的证明材料" in r.json()["detail"]
    f = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    r = town.post(f"/api/cases/{pk}/note/", {"text": "已制定整改方案", "file": f}, format="multipart")
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    assert town.post(f"/api/cases/{pk}/reply/", {"reply": "已整改到位，报督察办"}, format="json").status_code == 200
    r = town.post(f"/api/cases/{pk}/close/", {"result": "rectified"}, format="json")
    assert r.status_code == 403 and "镇街账号无权销号" in r.json()["detail"]
    assert Case.objects.get(pk=pk).state == "replied"
    r = bureau.post(f"/api/cases/{pk}/close/", {"result": "rectified", "note": "验收合格"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert history_states(Case.objects.get(pk=pk)) == ["intake", "assigned", "handling", "replied", "closed"]
    r = bureau.post(f"/api/cases/{pk}/reopen/", {"reason": "回头看发现反弹"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "handling" and r.json()["result"] == ""
    r = bureau.post("/api/cases/", {"source": "central_inspection", "title": "重复", "number": "DSD2025001"},
                    format="json")
    assert r.status_code == 400 and "DSD2025001" in r.json()["detail"] and Case.objects.count() == 1


def test_a_deadline_before_intake_is_refused_on_the_page_and_the_api(client, w):
    client.force_login(w["users"]["bureau"])
    r = client.post(reverse("cases:create"), {"source": "complaint", "title": "x", "intake_date": "2025-03-05",
                                              "deadline": "2025-03-01"})
    assert r.status_code == 200 and "办理期限 2025-03-01 早于受理日期 2025-03-05" in r.content.decode()
    r = api(w["users"]["bureau"]).post("/api/cases/", {"source": "complaint", "title": "x", "intake_date": "2025-03-05",
                                                       "deadline": "2025-03-01"}, format="json")
    assert r.status_code == 400 and "早于受理日期" in r.json()["detail"]
    assert not Case.objects.exists() and not ChangeRecord.objects.filter(target_repr__contains="x").exists()


def test_the_complainant_is_private_to_the_bureau_roles(client, w):
    case = services.open_case(actor=w["users"]["bureau"], source="complaint", title="噪声扰民", towns=[w["a"]],
                              channel="12369", complainant_name="欧阳娜娜", complainant_contact="13912345678")
    for name in ("town_a", "inspector", "viewer"):
        user = w["users"][name]
        client.force_login(user)
        page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert "欧*** · 139****5678" in page and "13912345678" not in page
        r = client.get(reverse("cases:detail", args=[case.pk]), {"contact": "full"})
        assert r.status_code == 403 and "仅局机关人员可见" in r.content.decode()
        c = api(user)
        body = c.get(f"/api/cases/{case.pk}/").json()
        assert body["complainant_contact"] == "139****5678" and body["complainant_name"] == "欧***"
        r = c.get(f"/api/cases/{case.pk}/contact/")
        assert r.status_code == 403 and "仅局机关人员可见" in r.json()["detail"]
        assert c.get("/api/cases/", {"contact": "full"}).status_code == 403
        export = _xlsx_text(client.get(reverse("cases:export")).content)
        assert b"13912345678" not in export and b"139****5678" in export and "欧***".encode() in export
    for name in ("admin", "bureau"):
        client.force_login(w["users"][name])
        assert b"13912345678" in _xlsx_text(client.get(reverse("cases:export")).content)
        c = api(w["users"][name])
        assert c.get(f"/api/cases/{case.pk}/contact/").json()["complainant_contact"] == "13912345678"
        assert c.get(f"/api/cases/{case.pk}/", {"contact": "full"}).json()["complainant_contact"] == "13912345678"
    history = ChangeRecord.objects.get(target_type=ContentType.objects.get_for_model(Case), target_id=str(case.pk),
                                       action="create").after
    assert history["contact"] == "139****5678" and history["complainant"] == "欧***"  # history is read by everyone


def _xlsx_text(data: bytes) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return "\n".join(str(c) for row in wb.active.iter_rows(values_only=True) for c in row).encode()


def test_town_staff_see_and_act_only_on_their_towns_cases(client, w):
    bureau = w["users"]["bureau"]
    mine = services.open_case(actor=bureau, source="complaint", title="甲", towns=[w["a"]])
    theirs = services.open_case(actor=bureau, source="complaint", title="乙", towns=[w["b"]])
    services.assign_case(theirs, actor=bureau, town=w["b"])
    client.force_login(w["users"]["town_a"])
    listing = client.get(reverse("cases:list")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("cases:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("cases:note", args=[theirs.pk]), {"text": "x"}).status_code == 404
    assert api(w["users"]["town_a"]).get(f"/api/cases/{theirs.pk}/").status_code == 404
    # a case the town opens itself links its town
    r = client.post(reverse("cases:create"), {"source": "field", "title": "巡查发现排口渗漏"})
    assert r.status_code == 302 and Case.objects.get(title="巡查发现排口渗漏").towns.get() == w["a"]


def test_steps_out_of_order_and_bad_evidence_are_refused(client, w):
    bureau = w["users"]["bureau"]
    case = services.open_case(actor=bureau, source="complaint", title="甲", towns=[w["a"]])
    client.force_login(bureau)
    r = client.post(reverse("cases:reply", args=[case.pk]), {"reply": "x"}, follow=True)
    assert "不能改为「已答复」" in r.content.decode()
    r = client.post(reverse("cases:note", args=[case.pk]), {"text": "x"}, follow=True)
    assert "尚未交办" in r.content.decode()
    services.assign_case(case, actor=bureau, town=w["a"])
    r = client.post(reverse("cases:note", args=[case.pk]), {"text": "证明", "file": SimpleUploadedFile(
        "a.png", b"not really a picture")}, follow=True)
    assert "不是可接受的证明材料" in r.content.decode() and not CaseNote.objects.exists()
    r = client.post(reverse("cases:close", args=[case.pk]), {"result": "rectified"}, follow=True)
    assert "须先答复" in r.content.decode()
    assert Case.objects.get(pk=case.pk).state == "assigned"
    r = client.post(reverse("cases:assign", args=[case.pk]), {}, follow=True)
    assert "请选择承办镇街或填写承办部门" in r.content.decode()
    services.add_note(case, "已核查", actor=bureau)
    with pytest.raises(Exception, match="晚于今天"):
        services.reply_case(case, "x", actor=bureau, on=dt.date.today() + dt.timedelta(days=30))


def test_cases_from_an_alert_and_a_verification_task(client, w):
    import traces_fixtures as fx
    from outfall.alerts.models import Alert
    from outfall.traces import services as trace_services

    admin = w["users"]["admin"]
    t = fx.build(w["a"], admin)
    alert = Alert.objects.create(site_kind="section", section=t["SM"], site_code=t["SM"].code, parameter="NH3N",
                                 rule="exceedance", severity="medium", opened_at=t["peak"], last_time=t["peak"],
                                 value=2.0, limit=1.0, peak=2.0, rules_version=1, explanation_zh="氨氮超标",
                                 town=w["a"], episode_open=False)
    client.force_login(w["users"]["viewer"])
    assert 'id="open-case"' not in client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert client.post(reverse("cases:from-alert", args=[alert.pk])).status_code == 403
    client.force_login(w["users"]["bureau"])
    assert 'id="open-case"' in client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    r = client.post(reverse("cases:from-alert", args=[alert.pk]))
    case = Case.objects.get(alert=alert)
    assert r.url == reverse("cases:detail", args=[case.pk]) and case.source == "alert"
    assert list(case.sections.all()) == [t["SM"]] and case.towns.get() == w["a"]
    r = client.post(reverse("cases:from-alert", args=[alert.pk]), follow=True)
    assert "已登记为案件" in r.content.decode() and Case.objects.filter(alert=alert).count() == 1
    trace = trace_services.start_trace(t["SM"], "NH3N", t["peak"], actor=admin)
    task = trace_services.create_task(trace, t["P1"], actor=admin)
    page = client.get(reverse("traces:task-detail", args=[task.pk])).content.decode()
    assert 'id="open-case"' in page
    client.post(reverse("cases:from-task", args=[task.pk]))
    case = Case.objects.get(verification_task=task)
    assert case.source == "trace_task" and list(case.outfalls.all()) == [t["P1"]]
    assert case.number in client.get(reverse("traces:task-detail", args=[task.pk])).content.decode()
    assert case.number in client.get(reverse("ledger:detail", args=[t["P1"].pk])).content.decode()


def test_overdue_and_due_soon_are_highlighted(client, w, settings):
    today = dt.date.today()
    bureau = w["users"]["bureau"]
    late = services.open_case(actor=bureau, source="complaint", title="迟", intake_date=today - dt.timedelta(days=30))
    soon = services.open_case(actor=bureau, source="complaint", title="近", intake_date=today,
                              deadline=today + dt.timedelta(days=2))
    calm = services.open_case(actor=bureau, source="complaint", title="远", intake_date=today)
    client.force_login(w["users"]["viewer"])
    page = client.get(reverse("cases:list")).content.decode()
    assert f'<tr class="overdue"><td><a href="{reverse("cases:detail", args=[late.pk])}"' in page
    assert f'<tr class="due_soon"><td><a href="{reverse("cases:detail", args=[soon.pk])}"' in page
    assert f'<tr class=""><td><a href="{reverse("cases:detail", args=[calm.pk])}"' in page
    only = client.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
    assert late.number in only and soon.number not in only and calm.number not in only
    assert api(w["users"]["viewer"]).get(f"/api/cases/{soon.pk}/").json()["deadline_flag"] == "due_soon"


def test_campaigns(client, w):
    client.force_login(w["users"]["bureau"])
    r = client.post(reverse("cases:campaigns"), {"name": "2025年排污口专项执法检查", "year": 2025,
                                                 "start_date": "2025-04-01", "end_date": "2025-06-30"})
    assert r.status_code == 302
    from outfall.cases.models import Campaign

    c = Campaign.objects.get()
    r = client.post(reverse("cases:create"), {"source": "campaign", "title": "排口无标识", "campaign": c.pk})
    assert r.status_code == 302 and Case.objects.get().campaign == c
    page = client.get(reverse("cases:campaigns")).content.decode()
    assert "2025年排污口专项执法检查" in page
    client.force_login(w["users"]["town_a"])
    assert client.post(reverse("cases:campaigns"), {"name": "x", "year": 2025}).status_code == 403
    assert api(w["users"]["viewer"]).get("/api/case-campaigns/").json()["results"][0]["name"] == c.name


def test_unknown_outfall_and_section_codes_are_refused_on_the_form(client, w):
    client.force_login(w["users"]["bureau"])
    r = client.post(reverse("cases:create"), {"source": "field", "title": "x", "outfalls": f"{w['outfall'].code}、NOPE1",
                                              "sections": "S-NONE"})
    page = r.content.decode()
    assert r.status_code == 200 and "排污口编码不存在: NOPE1" in page and not Case.objects.exists()
    r = client.post(reverse("cases:create"), {"source": "field", "title": "x", "sections": "S-NONE"})
    assert "断面编码不存在: S-NONE" in r.content.decode() and not Case.objects.exists()


def test_an_inspection_case_through_the_pages_and_a_complaint_through_the_api(client, w):
    bureau = w["users"]["bureau"]
    client.force_login(bureau)
    client.post(reverse("cases:create"), {"source": "provincial_inspection", "title": "排口标识牌缺失",
                                          "number": "SD-2025-07", "batch": "第2批", "intake_date": "2025-08-01",
                                          "towns": [w["b"].pk]})
    case = Case.objects.get(number="SD-2025-07")
    assert case.deadline == dt.date(2025, 8, 31)
    client.post(reverse("cases:assign", args=[case.pk]), {"department": "执法大队", "town": w["b"].pk})
    client.post(reverse("cases:note", args=[case.pk]), {"text": "已设置标识牌"})
    client.post(reverse("cases:reply", args=[case.pk]), {"reply": "已整改，报省督察办", "on": "2025-08-20"})
    client.post(reverse("cases:close", args=[case.pk]), {"result": "rectified", "on": "2025-08-25"})
    assert history_states(Case.objects.get(pk=case.pk)) == ["intake", "assigned", "handling", "replied", "closed"]

    town, c = api(w["users"]["town_a"]), api(bureau)
    r = c.post("/api/cases/", {"source": "complaint", "title": "异味扰民", "channel": "12369", "towns": [w["a"].code],
                               "complainant_name": "李四", "complainant_contact": "13700001111"}, format="json")
    pk = r.json()["id"]
    assert r.json()["complainant_contact"] == "13700001111"  # the bureau sees it
    assert town.get(f"/api/cases/{pk}/").json()["complainant_contact"] == "137****1111"
    assert c.post(f"/api/cases/{pk}/assign/", {"town": w["a"].name}, format="json").status_code == 200
    assert town.post(f"/api/cases/{pk}/note/", {"text": "已核查"}, format="json").status_code == 201
    assert town.post(f"/api/cases/{pk}/reply/", {"reply": "已答复"}, format="json").status_code == 200
    r = c.post(f"/api/cases/{pk}/close/", {"result": "not_substantiated", "note": "经核查不属实"}, format="json")
    assert r.json()["state"] == "closed" and r.json()["result"] == "not_substantiated"
    assert history_states(Case.objects.get(pk=pk)) == ["intake", "assigned", "handling", "replied", "closed"]


def test_reassignment_and_the_deadline_setting(w, settings):
    settings.OUTFALL_CASE_DEADLINE_DAYS = {**settings.OUTFALL_CASE_DEADLINE_DAYS, "complaint": 10}
    bureau = w["users"]["bureau"]
    case = services.open_case(actor=bureau, source="complaint", title="甲", intake_date=dt.date(2025, 3, 1))
    assert case.deadline == dt.date(2025, 3, 11)
    services.assign_case(case, actor=bureau, town=w["a"])
    services.add_note(case, "不属本镇管辖", actor=bureau)
    case = services.assign_case(case, actor=bureau, town=w["b"], note="改派姜山镇")
    assert case.state == "assigned" and case.assigned_town == w["b"]
    assert set(case.towns.all()) == {w["a"], w["b"]}  # both towns stay linked: both see the case
    from outfall.core.errors import InputError, PermissionDeniedError

    with pytest.raises(InputError) as e:
        services.open_case(actor=bureau, source="field", title="x", channel="12345")
    assert e.value.user_message == "信访渠道只用于信访案件"
    with pytest.raises(PermissionDeniedError) as e:
        services.open_case(actor=w["users"]["viewer"], source="field", title="x")
    assert e.value.user_message == "无权登记案件"


def test_reopen_through_the_page_needs_a_reason_and_a_bureau_role(client, w):
    bureau = w["users"]["bureau"]
    case = services.open_case(actor=bureau, source="complaint", title="甲", towns=[w["a"]])
    services.assign_case(case, actor=bureau, town=w["a"])
    services.add_note(case, "核查", actor=bureau)
    services.reply_case(case, "已答复", actor=bureau)
    services.close_case(case, "rectified", actor=bureau)
    client.force_login(w["users"]["town_a"])
    assert 'id="reopen-form"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert client.post(reverse("cases:reopen", args=[case.pk]), {"reason": "反弹"}).status_code == 403
    client.force_login(bureau)
    r = client.post(reverse("cases:reopen", args=[case.pk]), {"reason": " "}, follow=True)
    assert Case.objects.get(pk=case.pk).state == "closed" and "重新办理原因" in r.content.decode()
    r = client.post(reverse("cases:reopen", args=[case.pk]), {"reason": "群众再次来电反映"}, follow=True)
    case.refresh_from_db()
    assert case.state == "handling" and case.result == "" and case.replied_on is None
    assert "重新办理" in r.content.decode() and "群众再次来电反映" in r.content.decode()


def test_substantiated_cases_count_as_the_outfalls_past_violations(w):
    from outfall.traces.inputs import violations_by_outfall

    bureau, outfall = w["users"]["bureau"], w["outfall"]
    cases = [services.open_case(actor=bureau, source="complaint", title=t, outfalls=[outfall]) for t in "甲乙丙丁"]
    for case, result in zip(cases, ["rectified", "partly", "not_substantiated"], strict=False):
        Case.objects.filter(pk=case.pk).update(state="closed", result=result)  # the closing steps are tested above
    assert violations_by_outfall() == {outfall.pk: 2}  # the unfounded and the open case do not count


@pytest.mark.parametrize("year", ["0", "10000", "99999999999999999999", "²", "-1", "20x6"])
def test_a_year_no_date_has_matches_nothing_instead_of_failing(w, year):
    services.open_case(actor=w["users"]["bureau"], source="complaint", title="甲", towns=[w["a"]])
    client = api(w["users"]["bureau"])
    r = client.get("/api/cases/", {"year": year})
    assert r.status_code == 200 and r.json()["count"] == 0
    assert client.get("/api/cases/", {"year": str(dt.date.today().year)}).json()["count"] == 1
