"""Quick-test values taken at an outfall (现场快检, e.g. ammonia test strips, a portable COD meter)
as readings with source ``field``, parsed by the monitoring parsers (``outfall.core.standards``):
parameter by code, Chinese name or alias; value ``3.2``, ``0.02L`` / ``<0.02`` (below detection),
``ND``; unit converted to the parameter's registry unit (empty: the registry unit).
"""

from __future__ import annotations

import datetime as dt

from outfall.core.errors import RowErrors, ValueParseError
from outfall.core.inspections.observations import InspectionErrors, Problem
from outfall.core.standards.parameters import lookup_parameter
from outfall.core.standards.readings_io import ReadingRecord, read_reading_dicts

__all__ = ["MAX_QUICK_TESTS", "parse_quick_tests", "field_name"]

#: Quick-test rows per inspection.
MAX_QUICK_TESTS = 20
_COLUMN_FIELD = {"监测指标": "parameter", "监测值": "value", "单位": "unit", "监测时间": "time"}


def field_name(n: int, column: str) -> str:
    """The form field of quick-test row ``n`` (1-based) and ``column`` (parameter, value, unit)."""
    return f"quick_tests[{n}].{column}"


def _blank(v) -> bool:
    return v is None or not str(v).strip()


def parse_quick_tests(rows: list[dict], *, site_code: str, time: dt.datetime) -> list[ReadingRecord]:
    """Quick-test rows ``{"parameter", "value", "unit"}`` → readings of ``site_code`` at ``time``
    (aware), source ``field``, basis ``sample``; blank rows are skipped. Raises
    :class:`InspectionErrors` naming the row and column of every problem (``quick_tests[2].value``),
    including a parameter given twice.

    Examples
    --------
    >>> t = dt.datetime(2026, 12, 7, 14, tzinfo=dt.UTC)
    >>> [(r.parameter, r.value.value, r.value.qualifier, r.source) for r in
    ...  parse_quick_tests([{"parameter": "氨氮", "value": "3.2"}, {"parameter": "TP", "value": "0.02L"}],
    ...                    site_code="P1", time=t)]
    [('NH3N', 3.2, '', 'field'), ('TP', None, '<', 'field')]
    >>> parse_quick_tests([{"parameter": "COD", "value": "abc"}], site_code="P1", time=t)
    Traceback (most recent call last):
    ...
    outfall.core.inspections.observations.InspectionErrors: inspection refused: quick_tests[1].value: 「abc」不是数值，也不是已知标记 (如 0.02L、<0.01、ND、未检出、*、--)
    """
    problems: list[Problem] = []
    if len(rows) > MAX_QUICK_TESTS:
        raise InspectionErrors([Problem("quick_tests", f"快检项目最多 {MAX_QUICK_TESTS} 行，收到 {len(rows)} 行")])
    items, numbers = [], []
    for n, row in enumerate(rows, start=1):
        row = row if isinstance(row, dict) else {}
        param, value = row.get("parameter"), row.get("value")
        if _blank(param) and _blank(value):
            continue
        if _blank(param):
            problems.append(Problem(field_name(n, "parameter"), "填写了快检值，请选择指标"))
            continue
        if _blank(value):
            problems.append(Problem(field_name(n, "value"), f"指标「{param}」未填写快检值"))
            continue
        items.append({"site_code": site_code, "time": time.isoformat(), "parameter": str(param).strip(),
                      "value": str(value).strip(), "unit": str(row.get("unit") or "").strip(), "source": "field"})
        numbers.append(n)
    records: list[ReadingRecord] = []
    if items:
        try:
            records = read_reading_dicts(items, name="quick_tests")
        except RowErrors as exc:
            for e in exc.errors:
                n = numbers[e.row - 1] if 1 <= e.row <= len(numbers) else 0
                problems.append(Problem(field_name(n, _COLUMN_FIELD.get(e.column, "value")), e.message))
    seen: dict[str, int] = {}
    for n, item in zip(numbers, items, strict=True):  # before the parser, which reads a repeated row once
        try:
            code = lookup_parameter(item["parameter"]).code
        except ValueParseError:
            continue  # the parser names it
        if code in seen:
            problems.append(Problem(field_name(n, "parameter"), f"指标 {code} 与第 {seen[code]} 行重复"))
        seen.setdefault(code, n)
    if problems:
        raise InspectionErrors(problems)
    return records
