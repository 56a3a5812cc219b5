"""The demo's field inspections load through the service, once, with their quick tests as field readings."""

from __future__ import annotations

import io

import pytest

from outfall.inspections.models import Inspection
from outfall.monitoring.models import OutfallReading

pytestmark = pytest.mark.django_db


def test_demo_inspections(settings, tmp_path):
    from outfall.demo import inspections, ledger

    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    ledger.load(stdout=out)
    inspections.load(stdout=out)
    inspections.load(stdout=out)  # idempotent
    assert "已记录 3 次演示现场巡查" in out.getvalue() and "演示巡查已存在" in out.getvalue()
    items = {i.outfall.name: i for i in Inspection.objects.select_related("outfall")}
    assert len(items) == 3
    latex = items["莱西市官庄橡胶有限公司排污口"]
    assert latex.open_case and latex.distance_m == pytest.approx(15, abs=0.5) and not latex.far
    assert sum(i.far for i in items.values()) == 1  # the visit from 260 m away
    assert OutfallReading.objects.filter(source="field").count() == 6
    assert all(i.photos.count() == 1 for i in items.values())
    assert sorted(i.case.source for i in items.values() if i.case_id) == ["field", "field"]  # the two findings
