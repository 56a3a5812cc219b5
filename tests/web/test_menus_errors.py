"""Menus offer exactly what a role may open, and error pages speak the user's language inside the
site's layout (issue #12)."""

from __future__ import annotations

import re
import tempfile

from django.test import RequestFactory, TestCase, override_settings

import matrix
from matrix import ROLES, USERS
from outfall.site.nav import NAV
from test_permission_matrix import API, PAGES, build_world, url_of

MENU_LINK = re.compile(r'<a href="([^"]+)" data-name="([^"]+)">')


def expected_status(name: str, role: str) -> int:
    row = PAGES.get((name, "GET")) or API.get((name, "GET"))
    return row[ROLES.index(role)]


class MenuTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.media = tempfile.mkdtemp()
        cls.world = build_world(cls.media)

    def test_each_role_sees_exactly_the_entries_it_may_open(self):
        clients = matrix.Clients(self.world)
        for role in ROLES[1:]:
            with self.subTest(role=role):
                body = clients.request("GET", role, "/").content.decode()
                shown = {name for _url, name in MENU_LINK.findall(body)}
                may_open = {name for name, _label, _may in NAV if expected_status(name, role) == 200}
                assert shown == may_open, (f"{role} ({USERS[role]}): menu {sorted(shown)}, "
                                           f"the permission matrix lets it open {sorted(may_open)}")

    def test_every_menu_link_answers_200(self):
        clients = matrix.Clients(self.world)
        for role in ("viewer", "own", "bureau"):
            body = clients.request("GET", role, "/").content.decode()
            for url, name in MENU_LINK.findall(body):
                assert clients.request("GET", role, url).status_code == 200, (role, name, url)

    def test_read_only_roles_are_not_offered_the_import(self):
        clients = matrix.Clients(self.world)
        for role in ("insp", "viewer"):
            assert "/ledger/import/" not in clients.request("GET", role, "/").content.decode()
        assert "/ledger/import/" in clients.request("GET", "own", "/").content.decode()


class ErrorPageTests(TestCase):
    def setUp(self):
        from django.utils import translation

        self.addCleanup(translation.deactivate)  # an English request leaves English active in the thread

    @classmethod
    def setUpTestData(cls):
        cls.media = tempfile.mkdtemp()
        cls.world = build_world(cls.media)

    def get(self, role, url, language="zh-hans"):
        clients = matrix.Clients(self.world)
        clients.session(role).cookies["django_language"] = language
        return clients.request("GET", role, url)

    def test_another_towns_edit_page_is_a_404_in_the_layout_in_both_languages(self):
        url = url_of(self.world, matrix.routes()["ledger:edit"])
        zh = self.get("other", url)
        assert zh.status_code == 404
        body = zh.content.decode()
        assert 'id="menu"' in body and "404 未找到" in body and "<title>404 未找到 · outfall</title>" in body
        assert "Not Found" not in body
        en = self.get("other", url, "en").content.decode()
        assert 'lang="en"' in en and "404 Not found" in en and "未找到" not in en

    def test_forbidden_is_a_403_in_the_layout(self):
        r = self.get("viewer", "/ledger/import/", "en")
        assert r.status_code == 403
        body = r.content.decode()
        assert 'id="menu"' in body and "403" in body and "Forbidden" not in body
        assert "<title>403 " in body

    def test_a_failed_csrf_check_is_a_403_in_the_layout(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.world.users["bureau"])
        client.cookies["django_language"] = "en"
        r = client.post("/sections/new/", {})
        assert r.status_code == 403 and 'id="menu"' in r.content.decode() and "refresh the page" in r.content.decode()

    def test_unknown_url_is_a_404_in_the_layout(self):
        r = self.get("viewer", "/no-such-page/", "en")
        assert r.status_code == 404 and 'id="menu"' in r.content.decode()

    def test_api_404_stays_json(self):
        r = self.get("viewer", "/api/no-such-thing/")
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json")

    def test_server_error_page(self):
        from django.contrib.auth.models import AnonymousUser

        from outfall.site.views import server_error

        request = RequestFactory().get("/ledger/")
        request.user = AnonymousUser()
        r = server_error(request)
        assert r.status_code == 500 and "500" in r.content.decode() and "<title>500 " in r.content.decode()

    def test_server_error_page_when_the_layout_itself_fails(self):
        from unittest import mock

        from outfall.site import views

        request = RequestFactory().get("/ledger/")
        with mock.patch.object(views, "render", side_effect=RuntimeError("database down")):
            r = views.server_error(request)
        assert r.status_code == 500 and "<h1>500 " in r.content.decode()

    @override_settings(DEBUG=False)
    def test_a_view_that_fails_answers_the_500_page(self):
        from unittest import mock

        from django.test import Client

        client = Client(raise_request_exception=False)
        client.force_login(self.world.users["viewer"])
        with mock.patch("outfall.ledger.selectors.ledger_counts", side_effect=RuntimeError("boom")):
            r = client.get("/")
        assert r.status_code == 500 and "<title>500 " in r.content.decode()
