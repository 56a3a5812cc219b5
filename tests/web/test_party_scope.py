"""Issue #7: a responsible party shared by outfalls of several towns (one resolver, three doors).

A town user who types another town's party credit code with other details must not rename that
party on the other town's outfall: the change is refused with a message naming the conflict, by
the form, the API and the import alike, and nothing is written. Whoever may edit every outfall of
a party may change it, and then every one of those outfalls gets a ChangeRecord.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token

from factories import make_outfall, make_towns, make_users
from outfall.core.errors import PermissionDeniedError, RowErrors
from outfall.history.models import ChangeRecord
from outfall.history.services import history_of
from outfall.ledger.excel import import_outfalls
from outfall.ledger.forms import OutfallForm
from outfall.ledger.models import Outfall, ResponsibleParty
from outfall.ledger.services import party_dicts, refused_party_changes, update_outfall

SHARED = "91370285MA3C00000P"   # attached to outfalls of both towns
OWN_A = "91370285MA3C00001T"    # attached to two outfalls of town A only
SHARED_NAME, OWN_A_NAME = "甲化工有限公司", "丙食品厂"


def party(name: str, uscc: str | None = None, industry: str = "", contact: str = "") -> dict:
    return {"name": name, "uscc": uscc, "industry": industry, "contact": contact}


def party_records(outfall: Outfall) -> list[ChangeRecord]:
    return [r for r in history_of(outfall) if r.target_type.model == "responsibleparty"]


class SharedPartyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.town_a, cls.town_b = make_towns()
        cls.users = make_users(cls.town_a, cls.town_b)
        admin = cls.users["admin"]
        shared = party(SHARED_NAME, SHARED, "化学原料和化学制品制造业", "张三 13800000000")
        cls.oA1 = make_outfall(cls.town_a, admin, parties=[shared])
        cls.oB1 = make_outfall(cls.town_b, admin, parties=[shared])
        cls.oA2 = make_outfall(cls.town_a, admin, parties=[party(OWN_A_NAME, OWN_A)])
        cls.oA3 = make_outfall(cls.town_a, admin, parties=[party(OWN_A_NAME, OWN_A), party("某村委会")])
        cls.oB2 = make_outfall(cls.town_b, admin, parties=[party("某村委会")])  # a name-only party, both towns

    def shared(self) -> ResponsibleParty:
        return ResponsibleParty.objects.get(uscc=SHARED)

    def assert_untouched(self):
        p = self.shared()
        assert (p.name, p.contact) == (SHARED_NAME, "张三 13800000000")
        assert [d["name"] for d in party_dicts(self.oB1)][0] == SHARED_NAME
        assert party_records(self.oA1) == [] and party_records(self.oB1) == []

    # -- the rule ------------------------------------------------------------------------------
    def test_the_rule(self):
        ask = [party("乙公司", SHARED), party(SHARED_NAME, SHARED), party("", SHARED), party("丁", OWN_A),
               party("某村委会", contact="李四")]
        assert refused_party_changes(ask, actor=self.users["bureau"]) == {}
        got = refused_party_changes(ask, actor=self.users["town_b"])
        assert sorted(got) == [0, 3, 4]  # registered or empty details only link; town B may not touch A's
        assert f"已登记为「{SHARED_NAME}」" in got[0] and self.oA1.code in got[0] and "乙公司" in got[0]
        assert self.oA2.code in got[3] and "某村委会" in got[4] and self.oA3.code in got[4]
        assert sorted(refused_party_changes(ask, actor=self.users["town_a"])) == [0, 4]

    # -- the form ------------------------------------------------------------------------------
    def form_post(self, outfall: Outfall, parties_text: str) -> dict:
        data = OutfallForm.initial_from(outfall, party_dicts(outfall))
        data = {k: ("" if v is None else v) for k, v in data.items() if v is not False}
        data["parties"] = parties_text
        return data

    def test_form_refuses_renaming_another_towns_party(self):
        self.client.force_login(self.users["town_b"])
        r = self.client.post(f"/ledger/{self.oB1.pk}/edit/", self.form_post(self.oB1, f"乙公司 | {SHARED}"))
        body = r.content.decode()
        assert r.status_code == 200 and f"已登记为「{SHARED_NAME}」" in body and self.oA1.code in body
        self.assert_untouched()
        # the registered name only links the party: saved
        r = self.client.post(f"/ledger/{self.oB1.pk}/edit/",
                             self.form_post(self.oB1, f"{SHARED_NAME} | {SHARED}\n某村委会"))
        assert r.status_code == 302
        assert [d["name"] for d in party_dicts(self.oB1)] == [SHARED_NAME, "某村委会"]
        self.assert_untouched()

    def test_form_renames_a_party_of_own_town_and_every_outfall_shows_it(self):
        self.client.force_login(self.users["town_a"])
        r = self.client.post(f"/ledger/{self.oA2.pk}/edit/", self.form_post(self.oA2, f"丙食品有限公司 | {OWN_A}"))
        assert r.status_code == 302
        for o in (self.oA2, self.oA3):
            (rec,) = party_records(o)
            assert rec.diff() == [("name", OWN_A_NAME, "丙食品有限公司")] and rec.actor_name == "town_a"
        assert [d["name"] for d in party_dicts(self.oA3)][0] == "丙食品有限公司"
        page = self.client.get(f"/ledger/{self.oA3.pk}/").content.decode()
        assert f"责任主体 {OWN_A} 信息变更" in page and "<ins>丙食品有限公司</ins>" in page

    # -- the API -------------------------------------------------------------------------------
    def patch(self, who: str, outfall: Outfall, body: dict):
        token, _ = Token.objects.get_or_create(user=self.users[who])
        return self.client.patch(f"/api/outfalls/{outfall.pk}/", body, content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Token {token.key}")

    def test_api_patch_refuses_and_changes_nothing(self):
        for details in ({"name": "乙公司"}, {"name": SHARED_NAME, "contact": "王五 13900000000"}):
            r = self.patch("town_b", self.oB1, {"notes": "改", "responsible_parties": [{"uscc": SHARED, **details}]})
            assert r.status_code == 403, r.content
            assert f"已登记为「{SHARED_NAME}」" in r.json()["detail"]
            self.oB1.refresh_from_db()
            assert self.oB1.notes == ""  # the whole update was rolled back
            self.assert_untouched()
        token, _ = Token.objects.get_or_create(user=self.users["town_b"])
        body = {"name": "新口", "category": "其他排口", "lon": 120.51, "lat": 36.91, "town": "姜山镇",
                "receiving_water": "大沽河", "responsible_parties": [{"name": "乙公司", "uscc": SHARED}]}
        n = Outfall.objects.count()
        r = self.client.post("/api/outfalls/", body, content_type="application/json",
                             HTTP_AUTHORIZATION=f"Token {token.key}")
        assert r.status_code == 403 and Outfall.objects.count() == n
        self.assert_untouched()

    def test_api_patch_by_bureau_renames_and_both_towns_outfalls_record_it(self):
        r = self.patch("bureau", self.oB1, {"responsible_parties": [{"name": "乙公司", "uscc": SHARED}]})
        assert r.status_code == 200, r.content
        assert self.shared().name == "乙公司"
        for o in (self.oA1, self.oB1):
            (rec,) = party_records(o)
            assert rec.diff() == [("name", SHARED_NAME, "乙公司")] and rec.actor_name == "bureau"
        assert [d["name"] for d in party_dicts(self.oA1)] == ["乙公司"]

    # -- the import ----------------------------------------------------------------------------
    def csv_of(self, outfall: Outfall, party_name: str, uscc: str) -> bytes:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["排污口编码", "排污口名称", "一级类型", "经度", "纬度", "所属镇街", "受纳水体", "责任主体",
                    "统一社会信用代码"])
        w.writerow([outfall.code, outfall.name, outfall.type_l1, outfall.original_lon, outfall.original_lat,
                    outfall.town.name, outfall.receiving_water, party_name, uscc])
        return buf.getvalue().encode("utf-8")

    def test_import_refuses_with_the_row_and_writes_nothing(self):
        data = self.csv_of(self.oB1, "乙公司", SHARED)
        dry = import_outfalls(data, actor=self.users["town_b"], name="b.csv", dry_run=True)
        assert [(e.row, e.column) for e in dry.errors] == [(2, "责任主体")]
        assert f"已登记为「{SHARED_NAME}」" in dry.errors[0].message and self.oA1.code in dry.errors[0].message
        with pytest.raises(RowErrors):
            import_outfalls(data, actor=self.users["town_b"], name="b.csv")
        self.assert_untouched()
        # the same file from the bureau goes through, and both outfalls show the rename
        result = import_outfalls(data, actor=self.users["bureau"], name="b.csv")
        assert result.committed and self.shared().name == "乙公司"
        for o in (self.oA1, self.oB1):
            (rec,) = party_records(o)
            assert rec.diff() == [("name", SHARED_NAME, "乙公司")] and rec.batch_id == result.batch_id

    def test_service_refuses_even_without_the_doors(self):
        with pytest.raises(PermissionDeniedError):
            update_outfall(self.oB2, {"parties": [party("某村委会", contact="李四")]}, actor=self.users["town_b"])
        assert ResponsibleParty.objects.get(name="某村委会").contact == ""
