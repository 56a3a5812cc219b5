"""Remediation tasks (issue #13 part 2) and the effect check (part 4): the pure rules."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from strategies import remediation_actions

from outfall.core.enums import OutfallStatus, RemediationState
from outfall.core.errors import InputError
from outfall.core.filetypes import sniff_evidence
from outfall.core.remediation import (
    TRANSITIONS,
    TransitionError,
    can_transition,
    check_reopen,
    check_sign_off,
    check_task,
    due_status,
    next_state,
    outfall_status_for,
)
from outfall.core.remediation.effect import effect_check

D = dt.date(2026, 3, 1)


def task(**over):
    args = {"measure": "standardize", "outfall_code": "A", "merge_into_code": None, "merge_into_status": None,
            "start": D, "deadline": D + dt.timedelta(days=30)}
    args.update(over)
    return check_task(**args)


def test_the_happy_path_and_back():
    s = RemediationState.PLANNED
    for action, want in [("start", "in_progress"), ("request_close", "close_requested"), ("sign_off", "signed_off"),
                         ("reopen", "in_progress"), ("request_close", "close_requested"), ("reopen", "in_progress")]:
        s = next_state(s, action)
        assert s.value == want


@pytest.mark.parametrize("state,action", [("planned", "sign_off"), ("planned", "request_close"), ("planned", "reopen"),
                                          ("in_progress", "sign_off"), ("in_progress", "start"),
                                          ("signed_off", "sign_off"), ("close_requested", "start")])
def test_refused_transitions(state, action):
    assert not can_transition(state, action)
    with pytest.raises(TransitionError) as e:
        next_state(state, action)
    assert "不能" in e.value.user_message


@settings(max_examples=200, deadline=None)
@given(remediation_actions)
def test_any_sequence_stays_in_the_lifecycle(actions):
    """Whatever is asked: a state is reached only through TRANSITIONS; signed off only from a
    requested close-out; a refused action leaves the state unchanged."""
    s = RemediationState.PLANNED
    for a in actions:
        before = s
        try:
            s = next_state(s, a)
        except TransitionError:
            assert (before, a) not in TRANSITIONS
            assert s == before
            continue
        assert TRANSITIONS[(before, a)] == s
        if s == RemediationState.SIGNED_OFF:
            assert before == RemediationState.CLOSE_REQUESTED and a == "sign_off"
        assert s != RemediationState.PLANNED  # never back to planned


def test_deadline_before_start_is_refused():
    task()
    task(deadline=D)  # same day is fine
    with pytest.raises(InputError) as e:
        task(deadline=D - dt.timedelta(days=1))
    assert "期限" in e.value.user_message


def test_merge_rules():
    task(measure="merge", merge_into_code="B", merge_into_status="in_use")
    for over, word in [({"merge_into_code": None}, "须指定"), ({"merge_into_code": "A"}, "自身"),
                       ({"merge_into_code": "B", "merge_into_status": "banned"}, "已取缔"),
                       ({"merge_into_code": "B", "merge_into_status": "merged"}, "已合并")]:
        with pytest.raises(InputError) as e:
            task(measure="merge", **over)
        assert word in e.value.user_message
    with pytest.raises(InputError):
        task(measure="ban", merge_into_code="B")


def test_sign_off_needs_evidence_and_reopen_a_reason():
    check_sign_off(1)
    with pytest.raises(InputError):
        check_sign_off(0)
    assert check_reopen("  复查仍有排放 ") == "复查仍有排放"
    with pytest.raises(InputError):
        check_reopen("  ")


def test_outfall_status_follows_the_task():
    assert outfall_status_for("ban", "planned") == OutfallStatus.TO_REMEDIATE
    for m in ("ban", "merge", "standardize"):
        assert outfall_status_for(m, "in_progress") == OutfallStatus.REMEDIATING
        assert outfall_status_for(m, "close_requested") == OutfallStatus.REMEDIATING
    assert outfall_status_for("ban", "signed_off") == OutfallStatus.BANNED
    assert outfall_status_for("merge", "signed_off") == OutfallStatus.MERGED
    assert outfall_status_for("standardize", "signed_off") == OutfallStatus.REMEDIATED


def test_due_status():
    dl = dt.date(2026, 5, 10)
    assert due_status("planned", dl, dt.date(2026, 5, 11), due_soon_days=7) == "overdue"
    assert due_status("planned", dl, dt.date(2026, 5, 1), due_soon_days=7) is None
    assert due_status("in_progress", dl, dt.date(2026, 5, 3), due_soon_days=7) == "due_soon"
    assert due_status("in_progress", dl, dt.date(2026, 5, 3), due_soon_days=3) is None
    assert due_status("signed_off", dl, dt.date(2027, 1, 1), due_soon_days=7) is None


T0 = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(days=60)


def _series(values, start, step_days=7):
    return [(start + dt.timedelta(days=step_days * k), v, "", None) for k, v in enumerate(values)]


def test_effect_improved():
    r = _series([2.1, 1.9, 2.4, 2.0, 2.2, 1.8], T0 - dt.timedelta(days=80))
    r += _series([0.6, 0.5, 0.7, 0.4, 0.5], T1 + dt.timedelta(days=1))
    res = effect_check(r, parameter="NH3N", started=T0, signed_off=T1)
    assert (res.verdict, res.n_before, res.n_after) == ("improved", 6, 5)
    assert res.median_before == pytest.approx(2.05) and res.median_after == 0.5
    assert res.p_value < 0.05 and "Mann" in res.test


def test_effect_not_improved_and_readings_outside_the_windows_are_ignored():
    r = _series([1.0, 1.2, 0.9, 1.1, 1.0], T0 - dt.timedelta(days=80))
    r += _series([1.1, 1.0, 1.3, 0.9, 1.2], T1 + dt.timedelta(days=1))
    r += _series([9.0] * 5, T0 - dt.timedelta(days=200))   # before the before-window
    r += _series([0.01] * 5, T0 + dt.timedelta(days=1))    # during the work: in neither window
    res = effect_check(r, parameter="NH3N", started=T0, signed_off=T1)
    assert (res.verdict, res.n_before, res.n_after) == ("not_improved", 5, 5)
    assert res.p_value >= 0.05


def test_effect_not_enough_data_and_below_detection():
    r = _series([1.0, 1.2, 0.9, 1.1], T0 - dt.timedelta(days=80))
    r += [(T1 + dt.timedelta(days=k), None, "<", 0.04) for k in range(1, 4)]  # 3 below detection: 0.02 each
    r += [(T1 + dt.timedelta(days=5), None, "missing", None)]  # not counted
    res = effect_check(r, parameter="NH3N", started=T0, signed_off=T1)
    assert (res.verdict, res.n_before, res.n_after, res.median_after, res.p_value) == ("not_enough_data", 4, 3, 0.02, None)
    r.append((T1 + dt.timedelta(days=6), None, "<", 0.04))
    assert effect_check(r, parameter="NH3N", started=T0, signed_off=T1).verdict == "improved"


def test_effect_dissolved_oxygen_is_better_higher():
    r = _series([4.0, 4.2, 3.9, 4.1, 4.0], T0 - dt.timedelta(days=80))
    r += _series([7.0, 7.2, 6.9, 7.1, 7.0], T1 + dt.timedelta(days=1))
    assert effect_check(r, parameter="DO", started=T0, signed_off=T1).verdict == "improved"
    assert effect_check(r, parameter="NH3N", started=T0, signed_off=T1).verdict == "not_improved"


def test_effect_windows_are_arguments():
    r = _series([2.0] * 6, T0 - dt.timedelta(days=40))
    r += _series([0.5] * 6, T1 + dt.timedelta(days=1), step_days=2)
    assert effect_check(r, parameter="NH3N", started=T0, signed_off=T1, before_days=10).verdict == "not_enough_data"
    assert effect_check(r, parameter="NH3N", started=T0, signed_off=T1, before_days=60).verdict == "improved"


def test_evidence_kinds():
    assert sniff_evidence(b"PK\x03\x04xx", "方案.docx")[0] == "document"
    assert sniff_evidence(b"PK\x03\x04xx", "a.zip") is None
    assert sniff_evidence(b"\xff\xd8\xff\xe0", "x.bin") == ("photo", "image/jpeg")
    assert sniff_evidence(b"<html>", "a.pdf") is None
