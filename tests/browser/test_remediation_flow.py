"""A bureau user sets a remediation task from the outfall page; the town's staff member starts it,
records progress with a photo and requests the close-out; the bureau signs it off, and the outfall
is marked 已整治 on its page, with the task in its panel."""

from __future__ import annotations

import io

import pytest

from factories import PASSWORD, make_towns, make_users
from outfall.ledger.models import Outfall
from outfall.remediation.models import RemediationTask
from remediation_fixtures import build

pytestmark = pytest.mark.django_db(transaction=True)


def _png(tmp_path):
    from PIL import Image

    path = tmp_path / "封堵后.png"
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def test_task_from_outfall_page_to_sign_off(page, live_server, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, b = make_towns()
    make_users(a, b)
    from django.contrib.auth import get_user_model

    w = build(a, b, get_user_model().objects.get(username="admin"))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login("bureau", PASSWORD)
    page.goto(f"{live_server.url}/ledger/{w['P1'].pk}/")
    with page.expect_navigation():
        page.click("#remediation-panel a.btn")
    assert page.input_value("#id_outfall") == w["P1"].code
    page.select_option("#id_measure", "standardize")
    page.fill("#id_plan", "封堵雨污混接，设置标志牌")
    page.fill("#id_department", "水务局")
    page.fill("#id_start_date", "2026-01-05")
    page.fill("#id_deadline", "2026-03-31")
    with page.expect_navigation():
        page.click("#task-form button")
    assert "已创建整治任务" in page.inner_text(".messages") and "待整治" in page.inner_text("#task-state")
    task = RemediationTask.objects.get()
    page.click("button.link")  # log out
    login("town_a", PASSWORD)
    page.goto(f"{live_server.url}/remediation/{task.pk}/")
    assert page.locator("#sign-off-form").count() == 0
    with page.expect_navigation():
        page.click("#start-form button")
    assert "整治中" in page.inner_text("#task-state")
    page.fill("#progress-form textarea[name=text]", "混接点已封堵")
    page.set_input_files("#progress-form input[type=file]", str(_png(tmp_path)))
    with page.expect_navigation():
        page.click("#progress-form button")
    page.wait_for_selector("#timeline img")
    with page.expect_navigation():
        page.click("#request-close-form button")
    assert "申请销号" in page.inner_text("#task-state")
    page.click("button.link")
    login("bureau", PASSWORD)
    page.goto(f"{live_server.url}/remediation/{task.pk}/")
    with page.expect_navigation():
        page.click("#sign-off-form button")
    assert "已销号" in page.inner_text("#task-state")
    assert "RSS1" in page.inner_text("#effect")
    page.goto(f"{live_server.url}/ledger/{w['P1'].pk}/")
    assert "已整治" in page.inner_text("h1") and "已销号" in page.inner_text("#remediation-panel")
    assert Outfall.objects.get(pk=w["P1"].pk).status == "remediated"
    assert errors == []
