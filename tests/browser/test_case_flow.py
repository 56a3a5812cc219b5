"""A complaint from intake to close (销号) through the pages: the bureau takes it in and assigns it to
a town, the town's staff record the handling with a photo and reply, the bureau closes it; the
complainant's phone number is masked for the town; every step is on the case's timeline."""

from __future__ import annotations

import io

import pytest

from factories import PASSWORD, make_outfall, make_towns, make_users
from outfall.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)


def png(path) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (6, 6), "blue").save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_a_complaint_from_intake_to_close(page, live_server, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a, b = make_towns()
    users = make_users(a, b)
    outfall = make_outfall(a, users["admin"])
    errors, external = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    login("bureau", PASSWORD)
    page.click("#menu a[data-name='cases:list']")
    page.click("#new-case")
    page.select_option("select[name=source]", "complaint")
    page.fill("input[name=title]", "小沽河边排口冒黑水")
    page.fill("textarea[name=description]", "村民来电反映排口夜间排放黑水，有异味")
    page.select_option("select[name=channel]", "12345")
    page.fill("input[name=complainant_name]", "王建国")
    page.fill("input[name=complainant_contact]", "13812345678")
    page.fill("input[name=outfalls]", outfall.code)
    with page.expect_navigation():
        page.click("#case-form button[type=submit]")
    assert "已受理案件" in page.inner_text(".messages") and "受理" in page.inner_text("#case-state")
    assert "王建国 · 13812345678" in page.inner_text("#complainant")
    page.select_option("#assign-form select[name=town]", str(a.pk))
    with page.expect_navigation():
        page.click("#assign-form button")
    assert "已交办" in page.inner_text("#case-state") and a.name in page.inner_text("#case-assignee")
    case_url = page.url

    page.context.clear_cookies()
    login("town_a", PASSWORD)
    page.goto(case_url)
    assert "138****5678" in page.inner_text("#complainant") and "13812345678" not in page.content()
    assert page.locator("#close-form").count() == 0 and page.locator("#assign-form").count() == 0
    page.fill("#note-form textarea[name=text]", "已现场核查：暗管已封堵，责令清理")
    page.set_input_files("#note-form input[name=file]", png(tmp_path / "现场.png"))
    with page.expect_navigation():
        page.click("#note-form button")
    assert "办理中" in page.inner_text("#case-state") and "现场.png" in page.inner_text("#timeline")
    page.fill("#reply-form textarea[name=reply]", "经核查属实，已整改到位，已电话答复信访人")
    with page.expect_navigation():
        page.click("#reply-form button")
    assert "已答复" in page.inner_text("#case-state")

    page.context.clear_cookies()
    login("bureau", PASSWORD)
    page.goto(case_url)
    page.select_option("#close-form select[name=result]", "rectified")
    page.fill("#close-form input[name=note]", "复核属实，同意销号")
    with page.expect_navigation():
        page.click("#close-form button")
    assert "已办结销号" in page.inner_text(".messages")
    assert "已办结 · 已整改" in page.inner_text("#case-state")
    timeline = page.inner_text("#timeline")
    for step in ("受理", "已交办", "开始办理", "办理记录", "已答复", "已办结销号"):
        assert step in timeline
    case = Case.objects.get()
    assert case.state == "closed" and case.result == "rectified"
    page.goto(f"{live_server.url}/cases/?state=closed")
    assert case.number in page.inner_text("#case-list")
    assert errors == [] and external == []
