"""Outfall discharge limits: one at a time (the form on the outfall's page) or a file of them
(``outfall import limits FILE``, CSV or XLSX, Chinese or English headers), whole or nothing.

Every limit is checked and converted by the core (``make_discharge_limit``: parameter, unit, kind,
basis, validity) and stored in the parameter's registry unit next to the value and unit entered.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from outfall.alerts import permissions
from outfall.alerts.models import OutfallLimit
from outfall.core.columns import Column, match_header, parse_row
from outfall.core.errors import InputError, PermissionDeniedError, RowError, RowErrors
from outfall.core.results import ImportResult
from outfall.core.tabular import read_table
from outfall.core.warning import LimitError, make_discharge_limit
from outfall.history.services import record_change
from outfall.ledger.models import Outfall

LIMIT_COLUMNS: list[Column] = [
    Column("outfall_code", "排污口编码", "outfall_code", required=True, aliases=("编码", "排口编码")),
    Column("parameter", "指标", "parameter", required=True, aliases=("监测指标", "污染物")),
    Column("limit", "限值", "limit", required=True, aliases=("排放限值",)),
    Column("unit", "单位", "unit", required=True),
    Column("kind", "类型", "kind", aliases=("限值类型",)),
    Column("basis", "依据", "basis", aliases=("限值依据",)),
    Column("valid_from", "起始日期", "valid_from", aliases=("生效日期",)),
    Column("valid_to", "截止日期", "valid_to", aliases=("失效日期",)),
]
BY_FIELD = {c.field: c for c in LIMIT_COLUMNS}
_KIND_WORDS = {"上限": "max", "最大": "max", "max": "max", "下限": "min", "最小": "min", "min": "min", "": "max"}


@dataclass
class LimitImportResult(ImportResult):
    created: int = 0
    updated: int = 0


def _date(value, column: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"「{value}」不是日期 (YYYY-MM-DD)") from None


def clean_limit(data: dict):
    """(DischargeLimit, entered value, entered unit) from one row or form; raises LimitError/ValueError."""
    kind = _KIND_WORDS.get(str(data.get("kind") or "").strip().lower(), str(data.get("kind")).strip())
    return make_discharge_limit(data["parameter"], data["limit"], data.get("unit"), kind=kind,
                                basis=str(data.get("basis") or "sample").strip(),
                                valid_from=data.get("valid_from"), valid_to=data.get("valid_to"))


def _snapshot(row: OutfallLimit) -> dict:
    return {"outfall": row.outfall.code, "parameter": row.parameter, "limit": row.limit, "kind": row.kind,
            "basis": row.basis, "entered": f"{row.entered_value} {row.entered_unit}",
            "valid_from": row.valid_from.isoformat() if row.valid_from else None,
            "valid_to": row.valid_to.isoformat() if row.valid_to else None}


def _save(outfall: Outfall, lim, entered: str, unit: str, *, actor, batch_id) -> bool:
    row = OutfallLimit.objects.filter(outfall=outfall, parameter=lim.parameter, basis=lim.basis,
                                      valid_from=lim.valid_from).first()
    before = _snapshot(row) if row else None
    row = row or OutfallLimit(outfall=outfall, parameter=lim.parameter, basis=lim.basis, valid_from=lim.valid_from)
    row.limit, row.kind, row.valid_to = lim.limit, lim.kind, lim.valid_to
    row.entered_value, row.entered_unit = str(entered)[:40], str(unit)[:16]
    row.save()
    record_change(row, action="update" if before else "create", actor=actor, before=before, after=_snapshot(row),
                  batch_id=batch_id, related=outfall)
    return before is None


@transaction.atomic
def add_outfall_limit(outfall: Outfall, data: dict, *, actor) -> OutfallLimit:
    """Add (or replace, same parameter, basis and start) one limit of ``outfall``."""
    if not permissions.can_edit_limits(actor, outfall):
        raise PermissionDeniedError(f"{actor} may not edit limits of {outfall.code}",
                                    user_message=_("无权修改排污口 %(code)s 的排放限值") % {"code": outfall.code})
    try:
        lim = clean_limit(data)
    except LimitError as exc:
        raise InputError(exc.message, user_message=exc.user_message) from exc
    _save(outfall, lim, data["limit"], data.get("unit"), actor=actor, batch_id=uuid.uuid4())
    return OutfallLimit.objects.get(outfall=outfall, parameter=lim.parameter, basis=lim.basis,
                                    valid_from=lim.valid_from)


def import_limits(source, *, actor, name: str = "limits", dry_run: bool = False) -> LimitImportResult:
    """A limits file: every row checked first, every problem as (file, sheet, row, column, message),
    nothing written if there is one; otherwise all rows in one transaction under one batch."""
    table = read_table(source, name=name)[0]
    result = LimitImportResult(file=table.file)
    mapping, header_problems = match_header(table.header, LIMIT_COLUMNS)
    errors = [RowError(table.file, table.sheet, 1, h, msg) for h, msg in header_problems]
    if errors:
        raise RowErrors(errors)
    rows = []
    for rownum, cells in table.records():
        raw = {mapping[i].field: cells[h] for i, h in enumerate(table.header) if i in mapping}
        if all(v in (None, "") for v in raw.values()):
            continue
        result.rows += 1
        data, problems = parse_row(raw, BY_FIELD)
        for f, col in (("valid_from", "起始日期"), ("valid_to", "截止日期")):
            try:
                data[f] = _date(raw.get(f), col)
            except ValueError as exc:
                problems.append((col, str(exc)))
        rows.append((rownum, data, problems))
    codes = {d.get("outfall_code") for _n, d, _p in rows}
    outfalls = {o.code: o for o in Outfall.objects.filter(code__in=codes).select_related("town")}
    cleaned = []
    for rownum, data, problems in rows:
        out = outfalls.get(data.get("outfall_code"))
        if data.get("outfall_code") and out is None:
            problems.append(("排污口编码", f"排污口「{data['outfall_code']}」不在台账中"))
        elif out is not None and not permissions.can_edit_limits(actor, out):
            problems.append(("排污口编码", f"无权修改排污口 {out.code} 的排放限值"))
        if not problems:
            try:
                cleaned.append((out, clean_limit(data), data["limit"], data.get("unit")))
            except LimitError as exc:
                col = "单位" if "单位" in exc.user_message or "unit" in exc.message else "限值"
                if "类型" in exc.user_message:
                    col = "类型"
                elif "依据" in exc.user_message:
                    col = "依据"
                elif "有效期" in exc.user_message:
                    col = "截止日期"
                elif "指标" in exc.user_message or "参数" in exc.user_message:
                    col = "指标"
                problems.append((col, exc.user_message))
        errors += [RowError(table.file, table.sheet, rownum, col, msg) for col, msg in problems]
    seen = {}
    for (out, lim, _e, _u), (rownum, _d, _p) in zip(cleaned, [r for r in rows if not r[2]], strict=False):
        key = (out.code, lim.parameter, lim.basis, lim.valid_from)
        if key in seen:
            errors.append(RowError(table.file, table.sheet, rownum, "指标",
                                   f"与第 {seen[key]} 行重复（同一排污口、指标、依据、起始日期）"))
        seen.setdefault(key, rownum)
    result.errors = errors
    if errors:
        if dry_run:
            return result
        raise RowErrors(errors)
    if dry_run:
        return result
    batch_id = uuid.uuid4()
    with transaction.atomic():
        for out, lim, entered, unit in cleaned:
            if _save(out, lim, entered, unit, actor=actor, batch_id=batch_id):
                result.created += 1
            else:
                result.updated += 1
    result.batch_id, result.committed = batch_id, True
    return result
