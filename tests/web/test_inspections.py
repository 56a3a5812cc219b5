"""Field inspections (issue #13 part 3): the phone form and the API record an inspection with
photos and quick tests (readings with source "field"), a retried send stores it once, bad input is
refused with the field named and nothing written, the outfall file lists inspections, the
signboard carries a QR code of the outfall's scan address."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from factories import make_outfall, make_towns, make_users
from outfall.history.models import ChangeRecord
from outfall.inspections import services, signboard
from outfall.inspections.models import Inspection, InspectionPhoto
from outfall.monitoring.models import OutfallReading, ReadingBatch

pytestmark = pytest.mark.django_db


def png(colour="blue", size=(8, 6)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, b = make_towns()
    users = make_users(a, b)
    o = make_outfall(a, users["admin"])
    return {"users": users, "o": o, "a": a, "b": b}


def form(**over) -> dict:
    data = {"client_key": str(uuid.uuid4()), "discharging": "yes", "colour": "black", "odour": "strong",
            "foam": "some", "flow_value": "2.5", "flow_unit": "L/s", "notes": "雨后", "finding": "",
            "qt_parameter": ["NH3N", "COD"], "qt_value": ["3.2", "45"], "qt_unit": ["", "mg/L"]}
    data.update(over)
    return data


def test_page_records_inspection_with_photo_and_quick_tests(client, w):
    o = w["o"]
    client.force_login(w["users"]["inspector"])
    page = client.get(reverse("inspections:inspect", args=[o.code])).content.decode()
    assert 'capture="environment"' in page and 'id="locate"' in page and "inspect.js" in page
    data = form(lon=f"{o.lon:.6f}", lat=f"{o.lat + 0.003:.6f}", accuracy_m="12",
                site_photos=SimpleUploadedFile("a.png", png()), quick_test_photos=SimpleUploadedFile("b.png", png("red")))
    r = client.post(reverse("inspections:inspect", args=[o.code]), data, HTTP_ACCEPT="application/json")
    assert r.status_code == 201, r.content
    i = Inspection.objects.get()
    assert (i.outfall, i.inspector, i.discharging, i.colour) == (o, w["users"]["inspector"], "yes", "black")
    assert i.flow_m3_d == pytest.approx(216.0) and i.flow_unit == "L/s"
    assert i.distance_m == pytest.approx(333.6, abs=1) and i.far  # > 200 m from the ledger position
    assert sorted(p.kind for p in i.photos.all()) == ["quick_test", "site"]
    readings = {r.parameter: r for r in OutfallReading.objects.filter(outfall=o)}
    assert set(readings) == {"NH3N", "COD"} and {r.source for r in readings.values()} == {"field"}
    assert readings["NH3N"].value == 3.2 and readings["NH3N"].time == i.inspected_at
    assert ReadingBatch.objects.get(id=i.reading_batch).kind == "field" and i.reading_count == 2
    rec = ChangeRecord.objects.get(target_type__model="inspection", target_id=str(i.pk), action="create")
    assert rec.related_id == str(o.pk) and rec.after["reading_count"] == 2 and rec.after["far"] is True
    # the outfall file: the buttons and the panel
    page = client.get(reverse("ledger:detail", args=[o.pk])).content.decode()
    assert reverse("inspections:inspect", args=[o.code]) in page and reverse("inspections:signboard", args=[o.code]) in page
    assert 'id="inspections"' in page and "NH3N 3.2" in page and "位置偏离" in page
    photo = i.photos.first()
    assert client.get(reverse("inspections:photo", args=[i.pk, photo.pk])).content[:4] == b"\x89PNG"
    detail = client.get(reverse("inspections:detail", args=[i.pk])).content.decode()
    assert "45" in detail and "现场快检" in detail


def test_form_post_without_script_redirects_to_the_outfall(client, w):
    client.force_login(w["users"]["town_a"])
    r = client.post(reverse("inspections:inspect", args=[w["o"].code]), form(qt_parameter=[""], qt_value=[""]))
    assert r.status_code == 302 and r.url == reverse("ledger:detail", args=[w["o"].pk])
    assert Inspection.objects.get().reading_batch is None and not OutfallReading.objects.exists()


def test_retried_send_stores_one_inspection(client, w):
    client.force_login(w["users"]["inspector"])
    data = form()
    url = reverse("inspections:inspect", args=[w["o"].code])
    first = client.post(url, data, HTTP_ACCEPT="application/json")
    again = client.post(url, data, HTTP_ACCEPT="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["created"] is False
    assert Inspection.objects.count() == 1 and OutfallReading.objects.count() == 2
    assert ChangeRecord.objects.filter(action="create", target_type__model="inspection").count() == 1
    assert ReadingBatch.objects.filter(kind="field").count() == 1


def test_key_of_another_users_inspection_is_refused(w):
    key = uuid.uuid4()
    services.create_inspection(w["o"], {"discharging": "no"}, actor=w["users"]["inspector"], client_key=key)
    with pytest.raises(Exception) as exc:
        services.create_inspection(w["o"], {"discharging": "no"}, actor=w["users"]["bureau"], client_key=key)
    assert "已用于另一次巡查" in exc.value.user_message and Inspection.objects.count() == 1


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"qt_value": ["abc", "45"]}, "quick_tests[1].value", "abc"),
    ({"qt_parameter": ["NH3N", "氨氮"]}, "quick_tests[2].parameter", "重复"),
    ({"qt_parameter": ["XYZ", "COD"]}, "quick_tests[1].parameter", "未知监测指标"),
    ({"qt_unit": ["", "kg"]}, "quick_tests[2].unit", "未知单位"),
    ({"discharging": ""}, "discharging", "请选择"),
    ({"discharging": "no"}, "flow_value", "未排水"),
    ({"flow_unit": "kg"}, "flow_unit", "L/s"),
    ({"colour": "purple"}, "colour", "purple"),
    ({"lon": "120.5"}, "lat", "同时"),
    ({"open_case": "on", "finding": ""}, "finding", "立案"),
    ({"inspected_at": (timezone.now() + dt.timedelta(hours=2)).isoformat()}, "inspected_at", "晚于"),
    ({"client_key": "not-a-uuid"}, "client_key", "UUID"),
    ({"quick_tests": "[not json"}, "quick_tests", "JSON"),
    ({"quick_tests": '{"parameter": "NH3N"}'}, "quick_tests", "数组"),
    ({"site_photos": SimpleUploadedFile("x.jpg", b"GIF89a not really")}, "photos[1]", "不是 JPEG/PNG/WebP"),
])
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(client, w, over, field, words):
    client.force_login(w["users"]["inspector"])
    r = client.post(reverse("inspections:inspect", args=[w["o"].code]), form(**over), HTTP_ACCEPT="application/json")
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert field in errors and any(words in m for m in errors[field]), errors
    assert not Inspection.objects.exists() and not OutfallReading.objects.exists()
    assert not InspectionPhoto.objects.exists() and not ChangeRecord.objects.filter(target_type__model="inspection").exists()


def test_too_large_photo_is_refused(client, w, settings):
    settings.MAX_UPLOAD_BYTES = 100
    client.force_login(w["users"]["inspector"])
    data = form(site_photos=SimpleUploadedFile("big.png", png(size=(200, 200))))
    r = client.post(reverse("inspections:inspect", args=[w["o"].code]), data, HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and "超过上限" in r.json()["errors"]["photos[1]"][0]
    assert not Inspection.objects.exists()


def test_page_shows_errors_without_script(client, w):
    client.force_login(w["users"]["inspector"])
    r = client.post(reverse("inspections:inspect", args=[w["o"].code]), form(qt_value=["abc", "45"]))
    assert r.status_code == 400 and "quick_tests[1].value" in r.content.decode()
    assert "abc" in r.content.decode()


@pytest.mark.parametrize(("role", "status"), [
    ("admin", 201), ("bureau", 201), ("inspector", 201), ("town_a", 201), ("town_b", 403), ("viewer", 403)])
def test_who_may_record(client, w, role, status):
    client.force_login(w["users"][role])
    r = client.post(reverse("inspections:inspect", args=[w["o"].code]), form(), HTTP_ACCEPT="application/json")
    assert r.status_code == status
    assert Inspection.objects.count() == (1 if status == 201 else 0)
    page = client.get(reverse("ledger:detail", args=[w["o"].pk])).content.decode()
    assert (reverse("inspections:inspect", args=[w["o"].code]) in page) == (status == 201)


def _api(user) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return c


def test_api_create_retry_and_list(w):
    api = _api(w["users"]["inspector"])
    key = str(uuid.uuid4())
    body = {"outfall": w["o"].code, "client_key": key, "discharging": "yes", "lon": w["o"].lon, "lat": w["o"].lat,
            "accuracy_m": 8, "quick_tests": [{"parameter": "NH3N", "value": "0.02L"}], "finding": "排口有黑水",
            "open_case": True}
    r = api.post("/api/inspections/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.data["quick_tests"][0]["qualifier"] == "<" and r.data["quick_tests"][0]["detection_limit"] == 0.02
    assert r.data["distance_m"] == pytest.approx(0, abs=0.01) and r.data["far"] is False and r.data["open_case"]
    assert r.data["case"] and r.data["case"] == Inspection.objects.get().case.number
    assert api.post("/api/inspections/", body, format="json").status_code == 200
    assert Inspection.objects.count() == 1
    multipart = {"outfall": w["o"].code, "client_key": str(uuid.uuid4()), "discharging": "no",
                 "quick_tests": '[{"parameter": "COD", "value": "45"}]',
                 "site_photos": [SimpleUploadedFile("a.png", png())]}
    r = api.post("/api/inspections/", multipart, format="multipart")
    assert r.status_code == 201 and r.data["photos"][0]["kind"] == "site"
    listed = api.get("/api/inspections/", {"outfall": w["o"].code}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert len(rows) == 2 and {x["outfall"] for x in rows} == {w["o"].code}
    bad = api.post("/api/inspections/", {**body, "client_key": str(uuid.uuid4()),
                                          "quick_tests": [{"parameter": "NH3N", "value": "abc"}]}, format="json")
    assert bad.status_code == 400 and "abc" in bad.json()["quick_tests[1].value"][0] and bad.json()["detail"]
    assert Inspection.objects.count() == 2
    assert _api(w["users"]["viewer"]).post("/api/inspections/", {**body, "client_key": str(uuid.uuid4())},
                                           format="json").status_code == 403


def test_signboard_qr_opens_the_outfall(client, w, settings):
    o = w["o"]
    client.force_login(w["users"]["viewer"])
    page = client.get(reverse("inspections:signboard", args=[o.code])).content.decode()
    url = f"http://testserver/inspections/o/{o.code}/"
    assert f'data-url="{url}"' in page and "<svg" in page and o.name in page and "12369" in page
    assert client.get(url).url == reverse("ledger:detail", args=[o.pk])
    settings.OUTFALL_PUBLIC_URL = "https://outfall.example.gov.cn"
    assert signboard.scan_url(o) == f"https://outfall.example.gov.cn/inspections/o/{o.code}/"
    page = client.get(reverse("inspections:signboard", args=[o.code])).content.decode()
    assert 'data-url="https://outfall.example.gov.cn/inspections/o/' in page


def test_service_worker_is_served_at_the_scope_of_the_form(client, w):
    client.force_login(w["users"]["inspector"])
    r = client.get(reverse("inspections:sw"))
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert "caches" in r.content.decode() and "http" not in r.content.decode().split("*/", 1)[1]


def test_concurrent_send_of_one_draft_stores_it_once(w, monkeypatch):
    """The second of two simultaneous sends passes the look-up before the first commits: the unique
    key refuses its row and it answers with the first one's inspection."""
    key = uuid.uuid4()
    first, created = services.create_inspection(w["o"], {"discharging": "yes"}, actor=w["users"]["inspector"],
                                                client_key=key, quick_tests=[{"parameter": "NH3N", "value": "1"}])
    real = services._existing
    calls = []

    def racing(k, outfall, actor):
        calls.append(k)
        return None if len(calls) == 1 else real(k, outfall, actor)

    monkeypatch.setattr(services, "_existing", racing)
    again, created_again = services.create_inspection(w["o"], {"discharging": "yes"}, actor=w["users"]["inspector"],
                                                      client_key=key, quick_tests=[{"parameter": "NH3N", "value": "1"}])
    assert created and not created_again and again.pk == first.pk and len(calls) == 2
    assert Inspection.objects.count() == 1 and OutfallReading.objects.count() == 1


def test_field_readings_path_takes_only_field_readings(w):
    from outfall.core.errors import PermissionDeniedError
    from outfall.core.inspections import parse_quick_tests
    from outfall.monitoring.ingest import ingest_field_readings

    recs = parse_quick_tests([{"parameter": "NH3N", "value": "1"}], site_code=w["o"].code, time=timezone.now())
    with pytest.raises(PermissionDeniedError):
        ingest_field_readings([r.__class__(**{**r.__dict__, "source": "manual"}) for r in recs],
                              actor=w["users"]["inspector"])
    assert not OutfallReading.objects.exists()
    result = ingest_field_readings(recs, actor=w["users"]["inspector"])
    assert result.outfall_rows == 1 and ReadingBatch.objects.get(id=result.batch_id).kind == "field"


@pytest.mark.parametrize(("raw", "ok"), [("", ""), ("https://outfall.example.gov.cn/", "https://outfall.example.gov.cn"),
                                         ("http://10.0.0.5:8080/outfall", "http://10.0.0.5:8080/outfall"),
                                         ("outfall.example.gov.cn", None), ("ftp://x", None), ("https://a b", None)])
def test_public_url_setting_refuses_a_bad_address(monkeypatch, raw, ok):
    from outfall.site import config

    monkeypatch.setenv("OUTFALL_PUBLIC_URL", raw)
    if ok is None:
        with pytest.raises(ValueError, match="OUTFALL_PUBLIC_URL"):
            config.public_url()
    else:
        assert config.public_url() == ok


@pytest.mark.parametrize("role", ["inspector", "town_a", "bureau"])
def test_finding_opens_a_field_case_linked_to_the_outfall_and_town(client, w, role):
    from outfall.cases.models import Case

    client.force_login(w["users"][role])
    data = form(finding="排口有黑水直排", open_case="on")
    url = reverse("inspections:inspect", args=[w["o"].code])
    r = client.post(url, data, HTTP_ACCEPT="application/json")
    assert r.status_code == 201, r.content
    case = Case.objects.get()
    i = Inspection.objects.get()
    assert i.case == case and case.source == "field" and case.created_by == w["users"][role]
    assert list(case.outfalls.all()) == [w["o"]] and list(case.towns.all()) == [w["a"]]
    assert "排口有黑水直排" in case.description and "NH3N 3.2 mg/L" in case.description and "黑色" in case.description
    assert case.intake_date == timezone.localtime(i.inspected_at).date()
    assert client.post(url, data, HTTP_ACCEPT="application/json").status_code == 200  # retried send: one case
    assert Case.objects.count() == 1
    rec = ChangeRecord.objects.get(target_type__model="inspection")
    assert rec.after["case"] == case.number and ChangeRecord.objects.filter(target_type__model="case").exists()
    page = client.get(reverse("ledger:detail", args=[w["o"].pk])).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in page
    assert case.number in client.get(reverse("inspections:detail", args=[i.pk])).content.decode()


def test_finding_without_the_box_opens_no_case(client, w):
    from outfall.cases.models import Case

    client.force_login(w["users"]["inspector"])
    r = client.post(reverse("inspections:inspect", args=[w["o"].code]), form(finding="标志牌缺失"),
                    HTTP_ACCEPT="application/json")
    assert r.status_code == 201 and Inspection.objects.get().finding == "标志牌缺失"
    assert not Case.objects.exists() and Inspection.objects.get().case is None


def test_list_filters(client, w):
    other = make_outfall(w["a"], w["users"]["admin"], name="乙厂排口")
    services.create_inspection(w["o"], {"discharging": "yes", "lon": w["o"].lon + 0.01, "lat": w["o"].lat},
                               actor=w["users"]["inspector"], client_key=uuid.uuid4())
    services.create_inspection(other, {"discharging": "no", "finding": "x", "open_case": "on"},
                               actor=w["users"]["inspector"], client_key=uuid.uuid4())
    client.force_login(w["users"]["viewer"])

    def codes(**q):
        page = client.get(reverse("inspections:list"), q).content.decode()
        return {c for c in (w["o"].code, other.code) if f">{c}</a>" in page}

    assert codes() == {w["o"].code, other.code}
    assert codes(q="乙厂") == {other.code} and codes(far="1") == {w["o"].code} and codes(case="1") == {other.code}
