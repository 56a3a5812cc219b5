"""Read queries of the trace pages, API and CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from importlib import resources

from django.contrib.auth import get_user_model
from django.db.models import Max

import outfall
from outfall.core.errors import InputError
from outfall.monitoring.models import SectionReading
from outfall.traces import permissions


@lru_cache(maxsize=1)
def model_version() -> str:
    """``<package version>+tracing.<digest>``: the SHA-256 of the tracing core's source and its
    typical-effluent table, so a stored trace says exactly which model answered it."""
    h = hashlib.sha256()
    root = resources.files("outfall.core.tracing")
    for item in sorted(root.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".py"):
            h.update(item.name.encode() + item.read_bytes())
    data = root.joinpath("data")
    if data.is_dir():
        for item in sorted(data.iterdir(), key=lambda p: p.name):
            if item.is_file():
                h.update(item.name.encode() + item.read_bytes())
    return f"{outfall.__version__}+tracing.{h.hexdigest()[:10]}"


def alert_peak_time(alert) -> dt.datetime:
    """The time of the highest reading of the alert's episode (its last reading when none is stored)."""
    row = (SectionReading.objects.filter(section_id=alert.section_id, parameter=alert.parameter,
                                         time__gte=alert.opened_at, time__lte=alert.last_time)
           .exclude(value=None).exclude(qc_flag="invalid").order_by("-value", "time").values_list("time", flat=True)
           .first())
    return row or alert.last_time


def default_time(section, parameter: str) -> dt.datetime:
    """The time a trace is asked for when none is given: the peak of the latest exceedance alert of
    this section and parameter, else its latest reading of the parameter."""
    from outfall.alerts.models import Alert

    alert = (Alert.objects.filter(section=section, parameter=parameter, rule__in=["exceedance", "repeated", "jump"])
             .order_by("-last_time").first())
    if alert is not None:
        return alert_peak_time(alert)
    latest = SectionReading.objects.filter(section=section, parameter=parameter).aggregate(t=Max("time"))["t"]
    if latest is None:
        raise InputError(f"no readings of {parameter} at {section.code}",
                         user_message=f"断面「{section.code} {section.name}」没有 {parameter} 的读数，无法溯源 / "
                                      f"no readings of {parameter} at this section")
    return latest


def assignees(outfall) -> list:
    """Active users a task on ``outfall`` may be given to."""
    return [u for u in get_user_model().objects.filter(is_active=True).select_related("town").order_by("username")
            if permissions.can_be_assigned(u, outfall)]
