"""A bureau user opens an alert, traces it in one click, sees the culprit first with its evidence,
the map and the chart (Leaflet and plotly served by the app), creates a verification task and
records its result, which confirms the alert."""

from __future__ import annotations

import pytest

import traces_fixtures as fx
from factories import PASSWORD, make_towns, make_users
from outfall.alerts.models import Alert
from outfall.traces.models import VerificationTask

pytestmark = pytest.mark.django_db(transaction=True)


def test_alert_trace_table_and_task(page, live_server, login):
    a, b = make_towns()
    users = make_users(a, b)
    w = fx.build(a, users["admin"], other_town=b)
    alert = Alert.objects.create(site_kind="section", section=w["SM"], site_code=w["SM"].code, parameter="NH3N",
                                 rule="exceedance", severity="high", opened_at=w["peak"], last_time=w["peak"],
                                 value=2.0, limit=1.0, peak=2.0, rules_version=1, explanation_zh="氨氮超标", town=a,
                                 episode_open=False)
    errors, external = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)
    login("bureau", PASSWORD)
    page.goto(f"{live_server.url}/alerts/{alert.pk}/")
    with page.expect_navigation():
        page.click("#trace-button")
    assert "/traces/" in page.url
    first = page.locator("#candidates tr.candidate").first
    assert first.get_attribute("data-outfall") == w["P1"].code
    assert "沿河" in first.inner_text() and "衰减后到达" in first.inner_text()
    page.wait_for_selector("#trace-chart .main-svg")
    page.wait_for_selector("#trace-map .leaflet-overlay-pane canvas, #trace-map .leaflet-overlay-pane svg")
    assert "溯源中" in page.inner_text("#summary")
    page.check(f"input[name=outfall][value='{w['P1'].code}']")
    page.select_option("select[name=assignee]", value=str(users["inspector"].pk))
    with page.expect_navigation():
        page.click("#create-tasks")
    assert "已创建 1 个核查任务" in page.inner_text(".messages")
    assert w["P1"].code in page.inner_text("#tasks") and "待核查" in page.inner_text("#tasks")
    assert VerificationTask.objects.get().assignee == users["inspector"]
    # the result of the verification confirms the alert
    with page.expect_navigation():
        page.click("#tasks a")
    page.select_option("select[name=result]", "discharging")
    page.fill("textarea[name=note]", "现场发现暗管偷排")
    with page.expect_navigation():
        page.click("#complete-form button")
    assert "预警已确认属实" in page.inner_text(".messages") and "存在排放" in page.inner_text("#task-result")
    alert.refresh_from_db()
    assert alert.state == "confirmed"
    assert errors == [] and external == []
