"""Notifications: which channels an alert goes to, the message, and one logged attempt.

Services schedule sending with ``transaction.on_commit`` (:func:`schedule_notifications`); the
worker's task (``outfall.alerts.tasks.deliver_task``) calls :func:`deliver` once per attempt, with
retries and backoff. Every attempt writes a :class:`~outfall.alerts.models.Delivery` row, sent or
failed, which the alert page lists.
"""

from __future__ import annotations

import logging

from django.db import transaction

from outfall.alerts.channels import ChannelError, load_channel
from outfall.alerts.models import Alert, Channel, Delivery, Subscription
from outfall.core.enums import AlertRule, AlertSeverity, AlertState

log = logging.getLogger("outfall.alerts")
EVENTS = {"new": ("新预警", "new alert"), "escalated": ("预警升级", "escalated")}


def channels_for(alert: Alert, subscriptions: list[Subscription] | None = None) -> list[Channel]:
    """Active channels with at least one subscription matching ``alert`` (of ``subscriptions``, the
    active ones loaded once for many alerts; default: loaded here)."""
    subs = _active_subscriptions() if subscriptions is None else subscriptions
    seen, out = set(), []
    for s in subs:
        if s.channel_id not in seen and s.matches(alert):
            seen.add(s.channel_id)
            out.append(s.channel)
    return out


def message(alert: Alert, event: str = "new") -> dict:
    """Title and Markdown text (Chinese first, English after) of one alert."""
    zh_event, en_event = EVENTS.get(event, (event, event))
    sev, rule = AlertSeverity(alert.severity), AlertRule(alert.rule)
    title = f"【{zh_event}·{sev.label}】{alert.site_code} {alert.parameter} {rule.label}"
    lines = [f"### {title}", "", alert.explanation_zh, "", f"> {alert.explanation_en}", "",
             f"- 状态 / state: {AlertState(alert.state).label}",
             f"- 级别 / severity: {sev.label} ({sev.value})", f"- 预警编号 / alert: {alert.pk} (/alerts/{alert.pk}/)"]
    for r in alert.receptors:
        lines.append(f"- 下游敏感目标 / receptor: {r['name']} {r['distance_km']} km, {r['travel_time_h']} h")
    return {"title": title, "text": "\n".join(lines),
            "alert": {"id": alert.pk, "site_code": alert.site_code, "parameter": alert.parameter, "rule": alert.rule,
                      "severity": alert.severity, "state": alert.state, "event": event,
                      "time": alert.last_time.isoformat(), "value": alert.value, "limit": alert.limit}}


def deliver(alert_id: int, channel_id: int, *, event: str = "new", attempt: int = 1) -> Delivery:
    """One attempt: send and log it. Raises :class:`ChannelError` after logging a failure (so the
    worker retries)."""
    alert = Alert.objects.get(pk=alert_id)
    channel = Channel.objects.get(pk=channel_id)
    try:
        status = load_channel(channel.kind)(channel, message(alert, event))
    except ChannelError as exc:
        Delivery.objects.create(alert=alert, channel=channel, event=event, attempt=attempt, status="failed",
                                http_status=exc.http_status, error=str(exc)[:2000])
        log.warning("alert %s → %s attempt %d failed: %s", alert_id, channel, attempt, exc)
        raise
    return Delivery.objects.create(alert=alert, channel=channel, event=event, attempt=attempt, status="sent",
                                   http_status=status)


def _active_subscriptions() -> list[Subscription]:
    return list(Subscription.objects.filter(channel__active=True).select_related("channel").order_by("pk"))


def _enqueue(alert_ids: list[int], event: str) -> None:
    """Queue one task per alert and matching channel; the subscriptions are read once (an import
    can raise thousands of alerts), and nothing is read when there are none."""
    from outfall.alerts.tasks import deliver_task

    subs = _active_subscriptions()
    if not subs:
        return
    for a in range(0, len(alert_ids), 1000):
        for alert in Alert.objects.filter(pk__in=alert_ids[a:a + 1000]).order_by("pk"):
            for channel in channels_for(alert, subs):
                try:
                    deliver_task(alert.pk, channel.pk, event)
                except Exception:  # noqa: BLE001 — a queue that is down must not break the check
                    log.exception("could not queue alert %s for %s", alert.pk, channel)


def schedule_notifications(alert_ids: list[int], *, event: str = "new") -> None:
    """Queue the messages of ``alert_ids`` once the current transaction commits."""
    ids = list(alert_ids)
    transaction.on_commit(lambda: _enqueue(ids, event))
