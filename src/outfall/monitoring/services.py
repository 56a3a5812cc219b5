"""Every state change of monitoring data: sections and readings, atomic, with history."""

from __future__ import annotations

import uuid

from django.db import transaction

from outfall.accounts import permissions
from outfall.accounts.area import current_area, resolve_town, towns_by_key
from outfall.core.errors import InputError, PermissionDeniedError, RowError, RowErrors
from outfall.core.results import UpsertCounts
from outfall.core.standards import default_water_type
from outfall.core.tabular import read_table
from outfall.history.services import build_change, record_change, record_changes
from outfall.monitoring import columns
from outfall.monitoring.models import Section
from outfall.rivers.services import resnap, snap_site

SECTION_FIELDS = ("code", "name", "level", "water_type", "target_class", "river", "lon", "lat", "original_lon",
                  "original_lat", "original_crs", "automatic_station", "notes", "is_demo")


def section_snapshot(s: Section) -> dict:
    snap = {f: getattr(s, f) for f in SECTION_FIELDS}
    snap["town"] = s.town.name if s.town_id else None
    return snap


def _check_may_edit(actor) -> None:
    if permissions.editable_town_ids(actor) is not None:
        raise PermissionDeniedError(f"{actor} may not edit sections", user_message="只有局机关人员可以修改监测断面")


@transaction.atomic
def create_section(data: dict, *, actor, batch_id: uuid.UUID | None = None) -> Section:
    """Create a section from cleaned data; history: create."""
    _check_may_edit(actor)
    if Section.objects.filter(code=data["code"]).exists():
        raise InputError(f"duplicate section {data['code']}", user_message=f"断面编码「{data['code']}」已存在")
    section = Section.objects.create(**{k: v for k, v in data.items() if k in SECTION_FIELDS or k == "town"})
    snap_site(section)
    record_change(section, action="create", actor=actor, before=None, after=section_snapshot(section),
                  batch_id=batch_id)
    return section


@transaction.atomic
def update_section(section: Section, data: dict, *, actor, batch_id: uuid.UUID | None = None) -> Section:
    _check_may_edit(actor)
    section = Section.objects.select_for_update().get(pk=section.pk)
    before = section_snapshot(section)
    for k, v in data.items():
        if k in SECTION_FIELDS or k == "town":
            setattr(section, k, v)
    section.save()
    if (before["lon"], before["lat"]) != (section.lon, section.lat):
        snap_site(section)
    after = section_snapshot(section)
    if after != before:
        record_change(section, action="update", actor=actor, before=before, after=after, batch_id=batch_id)
    return section


def import_sections(source, *, actor, name: str = "sections", dry_run: bool = False,
                    progress=None) -> UpsertCounts:
    """Sections from CSV/XLSX (Chinese or English headers), keyed by code; whole or nothing."""
    _check_may_edit(actor)
    table = read_table(source, name=name)[0]
    result = UpsertCounts(file=table.file, rows=len(table.rows))
    mapping, header_problems = columns.match_header(table.header)
    errors = [RowError(table.file, table.sheet, 1, c, m) for c, m in header_problems]
    area = current_area()
    towns = towns_by_key()
    parsed, seen = [], {}
    if not errors:
        for rownum, cells in table.rows:
            raw = {col.field: (cells[i] if i < len(cells) else None) for i, col in mapping.items()}
            data, problems = columns.clean_section_row(raw, area=area.shape, area_name=area.name,
                                                       default_water_type=default_water_type)
            # The town named, else the one whose boundary holds the point (none is fine for a section).
            res = resolve_town(area, data.pop("town", ""), data.get("lon"), data.get("lat"), towns)
            problems.extend(res.errors)
            result.warnings.extend(RowError(table.file, table.sheet, rownum, c, m) for c, m in res.warnings)
            if res.town is not None:
                data["town"] = res.town
            code = data.get("code")
            if code in seen:
                problems.append(("断面编码", f"断面编码「{code}」与第 {seen[code]} 行重复"))
            seen[code] = rownum
            errors.extend(RowError(table.file, table.sheet, rownum, c, m) for c, m in problems)
            parsed.append(data)
            if progress:
                progress(1)
    result.errors = errors
    if errors:
        if dry_run:
            return result
        raise RowErrors(errors)
    existing = {s.code: s for s in Section.objects.filter(code__in=list(seen)).select_related("town")}
    plan = []
    for data in parsed:
        s = existing.get(data["code"])
        if s is None:
            result.created += 1
            plan.append((None, data))
            continue
        before = section_snapshot(s)
        probe = Section(**{f: getattr(s, f) for f in SECTION_FIELDS}, town=s.town)
        for k, v in data.items():
            setattr(probe, k, v)
        if section_snapshot(probe) == before:
            result.unchanged += 1
        else:
            result.updated += 1
            plan.append((s, data))
    if dry_run:
        return result
    result.batch_id = uuid.uuid4()
    _write_sections(plan, actor=actor, batch_id=result.batch_id)
    result.committed = True
    return result


@transaction.atomic
def _write_sections(plan, *, actor, batch_id) -> None:
    records = []
    for s, data in plan:
        if s is None:
            s = Section.objects.create(**data)
            records.append(build_change(s, action="import", actor=actor, before=None, after=section_snapshot(s),
                                        batch_id=batch_id))
        else:
            before = section_snapshot(s)
            for k, v in data.items():
                setattr(s, k, v)
            s.save()
            records.append(build_change(s, action="import", actor=actor, before=before, after=section_snapshot(s),
                                        batch_id=batch_id))
    record_changes(records)
    resnap("section", [int(r.target_id) for r in records])
