"""Demo cases: a realistic year (2025) of the Laixi bureau's cases, seeded and deterministic, every
one driven through the services (so each step is in the history), every state present.

Scaled from the bureau's own year-end figures (中央督察交办件 101 件已整改 100 件; 省级 202 件已整改
201 件; 信访 1431 件全部办结; 14 次专项执法检查发现问题 350 个全部整改) to keep ``outfall demo`` fast:
101 central cases (100 closed), 30 provincial (29 closed), 100 complaints over every channel
(92 closed, the rest at every earlier step), two campaigns (35 findings all rectified; 10 with 2
still in hand), 6 field findings and a case from a confirmed alert. Open cases have 2025 deadlines,
so they show as overdue.
"""

from __future__ import annotations

import datetime as dt
import random

from outfall.core.enums import CaseResult, CaseSource, CaseState, ComplaintChannel

YEAR = 2025
SEED = 13
#: source → (count, how many end in each state, in lifecycle order: intake, assigned, handling, replied, closed)
PLAN = {
    CaseSource.CENTRAL_INSPECTION: (101, {CaseState.HANDLING: 1}),
    CaseSource.PROVINCIAL_INSPECTION: (30, {CaseState.REPLIED: 1}),
    CaseSource.COMPLAINT: (100, {CaseState.INTAKE: 1, CaseState.ASSIGNED: 2, CaseState.HANDLING: 3,
                                 CaseState.REPLIED: 2}),
    CaseSource.FIELD: (6, {CaseState.ASSIGNED: 1, CaseState.HANDLING: 1}),
}
CAMPAIGNS = [("2025年入河排污口专项执法检查", dt.date(2025, 4, 1), dt.date(2025, 6, 30), 35, 0),
             ("2025年汛期排污口专项检查", dt.date(2025, 7, 1), dt.date(2025, 9, 30), 10, 2)]
PROBLEMS = ["污水直排", "雨污混流", "排污口设置不规范", "标识牌缺失", "养殖尾水直排", "超标排放", "私设暗管", "河道垃圾"]
CHANNELS = [ComplaintChannel.HOTLINE_12345] * 6 + [ComplaintChannel.HOTLINE_12369] * 3 + [
    ComplaintChannel.LETTER, ComplaintChannel.VISIT, ComplaintChannel.OTHER]
RESULTS = [CaseResult.RECTIFIED] * 6 + [CaseResult.NOT_SUBSTANTIATED] * 2 + [CaseResult.PARTLY, CaseResult.OTHER]
ORDER = [CaseState.INTAKE, CaseState.ASSIGNED, CaseState.HANDLING, CaseState.REPLIED, CaseState.CLOSED]


def _ends(count: int, early: dict) -> list[CaseState]:
    """The final state of each case of a source: the early ones first (latest intakes), the rest closed."""
    out = [s for s in ORDER for _ in range(early.get(s, 0))]
    return [CaseState.CLOSED] * (count - len(out)) + out


def _intakes(rng: random.Random, count: int, start: dt.date, end: dt.date) -> list[dt.date]:
    span = (end - start).days
    return sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(count))


def _drive(case, end: CaseState, rng, *, bureau, town, result: CaseResult | None = None,
           staff: dict | None = None) -> None:
    """Take ``case`` through the services up to ``end`` with plausible dates (never past 2025-12-31):
    the bureau assigns and closes; the town's staff (where the town has an account) note and reply."""
    from outfall.cases import services

    last = dt.date(YEAR, 12, 31)
    day = min(case.intake_date + dt.timedelta(days=rng.randint(0, 2)), last)
    if end == CaseState.INTAKE:
        return
    services.assign_case(case, actor=bureau, town=town, department="" if town else "执法大队", on=day)
    if end == CaseState.ASSIGNED:
        return
    handler = (staff or {}).get(getattr(town, "pk", None), bureau)
    services.add_note(case, rng.choice(["已现场核查", "已约谈责任主体，制定整改方案", "已封堵排口，正在清理",
                                        "已责令停止排放并立案调查"]), actor=handler)
    if end == CaseState.HANDLING:
        return
    day = min(day + dt.timedelta(days=rng.randint(3, 12)), last)
    services.reply_case(case, "已按要求办理并答复。", actor=handler, on=day)
    if end == CaseState.REPLIED:
        return
    day = min(day + dt.timedelta(days=rng.randint(1, 20)), last)
    services.close_case(case, (result or rng.choice(RESULTS)).value, actor=bureau, note="经复核，同意销号", on=day)


def load(*, stdout) -> None:
    """Open and drive the demo year's cases (once; a second run skips), in one transaction."""
    from django.db import transaction

    with transaction.atomic():
        _load(stdout=stdout)


def _load(*, stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from outfall.accounts.models import Town
    from outfall.alerts.models import Alert
    from outfall.cases import services
    from outfall.cases.models import Case
    from outfall.ledger.models import Outfall

    if Case.objects.exists():
        stdout.write("演示案件已存在，跳过 / demo cases already loaded\n")
        return
    bureau = get_user_model().objects.filter(username="bureau").first()
    towns = list(Town.objects.order_by("code"))
    if bureau is None or not towns:
        stdout.write("无演示账号或镇街，跳过案件 / no demo users or towns: cases skipped\n")
        return
    rng = random.Random(SEED)
    staff = {u.town_id: u for u in get_user_model().objects.filter(role="town", is_active=True, town__isnull=False)
             .order_by("username")}
    by_town: dict[int, list] = {}
    for o in Outfall.objects.filter(is_demo=True).order_by("code").only("pk", "code", "town_id"):
        by_town.setdefault(o.town_id, []).append(o)

    def opened(source, n: int, intake: dt.date, **fields):
        town = towns[rng.randrange(len(towns))]
        outfalls = rng.sample(by_town.get(town.pk, []), k=min(rng.randint(0, 2), len(by_town.get(town.pk, []))))
        problem = rng.choice(PROBLEMS)
        return town, services.open_case(actor=bureau, source=source, title=f"{town.name}{problem}问题", problem_type=problem,
                                  description=f"反映{town.name}境内存在{problem}问题，请核查处理。", towns=[town],
                                  outfalls=outfalls, intake_date=intake, **fields)

    windows = {CaseSource.CENTRAL_INSPECTION: (dt.date(2025, 5, 10), dt.date(2025, 6, 10)),
               CaseSource.PROVINCIAL_INSPECTION: (dt.date(2025, 8, 1), dt.date(2025, 9, 1)),
               CaseSource.COMPLAINT: (dt.date(2025, 1, 1), dt.date(2025, 12, 25)),
               CaseSource.FIELD: (dt.date(2025, 3, 1), dt.date(2025, 12, 20))}
    for source, (count, early) in PLAN.items():
        for n, (intake, end) in enumerate(zip(_intakes(rng, count, *windows[source]), _ends(count, early),
                                              strict=True), start=1):
            fields = {}
            if source in (CaseSource.CENTRAL_INSPECTION, CaseSource.PROVINCIAL_INSPECTION):
                fields = {"batch": f"第{(n - 1) // 25 + 1}批", "number": f"{'D' if n % 2 else 'X'}"
                          f"{'SD' if source == CaseSource.CENTRAL_INSPECTION else 'QD'}{YEAR}{n:04d}"}
            elif source == CaseSource.COMPLAINT:
                fields = {"channel": rng.choice(CHANNELS).value, "complainant_name": rng.choice("张王李赵刘陈杨黄")
                          + rng.choice(["先生", "女士", "某某", "建国", "秀英"]),
                          "complainant_contact": f"13{rng.randint(0, 9)}{rng.randrange(10 ** 8):08d}"}
            town, case = opened(source, n, intake, **fields)
            _drive(case, end, rng, bureau=bureau, town=town, staff=staff,
                   result=CaseResult.RECTIFIED if source != CaseSource.COMPLAINT else None)
    for name, start, finish, count, still_open in CAMPAIGNS:
        campaign = services.create_campaign(actor=bureau, name=name, year=YEAR, start_date=start, end_date=finish)
        for intake, end in zip(_intakes(rng, count, start, finish),
                               _ends(count, {CaseState.HANDLING: still_open}), strict=True):
            town, case = opened(CaseSource.CAMPAIGN, 0, intake, campaign=campaign)
            _drive(case, end, rng, bureau=bureau, town=town, staff=staff, result=CaseResult.RECTIFIED)
    confirmed = Alert.objects.filter(state="confirmed").order_by("pk").first()
    if confirmed is not None:
        day = timezone.localdate(confirmed.last_time)
        services.assign_case(services.open_case_from_alert(confirmed, actor=bureau, intake_date=day), actor=bureau,
                             town=confirmed.town, department="" if confirmed.town_id else "执法大队", on=day)
    counts: dict[str, int] = {}
    for state in Case.objects.values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    stdout.write(f"已生成 {Case.objects.count()} 件演示案件 / demo cases: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + "\n")
