"""Demo remediation (整治): about 40 tasks on demo outfalls, in every state and every measure, with
progress notes and evidence (small generated PNGs and a one-page PDF), some overdue and some due soon,
made through the services (history and outfall status included), seeded (``random.Random(13)``).

Two tasks carry the effect-check story on the demo year's readings (``demo.story``; ammonia is highest
in winter, when nitrification is slow):

- ``IMPROVED``: an outfall above an automatic station, work started 2025-04-01 and signed off
  2025-06-01: its section's ammonia in the 90 days after is below the 90 days before → 已改善;
- ``NOT_IMPROVED``: another, started 2025-07-01 and signed off 2025-09-15: the autumn readings are no
  lower than the spring ones → 已销号但水质未改善 on the dashboard.

A before/after comparison of one section has no control of its own: the task page therefore shows
the same check at the nearest section upstream, which the outfall cannot affect. In the improved story
马连庄 upstream fell as much (the season), and the page says the improvement may not be the work's. The other tasks are dated relative to the day
the demo is loaded (deadlines a few days past, a few days ahead, or months away), so overdue and
due-soon tasks show whenever it is loaded; their sign-offs fall after the demo year, so their checks
say "not enough data".
"""

from __future__ import annotations

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
#: (start of work, sign-off) of the two effect-check stories, local time.
IMPROVED = (dt.datetime(2025, 4, 1, 9, tzinfo=TZ), dt.datetime(2025, 6, 1, 9, tzinfo=TZ))
NOT_IMPROVED = (dt.datetime(2025, 7, 1, 9, tzinfo=TZ), dt.datetime(2025, 9, 15, 9, tzinfo=TZ))
#: How many tasks end in each state (besides the two stories, which end signed off).
PLAN = {"planned": 8, "in_progress": 12, "close_requested": 6, "signed_off": 10, "reopened": 2}
MEASURES = ["standardize", "standardize", "ban", "merge"]
PLANS = {"ban": "依法取缔：拆除排污管道，封堵排口，恢复岸坡", "merge": "清理合并：截污管接入 {into}，原排口封堵",
         "standardize": "规范整治：设置标志牌和采样点，雨污分流改造，安装在线监测"}
DEPARTMENTS = ["镇街环保所", "水务局", "住建局", "农业农村局", "综合执法局"]
NOTES = ["施工队进场，开始拆除", "完成管线排查，发现雨污混接 2 处", "已完成封堵，现场拍照", "标志牌已安装", "采样点已规范设置"]


def _png(rng: random.Random) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), tuple(rng.randrange(40, 220) for _ in range(3))).save(buf, "PNG")
    return buf.getvalue()


_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
       b"trailer<</Root 1 0 R>>\n%%EOF\n"


def _files(rng: random.Random, n: int, *, pdf: bool = False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = [SimpleUploadedFile(f"现场照片{k + 1}.png", _png(rng), content_type="image/png") for k in range(n)]
    if pdf:
        out.append(SimpleUploadedFile("整改验收报告.pdf", _PDF, content_type="application/pdf"))
    return out


def _story_outfalls(outfalls, count: int):
    """The first ``count`` outfalls (in the given order) whose first section downstream is an
    automatic station (readings every 4 h), each on a different section."""
    from outfall.remediation.selectors import downstream_section

    out, used = [], set()
    for o in outfalls:
        found = downstream_section(o)
        if found and found[0].automatic_station and found[0].pk not in used:
            out.append(o)
            used.add(found[0].pk)
            if len(out) == count:
                break
    return out


def _run(task, end: str, *, actor, rng, t0: dt.datetime, t1: dt.datetime):
    """Take ``task`` to ``end`` with steps between t0 (work starts) and t1 (sign-off)."""
    from outfall.remediation import services

    if end == "planned":
        return task
    task = services.start_task(task, actor=actor, note="开始整治", at=t0)
    mid = t0 + (t1 - t0) / 2
    services.add_progress(task, rng.choice(NOTES), _files(rng, rng.randint(1, 2)), actor=actor, at=mid)
    if end == "in_progress":
        return task
    task = services.request_close(task, actor=actor, note="整治完成，申请销号", files=_files(rng, 1, pdf=True),
                                  at=t1 - dt.timedelta(days=3))
    if end == "close_requested":
        return task
    task = services.sign_off_task(task, actor=actor, note="现场复核，资料齐全，同意销号", at=t1)
    if end == "reopened":
        task = services.reopen_task(task, "复查发现排口仍有渗漏，重新整治", actor=actor, at=t1 + dt.timedelta(days=5))
    return task


def load(*, stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from outfall.core.enums import OutfallStatus
    from outfall.ledger.models import Outfall
    from outfall.remediation import services
    from outfall.remediation.models import RemediationTask

    if RemediationTask.objects.exists():
        stdout.write("演示整治任务已存在，跳过 / demo remediation tasks already exist\n")
        return
    bureau = get_user_model().objects.filter(username="bureau").first()
    rng = random.Random(13)
    pool = list(Outfall.objects.filter(is_demo=True, status=OutfallStatus.IN_USE.value).order_by("code"))
    if len(pool) < 60 or bureau is None:
        stdout.write("没有演示排污口，跳过整治 / no demo outfalls: remediation skipped\n")
        return
    rng.shuffle(pool)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        stories = _story_outfalls(pool[:40], 2)
        rest = [o for o in pool if o not in stories]
        chosen, targets = rest[:sum(PLAN.values())], rest[sum(PLAN.values()):]
        made = []
        for o, (t0, t1) in zip(stories, (IMPROVED, NOT_IMPROVED), strict=False):
            task = services.create_task(o, {"measure": "standardize", "plan": PLANS["standardize"],
                                            "department": "镇街环保所", "parameter": "NH3N",
                                            "start_date": (t0 - dt.timedelta(days=10)).date(),
                                            "deadline": (t1 + dt.timedelta(days=10)).date()},
                                        actor=bureau, at=t0 - dt.timedelta(days=10))
            made.append(_run(task, "signed_off", actor=bureau, rng=rng, t0=t0, t1=t1))
        ends = [e for e, n in PLAN.items() for _ in range(n)]
        for k, (o, end) in enumerate(zip(chosen, ends, strict=True)):
            measure = MEASURES[k % len(MEASURES)]
            into = None
            if measure == "merge":
                into = next((t for t in targets if t.town_id == o.town_id), targets[0])
                targets.remove(into)
            if end in ("signed_off", "reopened"):  # done during the past year
                t1 = now - dt.timedelta(days=20 + 30 * (k % 11))
                t0 = t1 - dt.timedelta(days=40 + rng.randrange(40))
                start, deadline = (t0 - dt.timedelta(days=15)).date(), (t1 + dt.timedelta(days=rng.randrange(0, 20))).date()
            else:  # open work: every third overdue, every third due soon, the others months away
                deadline = today + dt.timedelta(days=(-rng.randint(3, 40), rng.randint(1, 6), rng.randint(20, 150))[k % 3])
                start = min(today - dt.timedelta(days=rng.randint(30, 120)), deadline)
                t0 = min(timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=5), dt.time(9))),
                         now - dt.timedelta(days=2))
                t1 = min(now - dt.timedelta(days=1), t0 + dt.timedelta(days=30))
            data = {"measure": measure, "merge_into": into, "department": DEPARTMENTS[k % len(DEPARTMENTS)],
                    "plan": PLANS[measure].format(into=into.code if into else ""), "parameter": "NH3N",
                    "responsible_party": o.responsible_parties.order_by("pk").first(),
                    "start_date": start, "deadline": deadline}
            created = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
            task = services.create_task(o, data, actor=bureau, at=created)
            made.append(_run(task, end, actor=bureau, rng=rng, t0=max(t0, created), t1=max(t1, created)))
    states: dict[str, int] = {}
    for t in made:
        states[t.state] = states.get(t.state, 0) + 1
    stdout.write(f"已创建 {len(made)} 个演示整治任务 / demo remediation tasks: "
                 + ", ".join(f"{k} {v}" for k, v in sorted(states.items())) + "\n")
