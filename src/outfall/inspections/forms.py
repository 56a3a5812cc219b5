"""Reading a posted inspection (the phone page's form, or the API's multipart/JSON body) into the
service's arguments: observations, photos ``[(upload, kind)]`` and quick-test rows."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from outfall.core.inspections import InspectionErrors, Problem

OBSERVATION_FIELDS = ("inspected_at", "discharging", "colour", "odour", "foam", "flow_value", "flow_unit", "lon",
                      "lat", "accuracy_m", "notes", "finding", "open_case")
PHOTO_FIELDS = {"site_photos": "site", "quick_test_photos": "quick_test"}


def _quick_tests(data) -> list[dict]:
    """Rows from ``qt_parameter``/``qt_value``/``qt_unit`` lists (the form) or ``quick_tests`` (a
    JSON list of objects, or its text in a multipart body)."""
    qt = data.get("quick_tests") if hasattr(data, "get") else None
    if qt not in (None, ""):
        if isinstance(qt, str):
            try:
                qt = json.loads(qt)
            except ValueError:
                raise InspectionErrors([Problem("quick_tests", _("快检数据不是 JSON 数组"))]) from None
        if not isinstance(qt, list):
            raise InspectionErrors([Problem("quick_tests", _("快检数据应为数组 [{parameter, value, unit}]"))])
        return qt
    getlist = getattr(data, "getlist", None)
    if getlist is None:
        return []
    params, values, units = getlist("qt_parameter"), getlist("qt_value"), getlist("qt_unit")
    return [{"parameter": p, "value": values[i] if i < len(values) else "", "unit": units[i] if i < len(units) else ""}
            for i, p in enumerate(params)]


def posted_inspection(data, files) -> tuple[dict, list, list[dict], str]:
    """(observations, photos, quick tests, client key) from a request's data and files."""
    def one(name):
        v = data.get(name)
        return v[-1] if isinstance(v, list) and v else v

    observations = {k: one(k) for k in OBSERVATION_FIELDS if one(k) is not None}
    photos = [(f, kind) for field, kind in PHOTO_FIELDS.items() for f in files.getlist(field)] if files else []
    return observations, photos, _quick_tests(data), str(one("client_key") or "")
