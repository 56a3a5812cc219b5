"""Setup from nothing in a browser: the first visit creates the first administrator, the towns page
uploads town polygons, and the map draws them as labelled boundaries."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

TOWNS = Path(__file__).resolve().parents[1] / "data" / "deploy" / "towns.geojson"


def test_first_admin_towns_upload_and_map(page, live_server, tmp_path):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/setup/")
    page.fill("#id_username", "root")
    page.fill("#id_password1", "a-long-pass-phrase-9")
    page.fill("#id_password2", "a-long-pass-phrase-9")
    page.click("#setup-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/towns/")
    page.set_input_files("input[name=file]", str(TOWNS))
    page.uncheck("input[name=dry_run]")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#town-result")
    assert "已导入" in page.inner_text("#town-result")
    assert page.locator("#towns tr").count() == 4
    if os.environ.get("OUTFALL_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["OUTFALL_SCREENSHOTS"]) / "towns-page.png"))
    page.goto(f"{live_server.url}/map/")
    # The overlay exists at once; its features arrive with the first fetch of the view.
    page.wait_for_function("window.outfallMap && window.outfallMap.ready.towns")
    kinds = page.evaluate("window.outfallMap.overlays.towns.getLayers().map(l => l.feature.geometry.type)")
    assert kinds == ["Polygon"] * 3
    labels = page.locator(".leaflet-tooltip.town-label").all_inner_texts()
    assert sorted(labels) == ["东岭街道", "南河镇", "西坡镇"]
    if os.environ.get("OUTFALL_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["OUTFALL_SCREENSHOTS"]) / "towns-map.png"))
    assert errors == []
