"""The human lifecycle of an alert: one service per step, each checked against the core's
``TRANSITIONS`` and the actor's rights, with its step and history in one transaction.

    new ─┬→ acknowledged ─┬→ tracing ─┬→ confirmed ───→ closed
         ├→ tracing       ├→ confirmed └→ not_genuine ─→ closed
         ├→ not_genuine   ├→ not_genuine
         └→ closed        └→ closed

The episode (``episode_open``) is the rules' business and never changes the state here.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outfall.accounts.labels import label_of
from outfall.alerts import permissions
from outfall.alerts.models import Alert, AlertStep
from outfall.alerts.rules import current_rules
from outfall.core.enums import AlertState, Role
from outfall.core.errors import InputError, PermissionDeniedError
from outfall.core.warning import TRANSITIONS, can_transition
from outfall.history.services import actor_name, record_change


def _state_snapshot(alert: Alert) -> dict:
    return {"state": alert.state, "assignee": alert.assignee.username if alert.assignee_id else None,
            "escalated_at": alert.escalated_at.isoformat() if alert.escalated_at else None}


def _check_actor(alert: Alert, actor) -> None:
    if not permissions.can_act(actor, alert):
        raise PermissionDeniedError(f"{actor} may not act on alert {alert.pk}",
                                    user_message=_("无权处置预警 %(n)s（属于%(town)s）") % {
                                        "n": alert.pk, "town": alert.town or _("未分配镇街")})


def allowed_next(alert: Alert) -> list[AlertState]:
    """The states the lifecycle allows next, in the enum's order."""
    nxt = TRANSITIONS[AlertState(alert.state)]
    return [s for s in AlertState if s in nxt]


def _move(alert: Alert, to: AlertState, *, actor, note: str = "", assignee=None) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_actor(alert, actor)
    before = AlertState(alert.state)
    if not can_transition(before, to):
        allowed = _("、").join(label_of(s) for s in allowed_next(alert)) or _("无")
        raise InputError(f"alert {alert.pk}: {before.value} → {to.value} not allowed",
                         user_message=_("预警当前为「%(before)s」，不能改为「%(to)s」；可改为：%(allowed)s") % {
                             "before": label_of(before), "to": label_of(to), "allowed": allowed})
    snap = _state_snapshot(alert)
    alert.state = to.value
    if assignee is not None:
        alert.assignee = assignee
    alert.save(update_fields=["state", "assignee", "updated_at"])
    AlertStep.objects.create(alert=alert, from_state=before.value, to_state=to.value, actor=_user(actor),
                             actor_name=actor_name(actor), note=note, assignee=assignee)
    record_change(alert, action="update", actor=actor, before=snap, after=_state_snapshot(alert), note=note)
    return alert


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def acknowledge_alert(alert: Alert, *, actor, note: str = "") -> Alert:
    """已确认收到: someone responsible has seen it."""
    return _move(alert, AlertState.ACKNOWLEDGED, actor=actor, note=note)


@transaction.atomic
def start_tracing(alert: Alert, *, actor, note: str = "") -> Alert:
    """溯源中: the source is being looked for."""
    return _move(alert, AlertState.TRACING, actor=actor, note=note)


@transaction.atomic
def confirm_alert(alert: Alert, *, actor, note: str = "") -> Alert:
    """属实: the exceedance is real."""
    return _move(alert, AlertState.CONFIRMED, actor=actor, note=note)


@transaction.atomic
def mark_not_genuine(alert: Alert, *, actor, reason: str) -> Alert:
    """不属实: a false alarm (instrument, sampling); the reason is required."""
    if not (reason or "").strip():
        raise InputError("reason required", user_message=_("标记不属实须填写原因"))
    return _move(alert, AlertState.NOT_GENUINE, actor=actor, note=reason.strip())


@transaction.atomic
def close_alert(alert: Alert, *, actor, note: str = "") -> Alert:
    """已关闭: nothing more to do."""
    return _move(alert, AlertState.CLOSED, actor=actor, note=note)


@transaction.atomic
def assign_alert(alert: Alert, assignee, *, actor, note: str = "") -> Alert:
    """Give the alert to ``assignee`` (who must be allowed to act on it); the state is unchanged."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _check_actor(alert, actor)
    if assignee is None or not assignee.is_active or not permissions.can_act(assignee, alert):
        raise InputError(f"assignee {assignee} cannot act on alert {alert.pk}",
                         user_message=_("「%(user)s」无权处置该预警，不能指派") % {"user": assignee})
    snap = _state_snapshot(alert)
    alert.assignee = assignee
    alert.save(update_fields=["assignee", "updated_at"])
    AlertStep.objects.create(alert=alert, from_state=alert.state, to_state=alert.state, actor=_user(actor),
                             actor_name=actor_name(actor), note=note or f"指派给 {assignee.username}", assignee=assignee)
    record_change(alert, action="update", actor=actor, before=snap, after=_state_snapshot(alert), note=note)
    return alert


def escalation_recipients() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, role__in=[Role.ADMIN.value, Role.BUREAU.value]) \
        .exclude(email="").values_list("email", flat=True)
    return sorted(set(users) | set(getattr(settings, "OUTFALL_ALERT_ADMIN_EMAILS", [])))


@transaction.atomic
def escalate_overdue_alerts(now: dt.datetime | None = None, *, actor=None, rules=None) -> list[Alert]:
    """Alerts still ``new`` longer than ``rules.escalate_after_h`` hours after they were raised get
    ``escalated_at`` and a message to admins and bureau staff (and the channels subscribed)."""
    from outfall.alerts.notify import schedule_notifications

    now = now or timezone.now()
    rules = rules or current_rules()
    cutoff = now - dt.timedelta(hours=rules.escalate_after_h)
    due = list(Alert.objects.select_for_update().filter(state=AlertState.NEW.value, escalated_at=None,
                                                        created_at__lte=cutoff))
    batch = uuid.uuid4()
    for alert in due:
        alert.escalated_at = now
        alert.save(update_fields=["escalated_at", "updated_at"])
        AlertStep.objects.create(alert=alert, from_state=alert.state, to_state=alert.state, actor=_user(actor),
                                 actor_name=actor_name(actor),
                                 note=f"超过 {rules.escalate_after_h:g} 小时未确认，已升级 / escalated")
        record_change(alert, action="update", actor=actor, before={"escalated_at": None},
                      after={"escalated_at": now.isoformat()}, batch_id=batch, note="escalated")
    if due:
        ids = [a.pk for a in due]
        schedule_notifications(ids, event="escalated")
        recipients = escalation_recipients()
        if recipients:
            lines = [f"{a.pk}: {a.explanation_zh}" for a in due]
            transaction.on_commit(lambda: _email_admins(f"【预警升级】{len(ids)} 条预警超时未确认", "\n".join(lines),
                                                        recipients))
    return due


def _email_admins(subject: str, text: str, recipients: list[str]) -> None:
    from outfall.alerts.tasks import email_admins_task

    email_admins_task(subject, text, recipients)
