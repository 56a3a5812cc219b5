"""Shared fixtures of the alerts tests: a section with a year of 4-hourly NH3N readings."""

from __future__ import annotations

import datetime as dt

from outfall.monitoring.models import Section, SectionReading

T0 = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def make_section(code="370285S09", *, town=None, target="III", river="大沽河") -> Section:
    return Section.objects.create(code=code, name=f"断面{code[-2:]}", target_class=target, river=river, lon=120.4,
                                  lat=36.8, original_lon=120.4, original_lat=36.8, town=town)


def add_readings(section, values, *, start=T0, step_h=4, parameter="NH3N") -> None:
    SectionReading.objects.bulk_create([
        SectionReading(section=section, time=start + dt.timedelta(hours=step_h * i), parameter=parameter, value=v,
                       unit="mg/L", raw=str(v)) for i, v in enumerate(values)])
