"""The rules of a remediation task (整治任务), per 国办函〔2022〕17号 (依法取缔 / 清理合并 / 规范整治, each
closed out — 销号 — with evidence), with no database.

The lifecycle::

    planned ──start──▶ in_progress ──request_close──▶ close_requested ──sign_off──▶ signed_off
                           ▲                               │                          │
                           └────────── reopen (reason) ◀───┴──────────────────────────┘

- a task is checked at entry (:func:`check_task`): a merge names the outfall it joins, which is
  another outfall and is not itself banned or merged away; the deadline is not before the start date;
- a sign-off needs at least one piece of evidence (:func:`check_sign_off`); a reopen needs a reason;
- the outfall's status follows its task (:func:`outfall_status_for`);
- a task is overdue after its deadline, due soon within ``due_soon_days`` of it, while the work is
  still open (planned or in progress: once the close-out is requested the town's part is done).
"""

from __future__ import annotations

import datetime as dt

from outfall.core.enums import OutfallStatus, RemediationMeasure, RemediationState
from outfall.core.errors import InputError

__all__ = ["TRANSITIONS", "ACTIONS", "TransitionError", "next_state", "can_transition", "check_task",
           "check_sign_off", "check_reopen", "outfall_status_for", "due_status", "OPEN_STATES", "DUE_STATES"]

P, W, R, S = (RemediationState.PLANNED, RemediationState.IN_PROGRESS, RemediationState.CLOSE_REQUESTED,
              RemediationState.SIGNED_OFF)

#: (state, action) → next state. Every other pair is refused.
TRANSITIONS: dict[tuple[RemediationState, str], RemediationState] = {
    (P, "start"): W,
    (W, "request_close"): R,
    (R, "sign_off"): S,
    (R, "reopen"): W,
    (S, "reopen"): W,
}
#: action → (Chinese, English) verb, for messages.
ACTIONS = {"start": ("开始整治", "start"), "request_close": ("申请销号", "request close-out"),
           "sign_off": ("审核销号", "sign off"), "reopen": ("重新打开", "reopen"),
           "progress": ("记录进展", "record progress")}
#: States in which the work is not finished; progress may be recorded in these.
OPEN_STATES = frozenset({P, W, R})
#: States a deadline applies to (overdue / due soon).
DUE_STATES = frozenset({P, W})


class TransitionError(InputError):
    """An action the task's state does not allow."""


def can_transition(state, action: str) -> bool:
    """Whether ``action`` is allowed in ``state``.

    >>> can_transition("planned", "start"), can_transition("planned", "sign_off")
    (True, False)
    """
    return (RemediationState(state), action) in TRANSITIONS


def next_state(state, action: str) -> RemediationState:
    """The state after ``action``; raises :class:`TransitionError` (Chinese first) when refused.

    >>> next_state("close_requested", "reopen").value
    'in_progress'
    """
    st = RemediationState(state)
    try:
        return TRANSITIONS[(st, action)]
    except KeyError:
        zh, en = ACTIONS.get(action, (action, action))
        raise TransitionError(f"{action} not allowed in {st.value}",
                              user_message=f"任务为「{st.label}」，不能{zh} / cannot {en} a task that is "
                                           f"{st.label_en}") from None


def check_task(*, measure, outfall_code: str, merge_into_code: str | None, merge_into_status: str | None,
               start: dt.date, deadline: dt.date) -> None:
    """Refuse a task that cannot be carried out; raises InputError naming the field.

    ``merge_into_status`` is the stored status of the outfall to merge into (None: none named).

    >>> check_task(measure="ban", outfall_code="A", merge_into_code=None, merge_into_status=None,
    ...            start=dt.date(2026, 1, 1), deadline=dt.date(2026, 3, 1))
    """
    m = RemediationMeasure(measure)
    if deadline < start:
        raise InputError(f"deadline {deadline} before start {start}",
                         user_message=f"整改期限 (deadline) {deadline:%Y-%m-%d} 早于开始日期 {start:%Y-%m-%d}")
    if m == RemediationMeasure.MERGE:
        if not merge_into_code:
            raise InputError("merge without target", user_message="清理合并须指定并入的排污口 (merge_into)")
        if merge_into_code == outfall_code:
            raise InputError("merge into itself", user_message=f"排污口 {outfall_code} 不能并入自身 (merge_into)")
        if merge_into_status in (OutfallStatus.BANNED.value, OutfallStatus.MERGED.value, OutfallStatus.CANCELLED.value):
            label = OutfallStatus(merge_into_status).label
            raise InputError(f"merge into {merge_into_code} ({merge_into_status})",
                             user_message=f"并入的排污口 {merge_into_code} 为「{label}」，不能再接纳合并 (merge_into)")
    elif merge_into_code:
        raise InputError("merge_into without merge", user_message="只有清理合并才能指定并入的排污口 (merge_into)")


def check_sign_off(evidence_count: int) -> None:
    """A close-out (销号) rests on evidence: at least one photo or document.

    >>> check_sign_off(0)
    Traceback (most recent call last):
    ...
    outfall.core.errors.InputError: sign-off without evidence
    """
    if evidence_count < 1:
        raise InputError("sign-off without evidence",
                         user_message="没有任何整改佐证材料（照片或文件），不能销号 / no evidence: cannot sign off")


def check_reopen(reason: str) -> str:
    """The stripped reason; a reopen without one is refused."""
    text = (reason or "").strip()
    if not text:
        raise InputError("reopen without reason", user_message="重新打开须填写原因 / a reason is required")
    return text


def outfall_status_for(measure, state) -> OutfallStatus | None:
    """The outfall's status while its task is in ``state`` (None: leave it as it is).

    >>> outfall_status_for("merge", "signed_off").label, outfall_status_for("ban", "in_progress").label
    ('已合并', '整治中')
    """
    st, m = RemediationState(state), RemediationMeasure(measure)
    if st == P:
        return OutfallStatus.TO_REMEDIATE
    if st in (W, R):
        return OutfallStatus.REMEDIATING
    return {RemediationMeasure.BAN: OutfallStatus.BANNED, RemediationMeasure.MERGE: OutfallStatus.MERGED,
            RemediationMeasure.STANDARDIZE: OutfallStatus.REMEDIATED}[m]


def due_status(state, deadline: dt.date, today: dt.date, *, due_soon_days: int) -> str | None:
    """"overdue" (today after the deadline), "due_soon" (deadline within ``due_soon_days`` days,
    today included) or None, for a task whose work is still open.

    >>> d = dt.date(2026, 5, 10)
    >>> [due_status("in_progress", d, dt.date(2026, 5, x), due_soon_days=7) for x in (2, 3, 10, 11)]
    [None, 'due_soon', 'due_soon', 'overdue']
    >>> due_status("close_requested", d, dt.date(2026, 6, 1), due_soon_days=7) is None
    True
    """
    if RemediationState(state) not in DUE_STATES:
        return None
    if today > deadline:
        return "overdue"
    if (deadline - today).days <= due_soon_days:
        return "due_soon"
    return None
