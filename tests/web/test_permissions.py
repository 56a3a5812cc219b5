"""Who may see and change outfalls: every role through pages, API and CLI (issue: one place decides)."""

from __future__ import annotations

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token

from factories import make_outfall, make_towns, make_users, outfall_data
from outfall.core.errors import PermissionDeniedError
from outfall.ledger.models import Outfall
from outfall.ledger.services import cancel_outfall, update_outfall

EDIT_EXPECT = {  # role → (may edit town A's outfall, may edit town B's outfall)
    "admin": (True, True), "bureau": (True, True), "town_a": (True, False), "town_b": (False, True),
    "inspector": (False, False), "viewer": (False, False),
}


class PermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        cls.oa = make_outfall(cls.town_a, cls.users["admin"])
        cls.ob = make_outfall(cls.town_b, cls.users["admin"])

    def test_every_role_reads_everything(self):
        for name, user in self.users.items():
            assert Outfall.objects.visible_to(user).count() == 2, name

    def test_anonymous_sees_nothing_and_is_sent_to_login(self):
        assert Outfall.objects.visible_to(None).count() == 0
        r = self.client.get("/ledger/")
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]
        assert self.client.get("/api/outfalls/").status_code == 401

    def test_editable_by_matches_the_role_table(self):
        for name, (a, b) in EDIT_EXPECT.items():
            qs = Outfall.objects.editable_by(self.users[name])
            assert (self.oa in qs, self.ob in qs) == (a, b), name

    def test_service_refuses_other_towns(self):
        for name, (a, b) in EDIT_EXPECT.items():
            for outfall, allowed in ((self.oa, a), (self.ob, b)):
                if allowed:
                    update_outfall(outfall, {"notes": f"by {name}"}, actor=self.users[name])
                else:
                    with pytest.raises(PermissionDeniedError):
                        update_outfall(outfall, {"notes": f"by {name}"}, actor=self.users[name])

    def test_town_user_cannot_move_an_outfall_into_another_town(self):
        with pytest.raises(PermissionDeniedError):
            update_outfall(self.oa, {"town": self.town_b}, actor=self.users["town_a"])
        self.oa.refresh_from_db()
        assert self.oa.town == self.town_a

    def test_page_edit_and_cancel(self):
        for name, (a, b) in EDIT_EXPECT.items():
            self.client.force_login(self.users[name])
            for outfall, allowed in ((self.oa, a), (self.ob, b)):
                r = self.client.get(f"/ledger/{outfall.pk}/edit/")
                assert r.status_code == (200 if allowed else 404), (name, outfall.code)
                if not allowed:
                    r = self.client.post(f"/ledger/{outfall.pk}/cancel/", {"reason": "x"})
                    assert r.status_code == 404
                    outfall.refresh_from_db()
                    assert outfall.status == "in_use"

    def test_api_update_respects_towns(self):
        for name, (a, b) in EDIT_EXPECT.items():
            token = Token.objects.create(user=self.users[name])
            for outfall, allowed in ((self.oa, a), (self.ob, b)):
                r = self.client.patch(f"/api/outfalls/{outfall.pk}/", {"notes": f"api {name}"},
                                      content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}")
                assert r.status_code == (200 if allowed else 404), (name, r.content)
                r = self.client.get(f"/api/outfalls/{outfall.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
                assert r.status_code == 200

    def test_api_create_only_in_own_town(self):
        token = Token.objects.create(user=self.users["town_a"])
        body = {"name": "新口", "category": "其他排口", "lon": 120.5, "lat": 36.9, "town": "姜山镇",
                "receiving_water": "大沽河"}
        r = self.client.post("/api/outfalls/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        assert r.status_code == 403
        r = self.client.post("/api/outfalls/", {**body, "town": "水集街道"}, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        assert r.status_code == 201, r.content
        assert r.json()["code"].startswith("370285Q")

    def test_viewer_cannot_create_or_import(self):
        self.client.force_login(self.users["viewer"])
        assert self.client.get("/ledger/new/").status_code == 403
        assert self.client.get("/ledger/import/").status_code == 403

    def test_cancel_needs_a_reason_and_keeps_the_row(self):
        cancel_outfall(self.ob, actor=self.users["bureau"], reason="已封堵")
        self.ob.refresh_from_db()
        assert self.ob.status == "cancelled" and self.ob.cancel_reason == "已封堵"
        assert Outfall.objects.filter(pk=self.ob.pk).exists()


def test_cli_import_refuses_another_towns_rows(db, tmp_path, capsys):
    from outfall.cli import main
    from outfall.ledger.exporting import export_ledger

    town_a, town_b = make_towns()
    users = make_users(town_a, town_b)
    make_outfall(town_b, users["admin"], name="姜山口")
    path = tmp_path / "l.csv"
    path.write_bytes(export_ledger(Outfall.objects.all(), "csv").replace("姜山口".encode(), "改名".encode()))
    assert main(["import", "outfalls", str(path), "--user", "town_a"]) == 2
    assert "无权在「姜山镇」" in capsys.readouterr().err
    assert Outfall.objects.get().name == "姜山口"
    assert main(["import", "outfalls", str(path), "--user", "town_b"]) == 0
    assert Outfall.objects.get().name == "改名"
    assert outfall_data  # the factory module is importable for the CLI test too
