"""Template filters of the network page: a validation issue (``ValidationReport.as_dict`` row) in the
user's language. The core writes each issue's message in Chinese; the kind and the reaches it
names are enough to say it in any language."""

from django import template
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

KINDS = {"empty": _("尚无河网"), "duplicate_id": _("河段编号重复"), "dangling": _("下游河段不存在"),
         "cycle": _("存在环路"), "outlets": _("多个出口"), "disconnected": _("互不相连的部分"),
         "reversed": _("流向可能画反"), "zero_length": _("长度为 0"), "divergence": _("分流"),
         "defaults": _("缺流速或流量 (使用默认值)")}
SEVERITIES = {"error": _("错误"), "warning": _("警告"), "info": _("提示")}


@register.filter
def issue_kind(issue) -> str:
    return str(KINDS.get(issue.get("kind"), issue.get("kind", "")))


@register.filter
def issue_severity(issue) -> str:
    return str(SEVERITIES.get(issue.get("severity"), issue.get("severity", "")))


@register.filter
def issue_text(issue) -> str:
    """The stored message in Chinese; elsewhere the kind with the count and the first reach ids."""
    if not (get_language() or "").startswith("en"):
        return issue.get("message", "")
    ids = issue.get("reaches") or []
    head = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
    n = len(ids)
    return (ngettext("%(n)s 个河段", "%(n)s 个河段", n) % {"n": n} + (f": {head}" if head else "")) if n else \
        issue_kind(issue)
