"""What the commands print for people: an import's outcome as localized, readable lines (in
``OUTFALL_LANGUAGE``, Chinese by default), never a raw ``committed: False`` or a Python dict.
``--format json`` prints the result's ``as_dict()`` for machines instead."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

__all__ = ["import_lines", "row_error_line"]

#: result key → its label, in the order printed; a key not listed is printed under its own name.
COUNTS = [
    ("rows", pgettext_lazy("import result", "行数")),
    ("created", pgettext_lazy("import result", "新建")),
    ("updated", pgettext_lazy("import result", "更新")),
    ("unchanged", pgettext_lazy("import result", "无变化")),
    ("section_rows", pgettext_lazy("import result", "断面数据行")),
    ("outfall_rows", pgettext_lazy("import result", "排污口数据行")),
    ("skipped", pgettext_lazy("import result", "跳过的行")),
    ("boundaries", pgettext_lazy("import result", "有边界的镇街")),
    ("not_in_file", pgettext_lazy("import result", "已有但不在文件中的镇街")),
    ("reaches", pgettext_lazy("import result", "河段")),
    ("rivers", pgettext_lazy("import result", "河流")),
    ("outlets", pgettext_lazy("import result", "出口")),
    ("snapped", pgettext_lazy("import result", "吸附到河网的排污口/断面")),
    ("far_snaps", pgettext_lazy("import result", "其中吸附距离过远")),
]
#: Keys told another way (the headline, the header line, the report, the problem lists).
_TOLD = {"file", "sheet", "header_row", "committed", "batch_id", "errors", "warnings", "duplicates", "report"}


def _value(v) -> str:
    if isinstance(v, list | tuple):
        return "、".join(str(x) for x in v) if v else "—"
    return str(v)


def row_error_line(e: dict, *, warning: bool = False) -> str:
    """One refused (or warned) row: file [sheet] row, column: message."""
    where = {"file": e.get("file", ""), "sheet": e.get("sheet", ""), "row": e.get("row", ""),
             "column": e.get("column", "")}
    where = (_("%(file)s [%(sheet)s] 第 %(row)s 行，列「%(column)s」") if where["sheet"]
             else _("%(file)s 第 %(row)s 行，列「%(column)s」")) % where
    head = _("警告") + ": " if warning else ""
    return f"  {head}{where}: {e.get('message', '')}"


def import_lines(data: dict, *, dry_run: bool) -> list[str]:
    """The lines ``outfall import`` prints for a result's ``as_dict()``."""
    errors, warnings = data.get("errors") or [], data.get("warnings") or []
    name = data.get("file", "")
    if errors:
        head = _("%(file)s: 发现 %(n)s 处错误，未写入任何数据") % {"file": name, "n": len(errors)}
    elif data.get("committed"):
        head = _("%(file)s: 已导入") % {"file": name}
    elif dry_run:
        head = _("%(file)s: 试导入通过 (--dry-run)，未写入任何数据") % {"file": name}
    else:
        head = _("%(file)s: 未写入任何数据") % {"file": name}
    lines = [head]
    if data.get("header_row"):
        sheet = data.get("sheet")
        lines.append("  " + (_("表头: 工作表「%(sheet)s」第 %(row)s 行") % {"sheet": sheet, "row": data["header_row"]}
                             if sheet else _("表头: 第 %(row)s 行") % {"row": data["header_row"]}))
    labels = dict(COUNTS)
    keys = [k for k, _label in COUNTS] + sorted(set(data) - set(labels) - _TOLD)
    for key in (["rows"] if errors else keys):  # refused: nothing was created or updated
        if key in data and data[key] not in (None, "", []):
            lines.append(f"  {labels.get(key, key)}: {_value(data[key])}")
    if data.get("report"):
        from outfall.rivers.issues import report_lines

        lines.append("  " + _("检查报告") + ": " + report_lines(data["report"])[0])
        lines += ["  " + line for line in report_lines(data["report"])[1:]]
    if data.get("committed") and data.get("batch_id"):
        lines.append("  " + _("批次号 (变更历史中可查): %(batch)s") % {"batch": data["batch_id"]})
    if warnings:
        lines.append(_("警告 (不影响导入):"))
        lines += [row_error_line(e, warning=True) for e in warnings]
    if errors:
        lines.append(_("错误:"))
        lines += [row_error_line(e) for e in errors]
    return lines
