"""The rules of a case (案件): its lifecycle, its reply deadline, when it is overdue, and how a
complainant's contact is masked. Pure: plain values in, plain values out.

Lifecycle (信访/督察交办件办理流程: 受理 → 交办 → 办理 → 答复 → 办结销号)::

    intake ──assign──▶ assigned ──note──▶ handling ──reply──▶ replied ──close──▶ closed
                          ▲  │reassign        │ ▲                 │                  │
                          └──┘◀──────assign───┘ └──────reopen─────┴──────reopen──────┘

- ``assign`` gives the case to a town and/or a department (again from assigned or handling:
  a reassignment);
- the first handling note of an assigned case starts it (assigned → handling);
- ``reply`` records the answer to the complainant or the inspection office (handling → replied);
- ``close`` (销号) needs a result (:class:`~outfall.core.enums.CaseResult`) and a replied case;
- ``reopen`` (重新办理) takes a replied or closed case back to handling, with a reason.
"""

from __future__ import annotations

import datetime as dt
import re

from outfall.core.enums import CaseResult, CaseSource, CaseState

__all__ = ["TRANSITIONS", "can_transition", "allowed_next", "check_transition", "state_after_note",
           "DEFAULT_DEADLINE_DAYS", "parse_deadline_days", "format_deadline_days", "default_deadline",
           "check_deadline", "check_act_date", "is_overdue", "is_due_soon", "settled", "mask_contact",
           "mask_name", "OPEN_STATES"]

S = CaseState
#: state → the states a case may move to from it.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.INTAKE: frozenset({S.ASSIGNED}),
    S.ASSIGNED: frozenset({S.ASSIGNED, S.HANDLING}),
    S.HANDLING: frozenset({S.ASSIGNED, S.REPLIED}),
    S.REPLIED: frozenset({S.CLOSED, S.HANDLING}),
    S.CLOSED: frozenset({S.HANDLING}),
}
#: States in which the reply is still owed (a case in them may be overdue).
OPEN_STATES = frozenset({S.INTAKE, S.ASSIGNED, S.HANDLING})

#: Days from intake to the reply deadline per source, when ``OUTFALL_CASE_DEADLINE_DAYS`` says nothing:
#: inspection hand-overs 30 days, complaints 15 (《信访工作条例》第三十二条: 60 days at most; the
#: 12345/12369 hotlines set 15 working days), the system's own findings 15.
DEFAULT_DEADLINE_DAYS: dict[CaseSource, int] = {
    CaseSource.CENTRAL_INSPECTION: 30, CaseSource.PROVINCIAL_INSPECTION: 30, CaseSource.COMPLAINT: 15,
    CaseSource.CAMPAIGN: 30, CaseSource.TRACE_TASK: 15, CaseSource.ALERT: 15, CaseSource.FIELD: 15,
}


def can_transition(frm: CaseState, to: CaseState) -> bool:
    """Whether the lifecycle allows ``frm`` → ``to``.

    >>> can_transition(CaseState.REPLIED, CaseState.CLOSED), can_transition(CaseState.INTAKE, CaseState.CLOSED)
    (True, False)
    """
    return to in TRANSITIONS[CaseState(frm)]


def allowed_next(state: CaseState) -> list[CaseState]:
    """The states ``state`` may move to, in lifecycle order."""
    return [s for s in CaseState if s in TRANSITIONS[CaseState(state)]]


def check_transition(frm: CaseState, to: CaseState, *, result: str = "", reason: str = "") -> None:
    """Raise ValueError (Chinese first) when ``frm`` → ``to`` is not allowed or lacks what it needs:
    closing needs a :class:`CaseResult`; reopening needs a reason.

    >>> check_transition(CaseState.REPLIED, CaseState.CLOSED, result="rectified")
    >>> check_transition(CaseState.HANDLING, CaseState.CLOSED, result="rectified")
    Traceback (most recent call last):
    ...
    ValueError: 案件为「办理中」，不能改为「已办结」（须先答复） / a case in state handling cannot move to closed
    """
    frm, to = CaseState(frm), CaseState(to)
    if not can_transition(frm, to):
        hint = "（须先答复）" if to == S.CLOSED and frm in OPEN_STATES else ""
        raise ValueError(f"案件为「{frm.label}」，不能改为「{to.label}」{hint} / a case in state {frm.value} cannot move to {to.value}")
    if to == S.CLOSED:
        try:
            CaseResult(result)
        except ValueError:
            raise ValueError("办结须选择办理结果：" + "、".join(r.label for r in CaseResult)
                             + " / closing needs a result") from None
    if frm in (S.REPLIED, S.CLOSED) and to == S.HANDLING and not reason.strip():
        raise ValueError("重新办理须说明原因 / reopening needs a reason")


def state_after_note(state: CaseState) -> CaseState:
    """The state after a handling note: an assigned case starts (办理中); others stay.

    >>> state_after_note(CaseState.ASSIGNED).value, state_after_note(CaseState.REPLIED).value
    ('handling', 'replied')
    """
    state = CaseState(state)
    if state == S.INTAKE:
        raise ValueError("案件尚未交办，请先交办 / assign the case before recording its handling")
    if state == S.CLOSED:
        raise ValueError("案件已办结，请先重新办理 / the case is closed: reopen it first")
    return S.HANDLING if state == S.ASSIGNED else state


def parse_deadline_days(text: str) -> dict[CaseSource, int]:
    """``"central_inspection=30,complaint=15"`` → days per source (unnamed sources keep
    :data:`DEFAULT_DEADLINE_DAYS`). Raises ValueError naming the bad item.

    >>> parse_deadline_days("complaint=10")[CaseSource.COMPLAINT], parse_deadline_days("")[CaseSource.FIELD]
    (10, 15)
    """
    days = dict(DEFAULT_DEADLINE_DAYS)
    for item in (p.strip() for p in re.split(r"[,，;；]", text or "")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        try:
            source = CaseSource.from_text(key.strip())
        except ValueError:
            raise ValueError(f"OUTFALL_CASE_DEADLINE_DAYS: 未知来源「{key.strip()}」；可用: "
                             + ", ".join(s.value for s in CaseSource)) from None
        if not sep or not value.strip().isdigit() or not 1 <= int(value) <= 3650:
            raise ValueError(f"OUTFALL_CASE_DEADLINE_DAYS: 「{item}」应为 来源=天数 (1–3650)")
        days[source] = int(value)
    return days


def format_deadline_days(days: dict[CaseSource, int]) -> str:
    """The inverse of :func:`parse_deadline_days` (every source written)."""
    return ",".join(f"{s.value}={days[s]}" for s in CaseSource)


def default_deadline(source: CaseSource, intake: dt.date, days: dict[CaseSource, int] | None = None) -> dt.date:
    """The reply deadline of a case of ``source`` taken in on ``intake``: intake + the source's days
    (calendar days).

    >>> default_deadline(CaseSource.COMPLAINT, dt.date(2025, 3, 1))
    datetime.date(2025, 3, 16)
    """
    table = DEFAULT_DEADLINE_DAYS if days is None else days
    return intake + dt.timedelta(days=table[CaseSource(source)])


def check_deadline(intake: dt.date, deadline: dt.date | None) -> None:
    """Raise ValueError when the reply deadline is before the intake date."""
    if deadline is not None and deadline < intake:
        raise ValueError(f"办理期限 {deadline.isoformat()} 早于受理日期 {intake.isoformat()} / "
                         "the deadline is before the intake date")


def check_act_date(on: dt.date, *, intake: dt.date, today: dt.date) -> None:
    """Raise ValueError when a step's date (assignment, reply, close) is before intake or in the future."""
    if on < intake:
        raise ValueError(f"日期 {on.isoformat()} 早于受理日期 {intake.isoformat()} / the date is before intake")
    if on > today:
        raise ValueError(f"日期 {on.isoformat()} 晚于今天 / the date is in the future")


def settled(replied_on: dt.date | None, closed_on: dt.date | None) -> dt.date | None:
    """The day the reply owed was given: the reply, else the close (whichever came first)."""
    days = [d for d in (replied_on, closed_on) if d is not None]
    return min(days) if days else None


def is_overdue(deadline: dt.date | None, settled_on: dt.date | None, as_of: dt.date) -> bool:
    """Overdue (超期) on ``as_of``: the deadline has passed and the reply was not given by then.

    >>> is_overdue(dt.date(2025, 3, 1), None, dt.date(2025, 3, 2)), is_overdue(dt.date(2025, 3, 1), None, dt.date(2025, 3, 1))
    (True, False)
    >>> is_overdue(dt.date(2025, 3, 1), dt.date(2025, 3, 5), dt.date(2025, 3, 4)), is_overdue(dt.date(2025, 3, 1), dt.date(2025, 2, 27), dt.date(2025, 3, 4))
    (True, False)
    """
    if deadline is None or as_of <= deadline:
        return False
    return settled_on is None or settled_on > as_of


def is_due_soon(deadline: dt.date | None, settled_on: dt.date | None, as_of: dt.date, *, within_days: int) -> bool:
    """Due soon (即将到期): not settled and the deadline is today or within ``within_days`` days."""
    if deadline is None or settled_on is not None and settled_on <= as_of:
        return False
    return 0 <= (deadline - as_of).days <= within_days


def mask_contact(text: str) -> str:
    """A phone number, e-mail or address with its middle hidden (个人信息去标识化, GB/T 35273-2020 §3.14).

    Digits of a phone number: the first 3 and last 4 kept (138****5678); an e-mail: the first
    character of the name kept; anything else: the first and last quarter kept.

    >>> mask_contact("13812345678"), mask_contact("0532-88881234"), mask_contact("li.ming@example.com")
    ('138****5678', '053*****1234', 'l***@example.com')
    >>> mask_contact(""), mask_contact("水集街道某村")
    ('', '水*****')
    """
    text = (text or "").strip()
    if not text:
        return ""
    if "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}***@{domain}"
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and len(digits) >= len(text) - 2:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    keep = max(1, len(text) // 4)
    return text[:keep] + "*" * (len(text) - keep)


def mask_name(text: str) -> str:
    """A person's name with all but its first character hidden.

    >>> mask_name("张三"), mask_name("欧阳娜娜"), mask_name("")
    ('张*', '欧***', '')
    """
    text = (text or "").strip()
    return text[:1] + "*" * (len(text) - 1) if text else ""
