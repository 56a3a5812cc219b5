"""Read queries of the alert pages and API."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from outfall.alerts import permissions
from outfall.monitoring.models import OutfallReading, Section, SectionReading

FILTERS = ("state", "rule", "severity", "site_kind", "parameter")


def filtered(qs, params):
    """Alerts filtered by state, rule, severity, site kind, parameter, town (id) and river (name)."""
    for f in FILTERS:
        if params.get(f):
            qs = qs.filter(**{f: params[f]})
    if params.get("town"):
        qs = qs.filter(town_id=params["town"]) if str(params["town"]).isdigit() else qs.none()
    if params.get("river"):
        qs = qs.filter(section__river=params["river"])
    if params.get("open") in ("1", "true"):
        qs = qs.filter(episode_open=True)
    return qs


def rivers() -> list[str]:
    return sorted(set(Section.objects.exclude(river="").values_list("river", flat=True)))


def readings_around(alert, *, margin):
    """(time, value) of the alert's series from ``margin`` (a timedelta) before it opened to ``margin``
    after its last reading."""
    model, fk = (SectionReading, "section_id") if alert.site_kind == "section" else (OutfallReading, "outfall_id")
    site_id = alert.section_id if alert.site_kind == "section" else alert.outfall_id
    return list(model.objects.filter(**{fk: site_id}, parameter=alert.parameter,
                                     time__gte=alert.opened_at - margin, time__lte=alert.last_time + margin)
                .exclude(value=None).order_by("time").values_list("time", "value"))


def assignees(alert):
    """Active users who may act on ``alert`` (the choices of the assign form)."""
    return [u for u in get_user_model().objects.filter(is_active=True).order_by("username")
            if permissions.can_act(u, alert)]


def user_or_none(pk):
    if not str(pk or "").isdigit():
        return None
    return get_user_model().objects.filter(pk=int(pk)).first()
