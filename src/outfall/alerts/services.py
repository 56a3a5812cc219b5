"""Every state change of the alerts app (STYLE rule 2), gathered from its modules by concern:
checking (``checking``), the lifecycle (``lifecycle``), limits (``limits``) and channels (here)."""

from __future__ import annotations

from django.db import transaction

from outfall.alerts import permissions
from outfall.alerts.channels import validate_channel
from outfall.alerts.checking import check_alerts
from outfall.alerts.lifecycle import (
    acknowledge_alert,
    assign_alert,
    close_alert,
    confirm_alert,
    escalate_overdue_alerts,
    mark_not_genuine,
    start_tracing,
)
from outfall.alerts.limits import add_outfall_limit, import_limits
from outfall.alerts.models import Channel, Receptor, Subscription
from outfall.core.errors import PermissionDeniedError
from outfall.history.services import record_change

__all__ = ["acknowledge_alert", "add_channel", "add_outfall_limit", "add_subscription", "assign_alert",
           "check_alerts", "close_alert", "confirm_alert", "escalate_overdue_alerts", "import_limits",
           "mark_not_genuine", "set_receptor", "start_tracing"]


def _check_manager(actor) -> None:
    if not permissions.can_manage_channels(actor):
        raise PermissionDeniedError(f"{actor} may not manage alert settings",
                                    user_message="只有管理员和生态环境局人员可以设置 / admins and bureau staff only")


@transaction.atomic
def add_channel(data: dict, *, actor) -> Channel:
    """A notification channel, refused unless its URL, secret or addresses can work."""
    _check_manager(actor)
    validate_channel(data.get("kind", ""), data.get("url", ""), data.get("secret", ""), data.get("recipients", ""))
    ch = Channel.objects.create(**{k: data.get(k, "") for k in ("name", "kind", "url", "secret", "recipients")},
                                active=data.get("active", True))
    record_change(ch, action="create", actor=actor, before=None,
                  after={"name": ch.name, "kind": ch.kind, "url": ch.url, "recipients": ch.recipients,
                         "secret": "***" if ch.secret else ""})
    return ch


@transaction.atomic
def add_subscription(channel: Channel, *, actor, town=None, section=None, rule: str = "",
                     min_severity: str = "low") -> Subscription:
    _check_manager(actor)
    sub = Subscription.objects.create(channel=channel, town=town, section=section, rule=rule,
                                      min_severity=min_severity)
    record_change(sub, action="create", actor=actor, before=None, related=channel,
                  after={"town": str(town or ""), "section": str(section or ""), "rule": rule,
                         "min_severity": min_severity})
    return sub


@transaction.atomic
def set_receptor(section, kind: str | None, *, actor, note: str = "") -> Receptor | None:
    """Mark ``section`` a sensitive receptor of ``kind`` (None: no longer a receptor)."""
    _check_manager(actor)
    old = Receptor.objects.filter(section=section).first()
    before = {"kind": old.kind, "note": old.note} if old else None
    if kind is None:
        if old:
            record_change(old, action="delete", actor=actor, before=before, after=None, related=section)
            old.delete()
        return None
    if kind not in dict(Receptor.KINDS):
        from outfall.core.errors import InputError

        raise InputError(f"receptor kind {kind}", user_message=f"敏感目标类型「{kind}」无效")
    rec, _ = Receptor.objects.update_or_create(section=section, defaults={"kind": kind, "note": note})
    record_change(rec, action="update" if old else "create", actor=actor, before=before,
                  after={"kind": kind, "note": note}, related=section)
    return rec
