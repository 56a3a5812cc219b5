"""The inspections panel of the outfall file (its latest inspections) and the 现场巡查 / 标志牌
buttons at the top of it, registered in ``apps.py`` through the ledger's registries."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from outfall.inspections import permissions, selectors


def outfall_links(request, outfall) -> list[tuple[str, str]]:
    links = []
    if permissions.can_record(request.user, outfall):
        links.append((_("现场巡查"), reverse("inspections:inspect", kwargs={"code": outfall.code})))
    links.append((_("标志牌"), reverse("inspections:signboard", kwargs={"code": outfall.code})))
    return links


def outfall_panel(request, outfall) -> str:
    items = list(selectors.inspections(request.user).filter(outfall=outfall)[:20])
    readings = selectors.readings_by_inspection(items)
    for i in items:
        i.quick = readings.get(i.pk, [])
    return render_to_string("inspections/_outfall_panel.html", {
        "o": outfall, "items": items, "can_record": permissions.can_record(request.user, outfall),
        "max_distance_m": settings.OUTFALL_INSPECTION_MAX_DISTANCE_M}, request=request)
