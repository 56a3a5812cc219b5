"""Issue #13, done-when: tried as a new user would on a phone-sized window (390×844): open an
outfall by its signboard's QR address, record an inspection with a photo, a quick-test value and a
finding while offline, reload (the draft survives), reconnect, and see it sent and shown on the
outfall file with the case its finding opened."""

from __future__ import annotations

import io
import re

import pytest

from factories import PASSWORD, make_outfall, make_towns, make_users
from outfall.inspections.models import Inspection
from outfall.monitoring.models import OutfallReading

pytestmark = pytest.mark.django_db(transaction=True)

IDB_COUNT = """() => new Promise((ok) => {
  const r = indexedDB.open("outfall-inspect", 1);
  r.onsuccess = () => { const q = r.result.transaction("photos").objectStore("photos").count(); q.onsuccess = () => ok(q.result); };
})"""
WAIT_CACHED = """async () => {
  for (let i = 0; i < 100; i++) {
    if (navigator.serviceWorker.controller && await caches.match(location.pathname)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}"""


def png(path):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 60, 30)).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_phone_inspection_offline_then_sent(browser, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    town_a, town_b = make_towns()
    users = make_users(town_a, town_b)
    o = make_outfall(town_a, users["admin"], name="甲厂排口")
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                              geolocation={"longitude": o.lon + 0.0005, "latitude": o.lat}, permissions=["geolocation"])
    page = ctx.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "inspector")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        # The signboard's QR code holds this address (read from the page, not decoded).
        page.goto(f"{live_server.url}/inspections/o/{o.code}/signboard/")
        qr_url = page.locator("#signboard").get_attribute("data-url")
        assert qr_url == f"{live_server.url}/inspections/o/{o.code}/" and page.locator("#signboard svg").count() == 1
        page.goto(qr_url)  # "scan"
        assert "甲厂排口" in page.locator("h1").inner_text()
        page.click("a.btn:text-is('现场巡查')")
        page.wait_for_url(f"**/inspections/o/{o.code}/inspect/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits the phone, no sideways scroll
        assert page.evaluate(WAIT_CACHED), "the service worker did not take the form into its cache"

        ctx.set_offline(True)
        page.click("#locate")
        page.wait_for_function("document.querySelector('[name=lat]').value !== ''")
        assert re.search(r"距台账位置 4[45] m$", page.locator("#distance").inner_text())  # 0.0005° of longitude at 36.9° N
        page.check("input[name=discharging][value=yes]")
        page.select_option("select[name=colour]", "black")
        page.fill("input[name=flow_value]", "1.5")
        page.fill("input[name=qt_parameter]", "NH3N")
        page.fill("input[name=qt_value]", "3.2")
        page.set_input_files("input[name=site_photos]", str(png(tmp_path / "site.png")))
        page.wait_for_selector("#previews img")
        page.fill("textarea[name=finding]", "排口有黑水")
        page.check("input[name=open_case]")

        reloaded = page.reload()  # offline: the service worker serves the form; the draft comes back from the phone
        assert reloaded.from_service_worker
        assert "离线" in page.locator("#net-status").inner_text()
        assert page.input_value("input[name=qt_value]") == "3.2"
        assert page.input_value("select[name=colour]") == "black"
        assert page.is_checked("input[name=discharging][value=yes]") and page.is_checked("input[name=open_case]")
        assert page.locator("#previews img").count() == 1
        assert "已恢复本机草稿" in page.locator("#draft-status").inner_text()
        assert page.evaluate(IDB_COUNT) == 1  # the photo waits on the phone as a Blob

        page.click("#send")
        page.wait_for_selector("#outbox:not([hidden])")
        assert "待发送 1" in page.locator("#outbox").inner_text()
        assert Inspection.objects.count() == 0
        page.reload()  # still offline: the unsent inspection waits in the outbox
        assert "待发送 1" in page.locator("#outbox").inner_text()

        ctx.set_offline(False)  # the online event sends it
        page.wait_for_selector("#sent-link")
        assert "待发送" not in page.locator("#outbox").inner_text()
        i = Inspection.objects.get()
        assert (i.discharging, i.colour, i.flow_unit, i.finding) == ("yes", "black", "L/s", "排口有黑水")
        assert i.distance_m == pytest.approx(44.5, abs=1) and not i.far and i.photos.count() == 1
        assert i.photos.get().content_type == "image/jpeg"  # downscaled to JPEG on the phone
        for _ in range(50):  # sent: the photo is removed from the phone
            if page.evaluate(IDB_COUNT) == 0:
                break
            page.wait_for_timeout(100)
        assert page.evaluate(IDB_COUNT) == 0
        assert list(OutfallReading.objects.values_list("parameter", "value", "source")) == [("NH3N", 3.2, "field")]

        page.click("#sent-link")
        row = page.locator("#inspections tr.inspection")
        assert row.count() == 1 and "NH3N 3.2" in row.inner_text() and "正在排水" in row.inner_text()
        assert row.locator("img.thumb").count() == 1
        assert i.case.source == "field" and row.locator("a.case").inner_text().endswith(i.case.number)  # the finding's case
    finally:
        ctx.close()


def test_refused_send_comes_back_to_the_form(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    town_a, town_b = make_towns()
    users = make_users(town_a, town_b)
    o = make_outfall(town_a, users["admin"])
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "town_a")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/inspections/o/{o.code}/inspect/")
        page.check("input[name=discharging][value=no]")
        page.fill("input[name=qt_parameter]", "氨氮")
        page.fill("input[name=qt_value]", "abc")
        page.click("#send")
        page.wait_for_selector("#send-errors:not([hidden])")
        assert "quick_tests[1].value" in page.locator("#send-errors").inner_text()
        assert page.input_value("input[name=qt_value]") == "abc"  # back in the form, to fix
        assert "被退回" in page.locator("#draft-status").inner_text()
        assert Inspection.objects.count() == 0
        page.fill("input[name=qt_value]", "0.5")
        page.click("#send")
        page.wait_for_selector("#sent-link")
        assert list(OutfallReading.objects.values_list("parameter", "value", "source")) == [("NH3N", 0.5, "field")]
    finally:
        ctx.close()
