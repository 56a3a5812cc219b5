"""Due-soon and overdue reminders of remediation tasks, pushed through the alert channels
(``outfall.alerts.channels``: e-mail, webhook, WeCom, DingTalk).

The worker runs :func:`send_due_reminders` every hour (``remediation.tasks``). Each task gets at most
one message per kind (due soon, overdue) and deadline: the :class:`Reminder` row is written first,
under a unique constraint, so a message is never sent twice, even by two workers at once; a new
deadline (the task edited) may bring new ones. A reminder goes to every active channel with a
subscription that is not limited to a section or an alert rule, for every town or the town of the
task's outfall. A channel that fails is counted on the row (``failed``), logged, and sent again by the
worker with the alerts' back-off (``remediation.tasks.resend_reminder_task``: 5 more tries, 30 s … 8 min);
each success takes one off ``failed``. A task closed meanwhile, or a channel switched off, is not retried.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import F

from outfall.alerts.channels import ChannelError, load_channel
from outfall.alerts.models import Channel, Subscription
from outfall.core.enums import RemediationMeasure, RemediationState
from outfall.core.remediation import DUE_STATES, due_status
from outfall.remediation import selectors
from outfall.remediation.models import RemediationTask, Reminder

log = logging.getLogger("outfall.remediation")
#: The states a deadline applies to (the core's): only these are reminded, and retried.
_DUE = sorted(s.value for s in DUE_STATES)
KIND_WORDS = {"due_soon": ("整治任务即将到期", "remediation task due soon"),
              "overdue": ("整治任务已逾期", "remediation task overdue")}


def channels_for(task: RemediationTask) -> list[Channel]:
    subs = (Subscription.objects.filter(channel__active=True, section__isnull=True, rule="")
            .select_related("channel").order_by("channel__pk"))
    out, seen = [], set()
    for s in subs:
        if (s.town_id is None or s.town_id == task.outfall.town_id) and s.channel_id not in seen:
            seen.add(s.channel_id)
            out.append(s.channel)
    return out


def message(task: RemediationTask, kind: str, *, on: dt.date) -> dict:
    """Title and Markdown text (Chinese first, English after) of one reminder."""
    zh, en = KIND_WORDS[kind]
    m, st = RemediationMeasure(task.measure), RemediationState(task.state)
    days = (task.deadline - on).days
    when = f"还剩 {days} 天 / {days} days left" if days >= 0 else f"已逾期 {-days} 天 / {-days} days overdue"
    title = f"【{zh}】{task.outfall.code} {task.outfall.name} {m.label}"
    text = "\n".join([f"### {title}", "", f"> {en}", "",
                      f"- 整改期限 / deadline: {task.deadline:%Y-%m-%d}（{when}）",
                      f"- 状态 / state: {st.label} ({st.label_en})",
                      f"- 镇街 / town: {task.outfall.town.name}",
                      f"- 责任部门 / department: {task.department or '—'}",
                      f"- 任务 / task: #{task.pk} (/remediation/{task.pk}/)"])
    return {"title": title, "text": text,
            "alert": {"remediation_task": task.pk, "outfall": task.outfall.code, "event": kind,
                      "measure": task.measure, "state": task.state, "deadline": task.deadline.isoformat()}}


def _claim(task: RemediationTask, kind: str) -> Reminder | None:
    """The new reminder row, or None when this one was already sent."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(task=task, kind=kind, deadline=task.deadline)
    except IntegrityError:
        return None


def send_due_reminders(*, on: dt.date | None = None) -> list[Reminder]:
    """Send every due-soon and overdue reminder not yet sent (on day ``on``, default today)."""
    on = on or selectors.today()
    days = selectors.due_soon_days()
    candidates = (RemediationTask.objects.select_related("outfall__town")
                  .filter(state__in=_DUE,
                          deadline__lte=on + dt.timedelta(days=days)).order_by("deadline", "pk"))
    sent = []
    for task in candidates:
        kind = due_status(task.state, task.deadline, on, due_soon_days=days)
        if kind is None:
            continue
        if kind == "due_soon" and Reminder.objects.filter(task=task, kind="overdue", deadline=task.deadline).exists():
            continue
        row = _claim(task, kind)
        if row is None:
            continue
        msg, failed = message(task, kind, on=on), []
        channels = channels_for(task)
        for channel in channels:
            try:
                load_channel(channel.kind)(channel, msg)
            except ChannelError as exc:
                failed.append(channel)
                log.warning("remediation reminder %s → %s failed: %s", task.pk, channel, exc)
        row.channels, row.failed = len(channels), len(failed)
        row.save(update_fields=["channels", "failed"])
        for channel in failed:
            _queue_resend(row, channel, on)
        sent.append(row)
    return sent


def _queue_resend(row: Reminder, channel: Channel, on: dt.date) -> None:
    from outfall.remediation.tasks import resend_reminder_task

    try:
        resend_reminder_task(row.pk, channel.pk, on.isoformat())
    except Exception:  # noqa: BLE001 — a queue that is down: the failure stays counted on the row
        log.exception("could not queue the retry of reminder %s → %s", row.pk, channel)


def resend(reminder_id: int, channel_id: int, on: dt.date) -> bool:
    """Send a failed reminder again over one channel (the message of day ``on``); on success the row
    counts one failure less. False when there is nothing to retry (the row or channel gone, the channel
    off, the task no longer open); raises ChannelError when the channel fails again (the worker retries)."""
    row = Reminder.objects.select_related("task__outfall__town").filter(pk=reminder_id).first()
    channel = Channel.objects.filter(pk=channel_id, active=True).first()
    if row is None or channel is None or row.failed == 0 or row.task.state not in _DUE:
        return False
    load_channel(channel.kind)(channel, message(row.task, row.kind, on=on))
    Reminder.objects.filter(pk=row.pk, failed__gt=0).update(failed=F("failed") - 1)
    return True
