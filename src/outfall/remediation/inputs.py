"""Names a user gives (outfall codes, a responsible party's name or credit code) turned into rows,
for the pages and the API alike; the services check the rules."""

from __future__ import annotations

from django.utils.translation import gettext as _

from outfall.core.errors import InputError
from outfall.ledger.models import Outfall, ResponsibleParty


def outfall_by_code(code: str, *, field: str) -> Outfall:
    o = Outfall.objects.filter(code=(code or "").strip()).first()
    if o is None:
        raise InputError(f"{field}: no outfall {code!r}",
                         user_message=_("排污口「%(code)s」不存在 (%(field)s)") % {"code": code, "field": field})
    return o


def party_by_text(text: str) -> ResponsibleParty | None:
    """A party by its credit code or its exact name (None for empty text)."""
    text = (text or "").strip()
    if not text:
        return None
    p = ResponsibleParty.objects.filter(uscc=text.upper()).first() or \
        ResponsibleParty.objects.filter(name=text).order_by("pk").first()
    if p is None:
        raise InputError(f"no party {text!r}",
                         user_message=_("责任主体「%(p)s」不存在 (responsible_party：名称或统一社会信用代码)") % {"p": text})
    return p


def task_data(d: dict) -> dict:
    """Service data from cleaned form/serializer values (codes and party text resolved)."""
    out = {k: d.get(k) for k in ("measure", "plan", "department", "start_date", "deadline", "parameter")}
    out["merge_into"] = outfall_by_code(d["merge_into"], field="merge_into") if d.get("merge_into") else None
    out["responsible_party"] = party_by_text(d.get("responsible_party") or "")
    return out
