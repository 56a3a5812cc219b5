"""Trace pages and API: the alert's one-click trace, the section's trace form, the trace page
(table with evidence in words, groups, map, chart), tasks and their results, the Word report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

import traces_fixtures as fx
from factories import make_towns, make_users
from outfall.alerts.models import Alert
from outfall.traces import services
from outfall.traces.models import Trace, VerificationTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    a, b = make_towns()
    users = make_users(a, b)
    w = fx.build(a, users["admin"], other_town=b)
    w["alert"] = Alert.objects.create(site_kind="section", section=w["SM"], site_code=w["SM"].code, parameter="NH3N",
                                      rule="exceedance", severity="medium", opened_at=w["peak"], last_time=w["peak"],
                                      value=2.0, limit=1.0, peak=2.0, rules_version=1, explanation_zh="x", town=a,
                                      episode_open=False)
    w.update(users=users, town_a=a)
    return w


def test_alert_page_traces_in_one_click(client, world):
    client.force_login(world["users"]["viewer"])
    page = client.get(reverse("alerts:detail", args=[world["alert"].pk])).content.decode()
    assert 'id="traces"' in page and "trace-button" not in page  # a viewer reads, does not trace
    client.force_login(world["users"]["bureau"])
    page = client.get(reverse("alerts:detail", args=[world["alert"].pk])).content.decode()
    assert "trace-button" in page and "溯源" in page
    r = client.post(reverse("traces:from-alert", args=[world["alert"].pk]))
    t = Trace.objects.get()
    assert r.status_code == 302 and r.url == reverse("traces:detail", args=[t.pk])
    world["alert"].refresh_from_db()
    assert world["alert"].state == "tracing" and t.alert == world["alert"]
    page = client.get(r.url).content.decode()
    assert world["P1"].code in page and "沿河" in page and "衰减后到达" in page and "未解释" in page
    assert page.index(world["P1"].code) < page.index(world["P2"].code)  # best first
    assert "vendor/leaflet/leaflet.js" in page and "vendor/plotly/plotly.min.js" in page and "cdn" not in page.lower()
    assert 'id="trace-map"' in page and 'id="trace-chart"' in page and "create-tasks" in page
    listing = client.get(reverse("traces:list")).content.decode()
    assert world["SM"].code in listing and reverse("traces:detail", args=[t.pk]) in listing


def test_groups_the_data_cannot_split_are_shown_as_one(client, world):
    t = services.start_trace(world["SM"], "NH3N", world["peak"], actor=world["users"]["admin"])
    c = t.result["candidates"]
    c[1]["group"] = c[0]["group"]  # two members of one group, as the core reports when the data cannot split them
    Trace.objects.filter(pk=t.pk).update(result=t.result)
    client.force_login(world["users"]["viewer"])
    page = client.get(reverse("traces:detail", args=[t.pk])).content.decode()
    assert "数据无法区分以下 2 个排污口，合计份额" in page and "create-tasks" not in page


def test_section_page_traces_any_parameter_and_time(client, world):
    client.force_login(world["users"]["admin"])
    page = client.get(reverse("monitoring:section-detail", args=[world["SM"].pk])).content.decode()
    assert 'id="section-trace-form"' in page and '<option value="NH3N">' in page  # the parameters measured there
    at = fx.T0.astimezone(dt.timezone(dt.timedelta(hours=8)))
    r = client.post(reverse("traces:create"), {"section": world["SM"].pk, "parameter": "氨氮",
                                               "at": (world["peak"] + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302 and Trace.objects.count() == 1
    r = client.post(reverse("traces:create"), {"section": world["SM"].pk, "parameter": "NH3N",
                                               "at": (at + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")},
                    follow=True)
    assert Trace.objects.count() == 1 and "没有氨氮 (NH3N)读数" in r.content.decode()


def test_tasks_from_the_trace_page_and_the_result_page(client, world):
    t = services.trace_alert(world["alert"], actor=world["users"]["admin"])
    client.force_login(world["users"]["bureau"])
    inspector = world["users"]["inspector"]
    r = client.post(reverse("traces:task-create", args=[t.pk]),
                    {"outfall": [world["P1"].code, world["P3"].code], "assignee": inspector.pk, "deadline": "2025-07-10"})
    assert r.status_code == 302 and VerificationTask.objects.filter(trace=t, assignee=inspector).count() == 2
    r = client.post(reverse("traces:task-create", args=[t.pk]), {"outfall": ["NOPE"]}, follow=True)
    assert "不存在" in r.content.decode() and VerificationTask.objects.count() == 2
    task = VerificationTask.objects.get(outfall=world["P1"])
    client.force_login(inspector)
    page = client.get(reverse("traces:task-detail", args=[task.pk])).content.decode()
    assert "complete-form" in page and world["P1"].code in page
    r = client.post(reverse("traces:task-complete", args=[task.pk]), {"result": "discharging", "note": "偷排"},
                    follow=True)
    task.refresh_from_db()
    assert task.state == "done" and task.result == "discharging"
    assert "请预警负责人确认" in r.content.decode()  # an inspector may not confirm the alert
    assert "inspector" in client.get(reverse("traces:task-list") + "?mine=1").content.decode()


def test_api_trace_and_tasks(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world['users']['bureau']).key}")
    r = api.post("/api/traces/", {"section": world["SM"].code, "parameter": "NH3N", "at": world["peak"].isoformat()},
                 format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["result"]["candidates"][0]["outfall"] == world["P1"].code and body["section"] == world["SM"].code
    assert api.get(f"/api/traces/{body['id']}/").json()["id"] == body["id"]
    assert [x["id"] for x in api.get(f"/api/traces/?section={world['SM'].code}").json()["results"]] == [body["id"]]
    r = api.post("/api/traces/", {"alert": world["alert"].pk}, format="json")
    assert r.status_code == 201 and r.json()["alert"] == world["alert"].pk
    r = api.post("/api/traces/", {"section": world["SM"].code, "parameter": "NH3N", "at": "2030-01-01T00:00:00Z"},
                 format="json")
    assert r.status_code == 400 and "没有" in r.json()["detail"]
    r = api.post("/api/trace-tasks/", {"trace": body["id"], "outfall": world["P1"].code, "assignee": "inspector"},
                 format="json")
    assert r.status_code == 201 and r.json()["state"] == "open"
    task = r.json()["id"]
    r = api.post(f"/api/trace-tasks/{task}/complete/", {"result": "bogus"}, format="json")
    assert r.status_code == 400
    r = api.post(f"/api/trace-tasks/{task}/complete/", {"result": "not_discharging"}, format="json")
    assert r.status_code == 200 and r.json()["result"] == "not_discharging"
    viewer = APIClient()
    viewer.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world['users']['viewer']).key}")
    assert viewer.post("/api/traces/", {"alert": world["alert"].pk}, format="json").status_code == 403


def test_report_download(client, world):
    t = services.trace_alert(world["alert"], actor=world["users"]["admin"])
    client.force_login(world["users"]["viewer"])
    r = client.get(reverse("traces:report", args=[t.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert r.content[:2] == b"PK" and ".docx" in r["Content-Disposition"]
