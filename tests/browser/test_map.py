"""The one map loads offline (assets served by the app) and shows the outfalls a user may see."""

from __future__ import annotations

import pytest

from factories import PASSWORD, make_outfall, make_towns, make_users

pytestmark = pytest.mark.django_db(transaction=True)


def test_map_shows_outfalls_offline(page, live_server, login):
    town_a, town_b = make_towns()
    users = make_users(town_a, town_b)
    make_outfall(town_a, users["admin"], name="地图测试排口")
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url)
            and not r.url.startswith("data:") else None)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login("viewer", PASSWORD)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#toggle-outfalls")
    page.wait_for_function("window.outfallMap && window.outfallMap.overlays.outfalls")
    n = page.evaluate("window.outfallMap.overlays.outfalls.getLayers().length")
    assert n == 1
    page.evaluate("window.outfallMap.overlays.outfalls.getLayers()[0].fire('click')")
    assert "地图测试排口" in page.inner_text("#map-info")
    page.uncheck("#toggle-outfalls")
    assert not page.evaluate("window.outfallMap.map.hasLayer(window.outfallMap.overlays.outfalls)")
    assert external == [] and errors == []
