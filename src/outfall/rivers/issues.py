"""A network validation issue (a ``ValidationReport.as_dict`` row) in the user's language, for the
network page and the command line. The core writes each issue's message in Chinese; its kind and
the reaches it names are enough to say it in any language."""

from __future__ import annotations

from django.utils.translation import get_language, gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

__all__ = ["issue_kind", "issue_severity", "issue_text", "report_lines"]

KINDS = {"empty": _("尚无河网"), "duplicate_id": _("河段编号重复"), "dangling": _("下游河段不存在"),
         "cycle": _("存在环路"), "outlets": _("多个出口"), "disconnected": _("互不相连的部分"),
         "reversed": _("流向可能画反"), "zero_length": _("长度为 0"), "divergence": _("分流"),
         "defaults": _("缺流速或流量 (使用默认值)")}
SEVERITIES = {"error": pgettext_lazy("severity", "错误"), "warning": pgettext_lazy("severity", "警告"),
              "info": pgettext_lazy("severity", "提示")}


def issue_kind(issue) -> str:
    return str(KINDS.get(issue.get("kind"), issue.get("kind", "")))


def issue_severity(issue) -> str:
    return str(SEVERITIES.get(issue.get("severity"), issue.get("severity", "")))


def issue_text(issue) -> str:
    """The stored message in Chinese; elsewhere the kind with the count and the first reach ids."""
    if not (get_language() or "").startswith("en"):
        return issue.get("message", "")
    ids = issue.get("reaches") or []
    head = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
    n = len(ids)
    return (ngettext("%(n)s 个河段", "%(n)s 个河段", n) % {"n": n} + (f": {head}" if head else "")) if n else \
        issue_kind(issue)


def report_lines(report: dict) -> list[str]:
    """A validation report as lines: the counts, then one line per issue."""
    lines = [gettext("河段 %(r)s 个，出口 %(o)s 个，连通部分 %(c)s 个。") % {
        "r": report.get("reaches", 0), "o": report.get("outlets", 0), "c": report.get("components", 0)}]
    lines += [f"  {issue_severity(i)} · {issue_kind(i)}: {issue_text(i)}" for i in report.get("issues", [])]
    return lines
