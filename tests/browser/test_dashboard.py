"""A viewer (只读用户) logs in and lands on the dashboard (概览) of the demo year: rate cards, tables
and plotly charts drawn from the app's own plotly.js (no request leaves the server); then the
monthly report page, where the Excel download is the report of the chosen month."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import openpyxl
import pytest

from factories import PASSWORD, make_user
from outfall.core.enums import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_viewer_dashboard_and_monthly_download(page, live_server, tmp_path):
    import outfall.demo.monitoring
    from outfall.demo import alerts, ledger, monitoring, rivers

    days, outfall.demo.monitoring.DAYS = outfall.demo.monitoring.DAYS, 120  # January to April is enough here
    try:
        for step in (ledger, rivers, monitoring, alerts):
            step.load(stdout=io.StringIO())
    finally:
        outfall.demo.monitoring.DAYS = days
    make_user("boss", Role.VIEWER)
    host = urlsplit(live_server.url).netloc
    outside, errors = [], []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith("data:") and urlsplit(r.url).netloc != host else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert page.locator("#menu a").first.inner_text() == "概览"
    page.select_option("#year-select", "2025")
    with page.expect_navigation():
        page.click("#dash-filter button[type=submit]")
    page.wait_for_selector("#chart-sections-0 .main-svg")
    page.wait_for_selector("#chart-alerts-0 .main-svg")
    card = page.locator('.dash-rate[data-part="sections"]')
    assert "达标" in card.inner_text() and "/" in card.inner_text()
    assert "按类型" in page.inner_text("#part-outfalls")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    print(f"\nscreenshot of the dashboard: {tmp_path / 'dashboard.png'}")
    page.click("#monthly-link")
    page.fill("#month-input", "2025-03")
    with page.expect_navigation():
        page.click("#monthly-filter button[type=submit]")
    shown = page.locator('.dash-rate[data-part="sections"]').get_attribute("data-done")
    with page.expect_download() as dl:
        page.click("#download-xlsx")
    path = dl.value.path()
    assert dl.value.suggested_filename == "monthly-2025-03-all.xlsx"
    rows = list(openpyxl.load_workbook(io.BytesIO(path.read_bytes()))["概要"].iter_rows(values_only=True))
    assert any(r[0] == "断面水质" and str(r[2]) == shown for r in rows)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than the screen
    for url in ("/dashboard/?year=2025", "/reports/monthly/?month=2025-03"):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_selector(".dash-chart .main-svg")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    assert outside == [] and errors == []
