"""The rules of a case (outfall.core.cases): lifecycle, deadlines, overdue, masking, and the case
workbook's columns (dates, lists, sources, headers), with Hypothesis where the invariant is crisp."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import strategies
from hypothesis import given
from hypothesis import strategies as st

from outfall.core.cases import columns, rules, stats
from outfall.core.enums import CaseResult, CaseSource, CaseState

S = CaseState
#: The lifecycle, written out by hand from the issue (受理 → 交办 → 办理 → 答复 → 办结; reopen; reassign).
ALLOWED = {(S.INTAKE, S.ASSIGNED), (S.ASSIGNED, S.ASSIGNED), (S.ASSIGNED, S.HANDLING), (S.HANDLING, S.ASSIGNED),
           (S.HANDLING, S.REPLIED), (S.REPLIED, S.CLOSED), (S.REPLIED, S.HANDLING), (S.CLOSED, S.HANDLING)}


@pytest.mark.parametrize(("frm", "to"), list(itertools.product(S, S)), ids=lambda s: s.value)
def test_every_pair_of_states(frm, to):
    assert rules.can_transition(frm, to) == ((frm, to) in ALLOWED)
    kw = {"result": "rectified", "reason": "复查未整改到位"}
    if (frm, to) in ALLOWED:
        rules.check_transition(frm, to, **kw)
    else:
        with pytest.raises(ValueError, match="不能改为"):
            rules.check_transition(frm, to, **kw)


def test_close_needs_a_result_and_reopen_a_reason():
    with pytest.raises(ValueError, match="办结须选择办理结果"):
        rules.check_transition(S.REPLIED, S.CLOSED, result="")
    with pytest.raises(ValueError, match="办结须选择办理结果"):
        rules.check_transition(S.REPLIED, S.CLOSED, result="done")
    for r in CaseResult:
        rules.check_transition(S.REPLIED, S.CLOSED, result=r.value)
    with pytest.raises(ValueError, match="须先答复"):
        rules.check_transition(S.HANDLING, S.CLOSED, result="rectified")
    for frm in (S.REPLIED, S.CLOSED):
        with pytest.raises(ValueError, match="重新办理须说明原因"):
            rules.check_transition(frm, S.HANDLING, reason="  ")


def test_a_note_starts_an_assigned_case_and_is_refused_before_assignment_and_after_close():
    assert rules.state_after_note(S.ASSIGNED) == S.HANDLING
    assert rules.state_after_note(S.HANDLING) == S.HANDLING
    assert rules.state_after_note(S.REPLIED) == S.REPLIED
    with pytest.raises(ValueError, match="尚未交办"):
        rules.state_after_note(S.INTAKE)
    with pytest.raises(ValueError, match="已办结"):
        rules.state_after_note(S.CLOSED)


def test_allowed_next_lists_states_in_lifecycle_order():
    assert rules.allowed_next(S.HANDLING) == [S.ASSIGNED, S.REPLIED]
    assert rules.allowed_next(S.CLOSED) == [S.HANDLING]


def test_deadline_days_setting():
    days = rules.parse_deadline_days("central_inspection=20，complaint=10; 省级督察交办件=25")
    assert days[CaseSource.CENTRAL_INSPECTION] == 20 and days[CaseSource.COMPLAINT] == 10
    assert days[CaseSource.PROVINCIAL_INSPECTION] == 25 and days[CaseSource.FIELD] == 15
    for bad, why in (("nowhere=3", "未知来源"), ("complaint=0", "来源=天数"), ("complaint", "来源=天数"),
                     ("complaint=ten", "来源=天数")):
        with pytest.raises(ValueError, match=why):
            rules.parse_deadline_days(bad)


@given(st.fixed_dictionaries({s: st.integers(1, 3650) for s in CaseSource}))
def test_deadline_days_round_trip(days):
    assert rules.parse_deadline_days(rules.format_deadline_days(days)) == days


@given(st.dates(dt.date(2000, 1, 1), dt.date(2090, 1, 1)), st.sampled_from(list(CaseSource)))
def test_default_deadline_is_never_before_intake(intake, source):
    d = rules.default_deadline(source, intake)
    rules.check_deadline(intake, d)
    assert (d - intake).days == rules.DEFAULT_DEADLINE_DAYS[source]


def test_a_deadline_before_intake_is_refused():
    with pytest.raises(ValueError, match="早于受理日期"):
        rules.check_deadline(dt.date(2025, 3, 5), dt.date(2025, 3, 4))
    rules.check_deadline(dt.date(2025, 3, 5), dt.date(2025, 3, 5))


def test_act_dates():
    today, intake = dt.date(2025, 6, 1), dt.date(2025, 5, 1)
    rules.check_act_date(intake, intake=intake, today=today)
    with pytest.raises(ValueError, match="早于受理日期"):
        rules.check_act_date(dt.date(2025, 4, 30), intake=intake, today=today)
    with pytest.raises(ValueError, match="晚于今天"):
        rules.check_act_date(dt.date(2025, 6, 2), intake=intake, today=today)


@given(st.dates(), st.one_of(st.none(), st.dates()), st.dates())
def test_overdue_and_due_soon_exclude_each_other(deadline, settled_on, as_of):
    late = rules.is_overdue(deadline, settled_on, as_of)
    soon = rules.is_due_soon(deadline, settled_on, as_of, within_days=3)
    assert not (late and soon)
    if late:
        assert as_of > deadline and (settled_on is None or settled_on > as_of)


def test_settled_is_the_first_of_reply_and_close():
    d1, d2 = dt.date(2025, 1, 2), dt.date(2025, 1, 5)
    assert rules.settled(d2, d1) == d1 and rules.settled(None, d2) == d2 and rules.settled(None, None) is None


@given(strategies.mobile_numbers)
def test_a_mobile_number_keeps_only_its_first_three_and_last_four_digits(phone):
    masked = rules.mask_contact(phone)
    assert masked == phone[:3] + "****" + phone[-4:]


@given(st.text(min_size=1, max_size=30).filter(lambda t: t.strip()))
def test_masking_never_gives_the_whole_text_back(text):
    t = text.strip()
    masked = rules.mask_contact(t)
    assert masked != t or len(t) == 1
    assert rules.mask_name(t)[:1] == t[:1] and len(rules.mask_name(t)) == len(t)


# --- the workbook columns ------------------------------------------------------------------------
@given(strategies.case_dates)
def test_dates_round_trip_through_every_written_form(d):
    assert columns.parse_date(columns.format_date(d)) == d
    assert columns.parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert columns.parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert columns.parse_date(dt.datetime(d.year, d.month, d.day, 10, 30)) == d
    assert columns.parse_date((d - dt.date(1899, 12, 30)).days) == d  # Excel's serial day


@pytest.mark.parametrize("bad", ["2025-13-01", "2025-02-30", "昨天", "3/5", True, -1])
def test_bad_dates_are_refused(bad):
    with pytest.raises(ValueError, match="日期"):
        columns.parse_date(bad)


@given(st.lists(st.text(alphabet="水集街道姜山镇0123456789ABC-", min_size=1, max_size=8), max_size=6))
def test_lists_round_trip(items):
    once = list(dict.fromkeys(items))
    assert columns.parse_list(columns.format_list(once)) == once


def test_sources():
    assert columns.parse_source("中央") == "central_inspection"
    assert columns.parse_source("省级") == "provincial_inspection"
    for s in CaseSource:
        assert columns.parse_source(s.label) == s.value == columns.parse_source(s.value)
    with pytest.raises(ValueError, match="不是案件来源"):
        columns.parse_source("市级")


def test_header_unknown_missing_and_aliases():
    mapping, problems = columns.match_case_header(["序号", "批次", "受理编号", "交办时间", "行政区域", "问题描述", "来源",
                                                   "督办意见"])
    assert {c.field for c in mapping.values()} == {"batch", "number", "intake_date", "towns", "description", "source"}
    assert [h for h, _m in problems] == ["督办意见"] and "未知列「督办意见」" in problems[0][1]
    _m, problems = columns.match_case_header(["批次", "问题描述"])
    assert {h for h, _m in problems} == {"来源", "交办编号", "交办时间"}


def test_clean_row():
    data, problems = columns.clean_row({"source": "省级", "number": 20250012.0, "intake_date": "2025年5月3日",
                                        "deadline": "2025-05-01", "description": "某村雨污混流\n第二行",
                                        "towns": "水集街道、姜山镇", "state": "已办结"})
    assert data["number"] == "20250012" and data["title"] == "某村雨污混流" and data["towns"] == ["水集街道", "姜山镇"]
    assert "state" not in data
    assert problems == [("办理期限", "办理期限 2025-05-01 早于交办时间 2025-05-03 / the deadline is before the intake date")]
    _d, problems = columns.clean_row({"source": "", "number": "", "intake_date": "五月", "description": ""})
    assert {h for h, _m in problems} == {"来源", "交办编号", "交办时间", "问题描述"}


def test_months_and_monthly_counts():
    assert stats.months(dt.date(2025, 12, 1), dt.date(2026, 1, 1)) == ["2025-12"]
    assert stats.monthly_counts([dt.date(2025, 12, 31), dt.date(2026, 1, 1)], dt.date(2025, 12, 1),
                                dt.date(2026, 1, 1)) == [1]


@given(st.lists(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31))),
       st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)), st.integers(0, 800))
def test_monthly_counts_sum_to_the_dates_in_the_period(dates, start, days):
    end = start + dt.timedelta(days=days)
    counts = stats.monthly_counts(dates, start, end)
    assert sum(counts) == sum(start <= d < end for d in dates)
    assert len(counts) == len(stats.months(start, end))
