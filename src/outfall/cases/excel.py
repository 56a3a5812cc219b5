"""Import a batch of cases from the inspection office's workbook (Chinese headers), and export cases
to a workbook that re-imports unchanged: whole or nothing (STYLE rule 7).

``import_cases`` reads every row first (``outfall.core.cases.columns``) and collects every problem
as (file, sheet, row, column, message): unknown or missing columns, bad dates, a deadline before
intake, unknown towns, outfall codes or campaigns, and case numbers repeated in the file or already
stored. A dry run stops there; a commit with no problem opens every case through
``services.open_case`` in one transaction, their history under one batch id (action "import").
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from outfall.accounts.models import Town
from outfall.cases import permissions, selectors, services
from outfall.cases.models import Campaign, Case
from outfall.core.cases.columns import BY_FIELD, COLUMNS, format_date, format_list, match_case_header
from outfall.core.cases.columns import clean_row as clean_case_row
from outfall.core.columns import format_cell
from outfall.core.enums import CaseSource
from outfall.core.errors import PermissionDeniedError, RowError, RowErrors
from outfall.core.results import ImportResult
from outfall.core.tabular import read_table
from outfall.history.models import ChangeRecord
from outfall.ledger.exporting import xlsx_value
from outfall.ledger.models import Outfall

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KNOWN_HEADERS = frozenset(k for c in COLUMNS for k in c.keys())


@dataclass
class CaseImportResult(ImportResult):
    """The outcome of a case import: how many cases it opens (or would open, in a dry run)."""

    created: int = 0


def _resolve(rows, table, errors: list[RowError]) -> None:
    """Turn town names/codes, outfall codes and campaign names into objects; every unknown one is an error."""
    towns = {t.name: t for t in Town.objects.all()} | {t.code: t for t in Town.objects.all()}
    codes = {c for _n, d in rows for c in d.get("outfalls", [])}
    outfalls = {o.code: o for o in Outfall.objects.filter(code__in=codes)} if codes else {}
    campaigns = {c.name: c for c in Campaign.objects.all()}
    for rownum, d in rows:
        def bad(field, message, rownum=rownum):
            errors.append(RowError(table.file, table.sheet, rownum, BY_FIELD[field].zh, message))

        unknown = [t for t in d.get("towns", []) if t not in towns]
        if unknown:
            bad("towns", f"未知镇街「{'、'.join(unknown)}」；可用: {'、'.join(sorted(t.name for t in set(towns.values())))}")
        d["towns"] = [towns[t] for t in d.get("towns", []) if t in towns]
        unknown = [c for c in d.get("outfalls", []) if c not in outfalls]
        if unknown:
            bad("outfalls", f"台账中没有排污口编码「{'、'.join(unknown)}」")
        d["outfalls"] = [outfalls[c] for c in d.get("outfalls", []) if c in outfalls]
        name = d.pop("campaign", "") or ""
        if name and name not in campaigns:
            bad("campaign", f"专项执法检查「{name}」不存在，请先新建")
        elif name and d.get("source") != CaseSource.CAMPAIGN.value:
            bad("campaign", "专项执法检查只用于来源为「专项执法检查发现问题」的案件")
        d["campaign"] = campaigns.get(name)
        if d.get("channel") and d.get("source") != CaseSource.COMPLAINT.value:
            bad("channel", "信访渠道只用于信访案件")


def _check_numbers(rows, table, errors: list[RowError]) -> None:
    """A (source, number) seen twice in the file, or already stored, is an error."""
    seen: dict[tuple[str, str], int] = {}
    for rownum, d in rows:
        key = (d.get("source"), d.get("number"))
        if None in key or "" in key:
            continue
        if key in seen:
            errors.append(RowError(table.file, table.sheet, rownum, BY_FIELD["number"].zh,
                                   f"交办编号「{key[1]}」与第 {seen[key]} 行重复"))
        else:
            seen[key] = rownum
    stored = set(Case.objects.filter(number__in=[n for _s, n in seen]).values_list("source", "number"))
    for key, rownum in seen.items():
        if key in stored:
            errors.append(RowError(table.file, table.sheet, rownum, BY_FIELD["number"].zh,
                                   f"{CaseSource(key[0]).label}编号「{key[1]}」已存在，未重复导入"))


def import_cases(source, *, actor, name: str | None = None, dry_run: bool = False, progress=None) -> CaseImportResult:
    """Import cases from an XLSX/CSV path or bytes; all rows in one transaction, or none.

    Raises :class:`RowErrors` (nothing written) on any problem when committing; a dry run returns the
    problems in ``result.errors``. Only bureau roles may import (PermissionDeniedError).
    """
    if not permissions.can_import(actor):
        raise PermissionDeniedError(f"{actor} may not import cases", user_message="无权导入案件 / not allowed")
    name = name or (str(getattr(source, "name", "")) or "upload")
    table = read_table(source, name=name, known_headers=KNOWN_HEADERS, limits=settings.OUTFALL_IMPORT_LIMITS)[0]
    result = CaseImportResult(file=name, rows=len(table.rows), sheet=table.sheet, header_row=table.header_row)
    mapping, header_problems = match_case_header(table.header)
    errors = [RowError(table.file, table.sheet, table.header_row, col, msg) for col, msg in header_problems]
    rows = []
    if not errors:
        for rownum, cells in table.rows:
            raw = {col.field: (cells[i] if i < len(cells) else None) for i, col in mapping.items()}
            if all(v is None or str(v).strip() == "" for v in raw.values()):
                continue
            data, problems = clean_case_row(raw)
            errors.extend(RowError(table.file, table.sheet, rownum, col, msg) for col, msg in problems)
            rows.append((rownum, data))
        _resolve(rows, table, errors)
        _check_numbers(rows, table, errors)
    result.errors = errors
    result.created = 0 if errors else len(rows)
    if errors and not dry_run:
        raise RowErrors(errors)
    if dry_run:
        return result
    result.batch_id = uuid.uuid4()
    _write(rows, actor=actor, batch_id=result.batch_id, progress=progress)
    result.committed = True
    return result


@transaction.atomic
def _write(rows, *, actor, batch_id, progress=None) -> None:
    ids = []
    for _rownum, d in rows:
        fields = {k: v for k, v in d.items() if k not in ("source", "title", "description", "outfalls", "towns") and v}
        case = services.open_case(actor=actor, source=d["source"], title=d["title"], description=d.get("description", ""),
                                  outfalls=d.get("outfalls", []), towns=d.get("towns", []), **fields)
        ids.append(str(case.pk))
        if progress:
            progress(1)
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Case)
    for i in range(0, len(ids), 900):
        ChangeRecord.objects.filter(target_type=ct, target_id__in=ids[i:i + 900], action="create").update(
            batch_id=batch_id, action="import")


def case_cells(case: Case, *, user) -> list:
    """One case as the row of cells the export writes (contacts masked unless ``user`` may see them)."""
    contact = selectors.contact_of(case, user) if user is not None else {
        "name": case.complainant_name, "contact": case.complainant_contact}
    values = {"source": CaseSource(case.source).label, "batch": case.batch, "number": case.number,
              "intake_date": format_date(case.intake_date), "problem_type": case.problem_type,
              "towns": format_list(sorted(t.name for t in case.towns.all())), "title": case.title,
              "description": case.description, "outfalls": format_list(sorted(o.code for o in case.outfalls.all())),
              "deadline": format_date(case.deadline), "campaign": case.campaign.name if case.campaign_id else "",
              "channel": format_cell(BY_FIELD["channel"], case.channel), "complainant_name": contact["name"],
              "complainant_contact": contact["contact"], "state": format_cell(BY_FIELD["state"], case.state),
              "result": format_cell(BY_FIELD["result"], case.result), "replied_on": format_date(case.replied_on),
              "closed_on": format_date(case.closed_on)}
    return [values[c.field] for c in COLUMNS]


def export_cases(qs, *, user) -> bytes:
    """The workbook of the cases in ``qs`` (sheet 案件, Chinese headers; re-imports unchanged into an
    empty system, the lifecycle columns being read over)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("案件")
    ws.append([c.zh for c in COLUMNS])
    for case in qs.select_related("campaign").prefetch_related("towns", "outfalls").order_by("intake_date", "id"):
        ws.append([xlsx_value(ws, v) for v in case_cells(case, user=user)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
