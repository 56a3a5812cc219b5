"""Import the ledger from CSV/XLSX (Chinese or English headers): whole or nothing (STYLE rule 7).

``import_outfalls`` parses every row first and collects every problem as (file, sheet, row, column,
message). A dry run stops there and reports what would change; a commit with no problem writes all
rows in one transaction under one batch id. Rows are keyed by ``排污口编码``: an existing code is
updated, a new or empty code creates an outfall (an empty code gets a generated one). A new outfall
with the name and town of another within ``OUTFALL_IMPORT_DUPLICATE_M`` metres is refused unless
``allow_duplicates`` (see ``outfall.ledger.duplicates``). The header may sit under title rows, on any
sheet (``outfall.core.tabular``); the result says which sheet and row it was found on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from outfall.accounts import permissions
from outfall.accounts.area import NO_TOWN_MESSAGE, current_area, resolve_town, towns_by_key
from outfall.core import geo
from outfall.core.errors import RowError, RowErrors
from outfall.core.results import UpsertCounts
from outfall.core.tabular import Table, read_table
from outfall.ledger import columns
from outfall.ledger.codes import CodeAllocator
from outfall.ledger.duplicates import find_duplicates
from outfall.ledger.models import Outfall
from outfall.ledger.selectors import parties_by_outfall
from outfall.ledger.services import (
    DATA_FIELDS,
    apply_data,
    bulk_history,
    party_key,
    refused_party_changes,
    resolve_parties,
    snapshot,
)
from outfall.rivers.services import resnap


@dataclass
class _Row:
    rownum: int
    data: dict
    existing: Outfall | None = None


@dataclass
class OutfallImportResult(UpsertCounts):
    """The counts of a ledger import plus its likely ``duplicates`` (errors unless allowed, then warnings)."""

    duplicates: list[RowError] = field(default_factory=list)


KNOWN_HEADERS = frozenset(k for c in columns.COLUMNS for k in c.keys())


def _snapshots_by_code(codes: list[str]) -> tuple[dict[str, Outfall], dict[int, list[dict]]]:
    existing = {o.code: o for o in Outfall.objects.filter(code__in=codes).select_related("town")} if codes else {}
    return existing, parties_by_outfall([o.pk for o in existing.values()])


def parse_outfall_rows(source, *, name: str, actor,
                       warnings: list[RowError] | None = None) -> tuple[list[_Row], list[RowError], Table]:
    """Parse and check every row; returns (rows, errors, the table read) and appends to ``warnings``.

    A row without a town gets the town whose boundary holds its point; a town that disagrees with
    the point is a warning. Writes nothing.
    """
    warnings = [] if warnings is None else warnings
    table = read_table(source, name=name, known_headers=KNOWN_HEADERS, limits=settings.OUTFALL_IMPORT_LIMITS)[0]
    mapping, header_problems = columns.match_header(table.header)
    errors = [RowError(table.file, table.sheet, table.header_row, col, msg) for col, msg in header_problems]
    towns = towns_by_key()
    if not towns:
        errors.append(RowError(table.file, table.sheet, table.header_row, "所属镇街",
                               "尚无镇街 / no towns yet: outfall import towns FILE (镇街边界或 code,name 表)"))
    if errors:
        return [], errors, table
    area = current_area()
    rows: list[_Row] = []
    seen_codes, seen_national = {}, {}
    for rownum, cells in table.rows:
        raw = {col.field: (cells[i] if i < len(cells) else None) for i, col in mapping.items()}
        data, problems = columns.clean_row(raw, area=area.shape, area_name=area.name)
        res = resolve_town(area, data.pop("town", ""), data.get("lon"), data.get("lat"), towns)
        problems.extend(res.errors)
        warnings.extend(RowError(table.file, table.sheet, rownum, col, msg) for col, msg in res.warnings)
        if res.town is not None:
            data["town"] = res.town
            if not permissions.can_edit_town(actor, res.town.pk):
                problems.append(("所属镇街", f"无权在「{res.town.name}」新建或修改排污口"))
        elif res.missing and data.get("lon") is not None:
            data["_needs_town"] = True
        for key, label, seen in (("code", "排污口编码", seen_codes), ("national_code", "国家平台编码", seen_national)):
            value = data.get(key)
            if value:
                if value in seen:
                    problems.append((label, f"{label}「{value}」与第 {seen[value]} 行重复"))
                else:
                    seen[value] = rownum
            elif key == "national_code":
                data[key] = None
        errors.extend(RowError(table.file, table.sheet, rownum, col, msg) for col, msg in problems)
        rows.append(_Row(rownum, data))
    if errors:
        return rows, errors, table
    errors.extend(_check_against_db(rows, table, actor))
    return rows, errors, table


def _check_against_db(rows: list[_Row], table, actor) -> list[RowError]:
    errors = []
    codes = [r.data["code"] for r in rows if r.data.get("code")]
    existing = {o.code: o for o in Outfall.objects.filter(code__in=codes)} if codes else {}
    nationals = [r.data["national_code"] for r in rows if r.data.get("national_code")]
    taken_national = dict(Outfall.objects.filter(national_code__in=nationals).values_list("national_code", "code")) \
        if nationals else {}
    for r in rows:
        r.existing = existing.get(r.data.get("code") or "")
        if r.data.pop("_needs_town", False) and r.existing is None:
            errors.append(RowError(table.file, table.sheet, r.rownum, "所属镇街", NO_TOWN_MESSAGE))
        nc = r.data.get("national_code")
        if nc and nc in taken_national and taken_national[nc] != (r.data.get("code") or None):
            errors.append(RowError(table.file, table.sheet, r.rownum, "国家平台编码",
                                   f"国家平台编码「{nc}」已属于排污口 {taken_national[nc]}"))
        if r.existing is not None:
            if not permissions.can_edit_town(actor, r.existing.town_id):
                errors.append(RowError(table.file, table.sheet, r.rownum, "所属镇街",
                                       f"无权修改排污口 {r.existing.code} (属于{r.existing.town})"))
            moved = geo.looks_gcj_shifted((r.existing.lon, r.existing.lat), (r.data["lon"], r.data["lat"]))
            if moved is not None:
                errors.append(RowError(table.file, table.sheet, r.rownum, "坐标系",
                                       f"疑似 GCJ-02 (高德/腾讯) 坐标: 与已登记位置相差 {moved:.0f} 米，恰为火星坐标偏移；"
                                       "如确为 GCJ-02 请在「坐标系」填 GCJ02"))
    flat = [(r.rownum, p) for r in rows for p in r.data.get("parties", [])]
    errors.extend(_conflicting_parties(flat, table))
    refused = refused_party_changes([p for _, p in flat], actor=actor)
    errors.extend(RowError(table.file, table.sheet, flat[i][0], "责任主体", msg) for i, msg in sorted(refused.items()))
    return errors


def _conflicting_parties(flat: list[tuple[int, dict]], table) -> list[RowError]:
    """Rows of one file that give one credit code different details (the last would win silently)."""
    first: dict[str, tuple[int, dict]] = {}
    errors = []
    for rownum, p in flat:
        if not p.get("uscc"):
            continue
        seen = first.setdefault(p["uscc"], (rownum, p))
        if seen[0] == rownum:
            continue
        for key, label in (("name", "名称"), ("industry", "行业"), ("contact", "联系方式")):
            a, b = seen[1].get(key) or "", p.get(key) or ""
            if a and b and a != b:
                errors.append(RowError(table.file, table.sheet, rownum, "责任主体",
                                       f"统一社会信用代码 {p['uscc']} 在第 {seen[0]} 行的{label}为「{a}」，此行为「{b}」/ "
                                       f"the same credit code has a different {key} on row {seen[0]}"))
                break
    return errors


def import_outfalls(source, *, actor, name: str | None = None, dry_run: bool = False,
                    progress=None, allow_duplicates: bool = False) -> OutfallImportResult:
    """Import outfalls from a CSV/XLSX path or bytes; all rows land in one transaction, or none.

    Raises :class:`RowErrors` (nothing written) on any problem when committing; a dry run returns
    the problems in ``result.errors`` instead. Likely duplicates are problems unless
    ``allow_duplicates``; then they are ``result.warnings``.
    """
    name = name or (str(getattr(source, "name", "")) or "upload")
    warnings: list[RowError] = []
    rows, errors, table = parse_outfall_rows(source, name=name, actor=actor, warnings=warnings)
    result = OutfallImportResult(file=name, rows=len(table.rows), errors=errors, warnings=warnings,
                                 sheet=table.sheet, header_row=table.header_row)
    if not errors:
        result.duplicates = find_duplicates(rows, file=table.file, sheet=table.sheet,
                                            tolerance_m=settings.OUTFALL_IMPORT_DUPLICATE_M)
        if allow_duplicates:
            result.warnings += list(result.duplicates)
        else:
            result.errors = errors = list(result.duplicates)
    if errors:
        if dry_run:
            return result
        raise RowErrors(errors)
    existing, existing_parties = _snapshots_by_code([r.existing.code for r in rows if r.existing])
    changes = []  # (row, before or None, after)
    for r in rows:
        parties = r.data.get("parties", [])
        if r.existing is None:
            result.created += 1
            changes.append((r, None, parties))
            continue
        o = existing[r.existing.code]
        before = snapshot(o, existing_parties[o.pk])
        probe = Outfall(**{f: getattr(o, f) for f in DATA_FIELDS}, merged_into_id=o.merged_into_id)
        probe.town = r.data.get("town", o.town)
        apply_data(probe, r.data)
        if snapshot(probe, parties) == before:
            result.unchanged += 1
        else:
            result.updated += 1
            changes.append((r, before, parties))
    if dry_run:
        return result
    result.batch_id = uuid.uuid4()
    _write(changes, existing, actor=actor, batch_id=result.batch_id, progress=progress)
    result.committed = True
    return result


@transaction.atomic
def _write(changes, existing: dict[str, Outfall], *, actor, batch_id, progress=None) -> None:
    allocator = CodeAllocator.locked() if any(b is None and not r.data.get("code") for r, b, _ in changes) \
        else CodeAllocator.from_db()
    new, updated, parties_of = [], [], {}
    for r, before, parties in changes:
        data = {k: v for k, v in r.data.items() if k in DATA_FIELDS}
        if before is None:
            if not data.get("code"):
                data["code"] = allocator.allocate(data["type_l1"])
            o = Outfall(town=r.data["town"], **data)
            new.append(o)
        else:
            o = existing[r.existing.code]
            o.town = r.data.get("town", o.town)
            apply_data(o, data)
            updated.append(o)
        parties_of[id(o)] = parties
        if progress:
            progress(1)
    Outfall.objects.bulk_create(new, batch_size=1000)
    if any(o.pk is None for o in new):  # backends that do not return ids
        by_code = dict(Outfall.objects.filter(code__in=[o.code for o in new]).values_list("code", "pk"))
        for o in new:
            o.pk = o.id = by_code[o.code]
    fields = [f for f in DATA_FIELDS if f not in ("code",)] + ["merged_into", "updated_at"]
    from django.utils import timezone

    now = timezone.now()
    for o in updated:
        o.updated_at = now
    Outfall.objects.bulk_update(updated, fields, batch_size=500)
    linking: dict[tuple, set[int]] = {}
    for o in new + updated:
        for p in parties_of[id(o)]:
            linking.setdefault(party_key(p), set()).add(o.pk)
    party_objs = resolve_parties([p for ps in parties_of.values() for p in ps], actor=actor, batch_id=batch_id,
                                 linking=linking)
    through = Outfall.responsible_parties.through
    touched = [o.pk for o in updated]
    for i in range(0, len(touched), 900):
        through.objects.filter(outfall_id__in=touched[i:i + 900]).delete()
    links = [through(outfall_id=o.pk, responsibleparty_id=party_objs[party_key(p)].pk)
             for o in new + updated for p in parties_of[id(o)]]
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    befores = {id(existing[r.existing.code]): b for r, b, _ in changes if b is not None}
    bulk_history(
        ((o, befores.get(id(o)), snapshot(o, parties_of[id(o)])) for o in new + updated),
        actor=actor, batch_id=batch_id, action="import")
    resnap("outfall", [o.pk for o in new + updated])
