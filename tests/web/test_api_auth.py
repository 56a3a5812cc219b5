"""Only requests that really authenticate reach the API, its schema and its docs (issue #7, item 5),
and API tokens expire (item 6)."""

from __future__ import annotations

import base64
import datetime as dt
import io

from django.test import TestCase, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from factories import PASSWORD, make_towns, make_users

API_PATHS = ["/api/schema/", "/api/docs/", "/api/", "/api/outfalls/", "/api/sections/", "/api/network/report/"]

#: Authorization headers that carry no valid credentials for this API.
BAD_HEADERS = {
    "basic": "Basic x",
    "basic with a real password": "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode(),
    "bearer": "Bearer x",
    "bad token": "Token bad",
    "token without key": "Token",
    "token with spaces": "Token a b",
    "garbage": "garbage",
    "empty": "",
    "lower-case keyword": "token bad",
}


class ApiAuthenticationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        a, b = make_towns()
        cls.users = make_users(a, b)
        cls.token = Token.objects.create(user=cls.users["viewer"])

    def assert_refused(self, r, label):
        assert r.status_code == 401, (label, r.status_code, r.content[:200])
        body = r.content.decode()
        assert "openapi" not in body.lower() and "swagger" not in body.lower(), label
        assert r.json()["detail"], label

    def test_anonymous_with_any_header_is_refused_everywhere(self):
        for path in API_PATHS:
            self.assert_refused(self.client.get(path), (path, "no header"))
            for label, header in BAD_HEADERS.items():
                self.assert_refused(self.client.get(path, HTTP_AUTHORIZATION=header), (path, label))

    def test_writes_with_a_bad_header_are_refused(self):
        for label, header in BAD_HEADERS.items():
            r = self.client.post("/api/readings/", {"readings": [{}]}, content_type="application/json",
                                 HTTP_AUTHORIZATION=header)
            self.assert_refused(r, label)

    def test_a_refusal_says_which_scheme_to_use(self):
        r = self.client.get("/api/schema/", HTTP_AUTHORIZATION="Bearer x")
        assert r["WWW-Authenticate"] == "Token"
        r = self.client.get("/api/schema/", HTTP_AUTHORIZATION="Token bad")
        assert r.status_code == 401 and r["WWW-Authenticate"] == "Token" and "令牌" in r.json()["detail"]

    def test_a_valid_token_or_a_session_gets_schema_and_docs(self):
        header = f"Token {self.token.key}"
        r = self.client.get("/api/schema/", HTTP_AUTHORIZATION=header)
        assert r.status_code == 200 and b"openapi" in r.content
        assert self.client.get("/api/docs/", HTTP_AUTHORIZATION=header).status_code == 200
        assert self.client.get("/api/outfalls/", HTTP_AUTHORIZATION=header).status_code == 200
        self.client.force_login(self.users["viewer"])
        assert self.client.get("/api/schema/").status_code == 200
        assert self.client.get("/api/docs/").status_code == 200

    def test_a_session_with_a_bad_token_header_is_still_the_session(self):
        self.client.force_login(self.users["viewer"])
        assert self.client.get("/api/outfalls/", HTTP_AUTHORIZATION="Basic x").status_code == 200

    def test_a_token_writes_without_csrf(self):
        """The middleware's authentication check must not turn a token user into a session user
        (DRF's SessionAuthentication would then demand a CSRF cookie from a script)."""
        from django.test import Client

        from factories import make_outfall

        admin = self.users["admin"]
        from outfall.accounts.models import Town

        outfall = make_outfall(Town.objects.first(), admin)
        key = Token.objects.create(user=admin).key
        client = Client(enforce_csrf_checks=True)
        r = client.patch(f"/api/outfalls/{outfall.pk}/", data='{"notes": "token"}', content_type="application/json",
                         HTTP_AUTHORIZATION=f"Token {key}")
        assert r.status_code == 200, r.content[:300]

    def test_token_of_an_inactive_user_is_refused(self):
        user = self.users["inspector"]
        token = Token.objects.create(user=user)
        user.is_active = False
        user.save()
        self.assert_refused(self.client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token.key}"), "inactive")

    def test_schema_documents_the_token_scheme(self):
        r = self.client.get("/api/schema/", {"format": "json"}, HTTP_AUTHORIZATION=f"Token {self.token.key}")
        schemes = r.json()["components"]["securitySchemes"]
        assert schemes["tokenAuth"]["in"] == "header" and schemes["tokenAuth"]["name"] == "Authorization"
        assert "/api/readings/" in r.json()["paths"]


class TokenExpiryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        a, b = make_towns()
        cls.user = make_users(a, b)["bureau"]

    def get(self, token):
        return self.client.get("/api/outfalls/", HTTP_AUTHORIZATION=f"Token {token.key}")

    def age(self, token, days: float):
        Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))

    def test_default_lifetime_is_90_days(self):
        token = Token.objects.create(user=self.user)
        assert self.get(token).status_code == 200
        self.age(token, 89.9)
        assert self.get(token).status_code == 200
        self.age(token, 90.01)
        r = self.get(token)
        assert r.status_code == 401
        detail = r.json()["detail"]
        assert "令牌已于" in detail and "过期" in detail and "90 天" in detail and "drf_create_token -r" in detail
        assert "Token expired" in detail
        # the schema and the docs refuse it too
        assert self.client.get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401

    @override_settings(OUTFALL_TOKEN_DAYS=7)
    def test_lifetime_is_a_setting(self):
        token = Token.objects.create(user=self.user)
        self.age(token, 6.9)
        assert self.get(token).status_code == 200
        self.age(token, 7.1)
        r = self.get(token)
        assert r.status_code == 401 and "7 天" in r.json()["detail"]

    def test_a_renewed_token_works_again(self):
        from django.core.management import call_command

        token = Token.objects.create(user=self.user)
        self.age(token, 365)
        assert self.get(token).status_code == 401
        call_command("drf_create_token", self.user.username, reset_token=True, stdout=io.StringIO())
        fresh = Token.objects.get(user=self.user)
        assert fresh.key != token.key and self.get(fresh).status_code == 200
        assert self.get(token).status_code == 401
