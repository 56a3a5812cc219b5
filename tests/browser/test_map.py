"""The one map as a person uses it, on the Laixi demo: it loads with no request leaving the machine,
shows every layer, filters, searches, highlights what is upstream of a section, keeps its view in
the URL, and works on a phone-sized window. A screenshot of the demo map is saved (path printed)."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest

from factories import PASSWORD, make_user
from outfall.core.enums import Role

pytestmark = pytest.mark.django_db(transaction=True)


def _demo(steps=("ledger", "rivers", "monitoring", "alerts")):
    import importlib

    for step in steps:
        importlib.import_module(f"outfall.demo.{step}").load(stdout=io.StringIO())
    make_user("mapviewer", Role.INSPECTOR)  # read-only and lands on the map (a viewer lands on the dashboard)


def _local_only(page, live_server) -> list:
    """Every request the page makes whose host is not the live server's (should stay empty)."""
    host = urlsplit(live_server.url).netloc
    outside = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith("data:") and urlsplit(r.url).netloc != host else None)
    return outside


def _wait_layers(page, *names):
    for name in names:
        page.wait_for_function(f"window.outfallMap && window.outfallMap.ready['{name}']")


def _count(page, name) -> int:
    return page.evaluate(f"window.outfallMap.overlays.{name}.getLayers().length")


def test_demo_map(page, live_server, login, tmp_path):
    _demo()
    outside = _local_only(page, live_server)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login("mapviewer", PASSWORD)  # the map is the home page
    _wait_layers(page, "towns", "rivers", "sections", "outfalls")
    for name in ("towns", "rivers", "sections", "outfalls"):
        assert _count(page, name) > 0, name
        assert page.is_checked(f"#toggle-{name}")
    assert page.locator(".leaflet-control-scale").count() == 1
    assert "Ⅲ类" in page.text_content("#legend") and "工业排污口" in page.text_content("#legend")
    page.mouse.move(700, 400)
    assert "," in page.inner_text("#coords")
    shot = tmp_path / "demo-map.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot of the demo map: {shot}")

    # a filter changes the visible count
    before = page.evaluate("window.outfallMap.visibleCount")
    page.select_option("#f-type", "城镇污水处理厂排污口")
    page.wait_for_function(f"window.outfallMap.visibleCount !== {before}")
    after = page.evaluate("window.outfallMap.visibleCount")
    assert 0 < after < before
    assert "type=" in page.url
    page.select_option("#f-type", "")
    page.wait_for_function(f"window.outfallMap.visibleCount === {before}")

    # search by pinyin initials opens the right popup, with labelled fields
    from outfall.ledger.models import Outfall
    from outfall.mapui.selectors import initials

    target = Outfall.objects.filter(type_l1="农业排口").order_by("pk").first()
    page.fill("#search-box", initials(target.name)[:8])
    page.wait_for_selector("#search-results li[data-i]")
    page.click(f"#search-results li:has-text('{target.code}')")
    popup = page.wait_for_selector(".leaflet-popup .popup")
    text = popup.inner_text()
    assert target.code in text and target.name in text and "受纳水体" in text and "状态" in text
    assert "type_l1" not in text and "status_label" not in text and "in_use" not in text
    assert f"sel=outfall:{target.pk}" in page.url

    # clicking a section highlights its upstream network and lists its outfalls
    page.keyboard.press("Escape")
    page.evaluate("window.outfallMap.map.closePopup()")
    page.fill("#search-box", "370285S04")
    page.wait_for_selector("#search-results li[data-i]")
    page.click("#search-results li:has-text('370285S04')")
    page.wait_for_selector(".leaflet-popup .popup[data-kind=section]")
    page.click(".leaflet-popup .nav-btn[data-mode=UT]")
    page.wait_for_selector("#nav-sites li")
    assert page.evaluate("window.outfallMap.navResult.lines.features.length") > 1
    listed = page.locator("#nav-sites li[data-kind=outfall]").count()
    assert listed > 0 and " km" in page.inner_text("#nav-panel")
    assert page.locator(".nav-label").count() > 0
    assert "nav=UT:370285S04" in page.url
    page.wait_for_function("window.outfallMap.visibleCount > 20")  # the layers of the fitted view
    page.screenshot(path=str(tmp_path / "demo-map-upstream.png"))
    print(f"screenshot of the upstream highlight: {tmp_path / 'demo-map-upstream.png'}")

    # the URL restores the view: centre, zoom, filter, layers and the navigation
    page.uncheck("#toggle-towns")
    page.select_option("#f-status", "in_use")
    page.wait_for_timeout(300)
    url, zoom = page.url, page.evaluate("window.outfallMap.map.getZoom()")
    centre = page.evaluate("[window.outfallMap.map.getCenter().lat, window.outfallMap.map.getCenter().lng]")
    other = page.context.new_page()
    other.goto(url)
    other.wait_for_function("window.outfallMap && window.outfallMap.ready['outfalls'] && window.outfallMap.navResult")
    assert other.evaluate("window.outfallMap.map.getZoom()") == zoom
    got = other.evaluate("[window.outfallMap.map.getCenter().lat, window.outfallMap.map.getCenter().lng]")
    assert abs(got[0] - centre[0]) < 1e-3 and abs(got[1] - centre[1]) < 1e-3
    assert other.input_value("#f-status") == "in_use" and not other.is_checked("#toggle-towns")
    assert other.locator("#nav-sites li").count() == page.locator("#nav-sites li").count()
    other.close()
    assert outside == [] and errors == []


def test_phone_find_open_file_and_come_back(browser, live_server, tmp_path):
    _demo(("ledger", "rivers"))
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    outside = _local_only(page, live_server)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "mapviewer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    _wait_layers(page, "outfalls")
    from outfall.ledger.models import Outfall

    target = Outfall.objects.order_by("-pk").first()
    page.fill("#search-box", target.name)
    page.wait_for_selector("#search-results li[data-i]")
    page.tap(f"#search-results li:has-text('{target.code}')")
    page.wait_for_selector(".leaflet-popup .popup[data-kind=outfall]")
    view_url = page.url
    assert f"sel=outfall:{target.pk}" in view_url
    zoom = page.evaluate("window.outfallMap.map.getZoom()")
    page.screenshot(path=str(tmp_path / "phone-popup.png"))
    print(f"\nphone screenshot: {tmp_path / 'phone-popup.png'}")
    page.tap(".leaflet-popup a.open-file")
    page.wait_for_url(f"**/ledger/{target.pk}/")
    assert f"/ledger/{target.pk}/" in page.url and target.code in page.content()
    page.go_back()
    page.wait_for_function("window.outfallMap && window.outfallMap.ready['outfalls']")
    assert page.evaluate("window.outfallMap.map.getZoom()") == zoom
    page.wait_for_selector(".leaflet-popup .popup[data-kind=outfall]")
    assert target.code in page.inner_text(".leaflet-popup")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert outside == []
    ctx.close()


def test_locate_me_lists_nearest_outfalls(page, live_server, login):
    _demo(("ledger",))
    from outfall.ledger.models import Outfall

    o = Outfall.objects.order_by("pk").first()
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": o.lat, "longitude": o.lon})
    login("mapviewer", PASSWORD)
    _wait_layers(page, "outfalls")
    page.click("#locate-me")
    page.wait_for_selector("#nearest li")
    assert o.code in page.inner_text("#nearest li >> nth=0")
