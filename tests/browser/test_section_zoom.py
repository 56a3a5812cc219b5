"""Issue #12: a two-year hourly chart comes thinned; zooming the plotly chart to a few days fetches
that range's detail (every hourly reading) from /sections/<pk>/series.json, and a double click
(autorange) puts the overview back — with the plotly the app serves, no request leaving the site."""

from __future__ import annotations

import pytest

from alerts_fixtures import add_readings, make_section
from factories import PASSWORD, make_towns, make_users
from outfall.monitoring.charts import CHART_BUCKETS

pytestmark = pytest.mark.django_db(transaction=True)


def test_zoom_fetches_hourly_detail_and_autorange_restores(page, live_server, login):
    a, b = make_towns()
    make_users(a, b)
    s = make_section(town=a)
    import datetime as dt

    add_readings(s, [0.3 + 0.1 * ((i * 7919) % 13) / 13 for i in range(2 * 365 * 24)],
                 start=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), step_h=1)
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    login("viewer", PASSWORD)
    page.goto(f"{live_server.url}/sections/{s.pk}/")
    page.wait_for_selector("#chart-NH3N .main-svg")
    points = "document.getElementById('chart-NH3N').data[0].x.length"
    assert page.evaluate(points) <= 4 * CHART_BUCKETS
    page.evaluate("Plotly.relayout('chart-NH3N', {'xaxis.range': ['2025-03-01 00:00:00', '2025-03-04 00:00:00']})")
    page.wait_for_function("window.outfallCharts.loads >= 1")
    assert page.evaluate(points) == 73  # 3 days of hourly readings, both ends included
    assert page.evaluate("document.getElementById('chart-NH3N').data[0].x[0]") == "2025-03-01 00:00:00"
    assert "/ 73" not in page.inner_text("#chart-NH3N")  # not thinned: no "shown / total" in the title
    page.evaluate("Plotly.relayout('chart-NH3N', {'xaxis.autorange': true})")
    page.wait_for_function(f"document.getElementById('chart-NH3N').data[0].x.length <= {4 * CHART_BUCKETS}"
                           " && document.getElementById('chart-NH3N').data[0].x.length > 73")
    assert any("/series.json?" in u and "start=2025-03-01" in u for u in requests)
    assert all(u.startswith(live_server.url) for u in requests), [u for u in requests if not u.startswith(live_server.url)]
    assert errors == []
