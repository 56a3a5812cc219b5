"""The section form (create, edit, move with re-snapping) and the snap distance on the outfall and
section pages (issue #12)."""

from __future__ import annotations

import re
import tempfile

from django.test import TestCase, override_settings

from outfall.history.models import ChangeRecord
from outfall.monitoring.models import Section
from outfall.rivers.models import Snap
from test_permission_matrix import build_world

FORM = {"code": "370285S09", "name": "Test section", "level": "provincial", "water_type": "river",
        "target_class": "III", "river": "Dagu", "original_lon": "120.384", "original_lat": "36.776",
        "original_crs": "WGS84", "town": "", "notes": ""}


class SectionFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.media = tempfile.mkdtemp()
        cls.world = build_world(cls.media)

    def setUp(self):
        self.enterContext(override_settings(MEDIA_ROOT=self.media))

    def login(self, name):
        self.client.force_login(self.world.users[name])

    def test_bureau_creates_a_section_snapped_with_history(self):
        self.login("bureau")
        r = self.client.post("/sections/new/", FORM)
        assert r.status_code == 302, r.content.decode()[:2000]
        s = Section.objects.get(code="370285S09")
        assert (s.level, s.target_class, s.river, s.town) == ("provincial", "III", "Dagu", None)
        snap = Snap.objects.get(section=s)
        rec = ChangeRecord.objects.get(target_id=str(s.pk), target_type__model="section")
        assert rec.action == "create" and rec.actor_name == "bureau"
        page = self.client.get(r["Location"]).content.decode()
        assert f"{snap.distance_m:.0f} m" in page and snap.reach.reach_id in page

    def test_moving_a_section_snaps_it_again_and_records_the_move(self):
        self.login("admin")
        s = self.world.section
        before = Snap.objects.get(section=s)
        data = {**FORM, "code": s.code, "name": s.name, "original_lon": "120.4235", "original_lat": "37.12"}
        r = self.client.post(f"/sections/{s.pk}/edit/", data)
        assert r.status_code == 302, r.content.decode()[:2000]
        s.refresh_from_db()
        after = Snap.objects.get(section=s)
        assert (s.lon, s.lat) == (120.4235, 37.12) and s.code == "370285S04"
        assert (after.reach_id, round(after.measure, 6)) != (before.reach_id, round(before.measure, 6))
        rec = ChangeRecord.objects.filter(target_id=str(s.pk), target_type__model="section", action="update").get()
        changed = {field for field, _old, _new in rec.diff()}
        assert {"lon", "lat", "original_lon", "original_lat"} <= changed

    def test_the_code_cannot_be_changed_by_the_form(self):
        self.login("admin")
        s = self.world.section
        self.client.post(f"/sections/{s.pk}/edit/", {**FORM, "code": "HIJACK", "name": s.name})
        assert Section.objects.filter(code="HIJACK").count() == 0

    def test_bad_input_is_refused_with_a_message_and_changes_nothing(self):
        self.login("bureau")
        n = Section.objects.count()
        r = self.client.post("/sections/new/", {**FORM, "original_lon": "36.776", "original_lat": "120.384"})
        assert r.status_code == 200 and Section.objects.count() == n
        assert re.search(r'class="errorlist', r.content.decode())
        r = self.client.post("/sections/new/", {**FORM, "code": "370285S04"})
        assert r.status_code == 200 and "370285S04" in r.content.decode() and Section.objects.count() == n

    def test_only_bureau_roles_see_the_buttons(self):
        s = self.world.section
        for name, shown in (("admin", True), ("bureau", True), ("town_a", False), ("viewer", False)):
            self.login(name)
            assert ('id="section-create"' in self.client.get("/sections/").content.decode()) is shown, name
            assert ('id="section-edit"' in self.client.get(f"/sections/{s.pk}/").content.decode()) is shown, name

    def test_outfall_page_shows_its_snap_distance(self):
        self.login("viewer")
        snap = Snap.objects.get(outfall=self.world.outfall)
        page = self.client.get(f"/ledger/{self.world.outfall.pk}/").content.decode()
        found = re.search(r'id="snap-distance">([\d,]+) m<', page)
        assert found and int(found.group(1).replace(",", "")) == round(snap.distance_m)

    def test_pages_say_when_there_is_no_network_yet(self):
        Snap.objects.all().delete()
        self.login("viewer")
        assert 'id="snap-distance"' not in self.client.get(f"/ledger/{self.world.outfall.pk}/").content.decode()
        assert "未吸附到河网" in self.client.get(f"/sections/{self.world.section.pk}/").content.decode()
